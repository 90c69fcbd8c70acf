-- Resources and their tombstones share one row per (collection, id): a
-- permanent delete nulls data and keeps the lifecycle facts.
--
-- Keys are COLLATE "C" so List orders ids byte-wise, as Go compares strings,
-- whatever the database's locale. data is bytea, not jsonb, to keep the
-- representation's exact bytes (jsonb reorders keys and drops duplicates).
-- A zero time.Time is NULL.
CREATE TABLE resources (
	collection        text COLLATE "C" NOT NULL,
	id                text COLLATE "C" NOT NULL,
	data              bytea,
	version           bigint NOT NULL,
	created_at        timestamptz,
	updated_at        timestamptz,
	deleted_at        timestamptz,
	restorable_until  timestamptz,
	reason            text NOT NULL DEFAULT '',
	alternative       text NOT NULL DEFAULT '',
	deleted_by        text NOT NULL DEFAULT '',
	expires_at        timestamptz,
	moved_to          text NOT NULL DEFAULT '',
	unavailable_until timestamptz,
	deprecated_at     timestamptz,
	PRIMARY KEY (collection, id)
);

CREATE TABLE audit (
	seq        bigserial PRIMARY KEY,
	at         timestamptz,
	actor      text NOT NULL DEFAULT '',
	action     text NOT NULL,
	collection text COLLATE "C" NOT NULL,
	id         text COLLATE "C" NOT NULL,
	reason     text NOT NULL DEFAULT '',
	detail     text NOT NULL DEFAULT ''
);

-- History of one id, and (by prefix) of one collection.
CREATE INDEX audit_collection_id_seq ON audit (collection, id, seq);
