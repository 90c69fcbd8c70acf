-- Named API tokens. Only the SHA-256 of a token's secret is kept; the
-- UNIQUE index on hash makes the lookup that every authenticated request
-- does one index probe. A revoked token keeps its row, so a request with
-- it is told "revoked" rather than "unknown", and its name is never
-- reused. scopes and collections are space-separated lists ('' for every
-- collection). Times are unix seconds, NULL when unset.
CREATE TABLE tokens (
	name        TEXT    NOT NULL PRIMARY KEY,
	hash        BLOB    NOT NULL UNIQUE,
	scopes      TEXT    NOT NULL,
	collections TEXT    NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL,
	created_by  TEXT    NOT NULL DEFAULT '',
	expires_at  INTEGER,
	revoked_at  INTEGER,
	revoked_by  TEXT    NOT NULL DEFAULT ''
) STRICT;
