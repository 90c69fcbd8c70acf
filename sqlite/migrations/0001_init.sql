-- Resources and their tombstones. Times are unix seconds, NULL when unset.
-- A rowid table with a separate primary-key index rather than WITHOUT ROWID:
-- payloads are JSON documents that often exceed the ~200 bytes below which
-- WITHOUT ROWID pays off, and Get stays one index probe plus one row fetch.
-- Text columns use the default BINARY collation, so ids sort in byte order
-- as gone.Store.List requires.
CREATE TABLE resources (
	collection        TEXT    NOT NULL,
	id                TEXT    NOT NULL,
	data              BLOB,
	version           INTEGER NOT NULL DEFAULT 0,
	created_at        INTEGER,
	updated_at        INTEGER,
	deleted_at        INTEGER,
	restorable_until  INTEGER,
	reason            TEXT    NOT NULL DEFAULT '',
	alternative       TEXT    NOT NULL DEFAULT '',
	deleted_by        TEXT    NOT NULL DEFAULT '',
	expires_at        INTEGER,
	moved_to          TEXT    NOT NULL DEFAULT '',
	unavailable_until INTEGER,
	deprecated_at     INTEGER,
	PRIMARY KEY (collection, id)
) STRICT;

-- AUTOINCREMENT so a sequence number is never handed out twice, even if
-- old events are pruned one day.
CREATE TABLE audit (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	at         INTEGER,
	actor      TEXT    NOT NULL DEFAULT '',
	action     TEXT    NOT NULL,
	collection TEXT    NOT NULL,
	id         TEXT    NOT NULL,
	reason     TEXT    NOT NULL DEFAULT '',
	detail     TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX audit_by_resource ON audit (collection, id, seq);
