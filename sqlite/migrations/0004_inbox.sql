-- The 404 inbox: unknown paths asked for, counted in memory by the front
-- doors and added here in batches. The stored entries are capped (the
-- fewest hits go first), so the table stays small whatever is asked for.
-- referrers is a JSON array of {url, hits}, at most five. Times are unix
-- seconds.
CREATE TABLE inbox (
	path         TEXT    NOT NULL PRIMARY KEY,
	hits         INTEGER NOT NULL,
	crawler_hits INTEGER NOT NULL DEFAULT 0,
	first_seen   INTEGER NOT NULL,
	last_seen    INTEGER NOT NULL,
	referrers    TEXT    NOT NULL DEFAULT '[]'
) STRICT;
-- The listing's order, and the cap's (its reverse).
CREATE INDEX inbox_by_hits ON inbox (hits DESC, last_seen DESC, path);

-- Globs whose paths the inbox never counts.
CREATE TABLE inbox_ignores (
	pattern    TEXT    NOT NULL PRIMARY KEY,
	created_at INTEGER NOT NULL,
	created_by TEXT    NOT NULL DEFAULT ''
) STRICT;
