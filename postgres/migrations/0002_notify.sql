-- Every write to resources notifies the channel gone_changes with
-- "collection/id" (ids never hold a slash) when its transaction commits, so
-- other instances drop that id from their read caches. A trigger, not the
-- store's code, so that every writer (an older gone, a hand-run UPDATE) is
-- seen too.
CREATE FUNCTION gone_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		PERFORM pg_notify('gone_changes', OLD.collection || '/' || OLD.id);
	ELSE
		PERFORM pg_notify('gone_changes', NEW.collection || '/' || NEW.id);
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER resources_notify AFTER INSERT OR UPDATE OR DELETE ON resources
	FOR EACH ROW EXECUTE FUNCTION gone_notify_change();
