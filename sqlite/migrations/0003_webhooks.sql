-- Webhook subscriptions and cache-purge targets (gone.WebhookStore).
-- collections and types are space-separated lists ('' for all). Times in
-- these tables are unix milliseconds (a retry a second away must not round
-- to now), NULL when unset.
CREATE TABLE webhooks (
	name          TEXT    NOT NULL PRIMARY KEY,
	kind          TEXT    NOT NULL,
	url           TEXT    NOT NULL,
	secret        TEXT    NOT NULL DEFAULT '',
	host          TEXT    NOT NULL DEFAULT '',
	collections   TEXT    NOT NULL DEFAULT '',
	path_prefix   TEXT    NOT NULL DEFAULT '',
	types         TEXT    NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL,
	created_by    TEXT    NOT NULL DEFAULT '',
	since_seq     INTEGER NOT NULL DEFAULT 0,
	failures      INTEGER NOT NULL DEFAULT 0,
	paused_at     INTEGER,
	paused_reason TEXT    NOT NULL DEFAULT ''
) STRICT;

-- Each subscription's queue, in seq order. A message leaves it only once a
-- delivery of it succeeded, so a crash mid-delivery sends it again.
CREATE TABLE webhook_queue (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	webhook    TEXT    NOT NULL,
	msg_id     TEXT    NOT NULL,
	path       TEXT    NOT NULL DEFAULT '',
	prefix     INTEGER NOT NULL DEFAULT 0,
	body       BLOB,
	created_at INTEGER NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0,
	next_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX webhook_queue_webhook ON webhook_queue (webhook, seq);

-- The delivery log: the newest attempts of each subscription.
CREATE TABLE webhook_log (
	n           INTEGER PRIMARY KEY AUTOINCREMENT,
	webhook     TEXT    NOT NULL,
	seq         INTEGER NOT NULL,
	msg_id      TEXT    NOT NULL,
	at          INTEGER NOT NULL,
	attempt     INTEGER NOT NULL,
	status      INTEGER NOT NULL,
	error       TEXT    NOT NULL DEFAULT '',
	duration_ms INTEGER NOT NULL,
	delivered   INTEGER NOT NULL
) STRICT;
CREATE INDEX webhook_log_webhook ON webhook_log (webhook, n);

-- Checks due at a time: an expiry, the end of a restore window.
CREATE TABLE webhook_timers (
	collection TEXT    NOT NULL,
	id         TEXT    NOT NULL,
	kind       TEXT    NOT NULL,
	due        INTEGER NOT NULL,
	PRIMARY KEY (collection, id, kind)
) STRICT;
CREATE INDEX webhook_timers_due ON webhook_timers (due);

-- One row: the highest audit seq already queued, and who delivers until
-- when. It starts at the log's end: subscriptions hear of what happens
-- after they exist, not of the past.
CREATE TABLE webhook_state (
	name   TEXT    NOT NULL PRIMARY KEY,
	cursor INTEGER NOT NULL,
	holder TEXT    NOT NULL DEFAULT '',
	until  INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO webhook_state (name, cursor) SELECT 'deliverer', COALESCE(MAX(seq), 0) FROM audit;
