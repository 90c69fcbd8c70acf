-- Webhook subscriptions and cache-purge targets (gone.WebhookStore).
-- collections and types are space-separated lists ('' for all).
CREATE TABLE webhooks (
	name          text COLLATE "C" PRIMARY KEY,
	kind          text NOT NULL,
	url           text NOT NULL,
	secret        text NOT NULL DEFAULT '',
	host          text NOT NULL DEFAULT '',
	collections   text NOT NULL DEFAULT '',
	path_prefix   text NOT NULL DEFAULT '',
	types         text NOT NULL DEFAULT '',
	created_at    timestamptz NOT NULL,
	created_by    text NOT NULL DEFAULT '',
	-- The audit log's last seq at creation: only later changes are sent.
	since_seq     bigint NOT NULL DEFAULT 0,
	failures      integer NOT NULL DEFAULT 0,
	paused_at     timestamptz,
	paused_reason text NOT NULL DEFAULT ''
);

-- Each subscription's queue, in seq order. A message leaves it only once a
-- delivery of it succeeded, so a crash mid-delivery sends it again. Only
-- the one deliverer (webhook_state's lease) appends, so seq order is
-- commit order.
CREATE TABLE webhook_queue (
	seq        bigserial PRIMARY KEY,
	webhook    text COLLATE "C" NOT NULL,
	msg_id     text NOT NULL,
	path       text NOT NULL DEFAULT '',
	prefix     boolean NOT NULL DEFAULT false,
	body       bytea,
	created_at timestamptz NOT NULL,
	attempts   integer NOT NULL DEFAULT 0,
	next_at    timestamptz NOT NULL
);
CREATE INDEX webhook_queue_webhook ON webhook_queue (webhook, seq);

-- The delivery log: the newest attempts of each subscription.
CREATE TABLE webhook_log (
	n           bigserial PRIMARY KEY,
	webhook     text COLLATE "C" NOT NULL,
	seq         bigint NOT NULL,
	msg_id      text NOT NULL,
	at          timestamptz NOT NULL,
	attempt     integer NOT NULL,
	status      integer NOT NULL,
	error       text NOT NULL DEFAULT '',
	duration_ms bigint NOT NULL,
	delivered   boolean NOT NULL
);
CREATE INDEX webhook_log_webhook ON webhook_log (webhook, n);

-- Checks due at a time: an expiry, the end of a restore window.
CREATE TABLE webhook_timers (
	collection text COLLATE "C" NOT NULL,
	id         text COLLATE "C" NOT NULL,
	kind       text NOT NULL,
	due        timestamptz NOT NULL,
	PRIMARY KEY (collection, id, kind)
);
CREATE INDEX webhook_timers_due ON webhook_timers (due);

-- One row: the highest audit seq already queued, and which instance
-- delivers until when (a lease, so one instance delivers and another takes
-- over when it stops renewing). It starts at the log's end: subscriptions
-- hear of what happens after they exist, not of the past.
CREATE TABLE webhook_state (
	name   text PRIMARY KEY,
	cursor bigint NOT NULL,
	holder text NOT NULL DEFAULT '',
	until  timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO webhook_state (name, cursor) SELECT 'deliverer', COALESCE(MAX(seq), 0) FROM audit;
