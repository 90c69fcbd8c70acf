-- The 404 inbox: unknown paths asked for, counted in memory by the front
-- doors and added here in batches. The stored entries are capped (the
-- fewest hits go first), so the table stays small whatever is asked for.
-- referrers is a JSON array of {url, hits}, at most five.
CREATE TABLE inbox (
	path         text COLLATE "C" PRIMARY KEY,
	hits         bigint NOT NULL,
	crawler_hits bigint NOT NULL DEFAULT 0,
	first_seen   timestamptz NOT NULL,
	last_seen    timestamptz NOT NULL,
	referrers    jsonb NOT NULL DEFAULT '[]'
);
-- The listing's order, and the cap's (its reverse).
CREATE INDEX inbox_by_hits ON inbox (hits DESC, last_seen DESC, path);

-- Globs whose paths the inbox never counts.
CREATE TABLE inbox_ignores (
	pattern    text COLLATE "C" PRIMARY KEY,
	created_at timestamptz NOT NULL,
	created_by text NOT NULL DEFAULT ''
);
