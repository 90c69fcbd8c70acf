-- Named API tokens. Only the SHA-256 of a token's secret is kept; the
-- UNIQUE index on hash makes the lookup that every authenticated request
-- does one index probe, which is also why a revocation is refused on the
-- very next request on every instance: nothing caches a token. A revoked
-- token keeps its row, so a request with it is told "revoked" rather than
-- "unknown", and its name is never reused. scopes and collections are
-- space-separated lists ('' for every collection).
CREATE TABLE tokens (
	name        text COLLATE "C" PRIMARY KEY,
	hash        bytea NOT NULL UNIQUE,
	scopes      text NOT NULL,
	collections text NOT NULL DEFAULT '',
	created_at  timestamptz NOT NULL,
	created_by  text NOT NULL DEFAULT '',
	expires_at  timestamptz,
	revoked_at  timestamptz,
	revoked_by  text NOT NULL DEFAULT ''
);
