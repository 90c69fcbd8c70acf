package gone

import (
	"context"
	"crypto/rand"
	"sync"
	"time"
)

// Service applies gone's lifecycle rules on top of a Store. Every write is
// one Store.Update transaction: read the current record, apply a pure
// transition, write the result and its audit event together.
//
// Its settings are fixed when it is made (NewService and its options): no
// other package rewrites a Service after construction, and none reaches
// its store but through its methods.
//
// Its methods live by entity: the resources of the collections in
// resource.go (reads), resourcewrite.go (writes), batch.go and purge.go;
// the named tokens in auth.go; the path rules in rule.go, ruleimport.go,
// ruleloop.go, rulepage.go and rulespec.go. What is no one entity's (the
// clock, the config, readiness, the audit log, the store's webhooks and
// memos) is here.
type Service struct {
	store  Store
	config *Config
	// tokens keeps the named tokens; NewService takes it from a Store
	// that also implements TokenStore, unless WithTokens says otherwise.
	tokens TokenStore

	clock func() time.Time
	newID func() string
	// readTimeout bounds the store lookup of a read; past it the answer
	// is 503, never a guess. writeTimeout bounds a write's transaction,
	// so a store that hangs (a network partition, a lock held too long)
	// answers 503 rather than holding the request until the HTTP server
	// gives up on it.
	readTimeout, writeTimeout time.Duration

	mu           sync.Mutex
	rulesChanged []func(ctx context.Context)
}

// Option configures NewService.
type Option func(*Service)

// WithClock sets the clock (time.Now by default); tests inject a fixed or
// a hand-moved one.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.clock = now } }

// WithIDs sets how POST makes ids (RandomID by default).
func WithIDs(newID func() string) Option { return func(s *Service) { s.newID = newID } }

// WithTimeouts sets the bounds of a read's store lookup (default 2 s) and
// of a write's transaction (default 10 s); zero leaves one unbounded.
func WithTimeouts(read, write time.Duration) Option {
	return func(s *Service) { s.readTimeout, s.writeTimeout = read, write }
}

// WithTokens sets where the named tokens are kept: by default the Store,
// when it keeps them (TokenStore), and nowhere otherwise. Tests wrap the
// store's to count or fail its lookups.
func WithTokens(tokens TokenStore) Option { return func(s *Service) { s.tokens = tokens } }

// NewService returns a Service over store with the collections of cfg:
// the real clock, random ids and the default timeouts unless opts say
// otherwise.
func NewService(store Store, cfg *Config, opts ...Option) *Service {
	tokens, _ := store.(TokenStore)
	s := &Service{store: store, config: cfg, tokens: tokens, clock: time.Now, newID: RandomID, readTimeout: 2 * time.Second, writeTimeout: 10 * time.Second}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.clock() }

// Config is the configuration the service was made with. It is
// read-only: nothing changes a Config after it is loaded.
func (s *Service) Config() *Config { return s.config }

// Ping reports whether the store answers (the readiness probe).
func (s *Service) Ping(ctx context.Context) error { return s.store.Ping(ctx) }

// Audit reads the audit log as q asks. It checks no caller: it is for
// handlers that have (the audit log is an admin's; the change feed keeps
// of each event only what the caller may see, Config.ChangeFor) and for
// followers of the log (ReadAfter), which answer no caller.
func (s *Service) Audit(ctx context.Context, q AuditQuery) ([]AuditEvent, error) {
	return s.store.Audit(ctx, q)
}

// Scan reads one page of the records q matches, as the store holds them:
// it checks no caller and applies none of List's limits. It is for what
// the server derives from every record and then decides for the public
// itself, record by record (the sitemaps); a caller's listing is List.
func (s *Service) Scan(ctx context.Context, q ListQuery) ([]*Record, string, error) {
	return s.store.List(ctx, q)
}

// Webhooks returns where the store keeps webhook subscriptions, or nil
// when it keeps none. The service has no rules of its own for webhooks:
// this is for wiring the HTTP API's webhook routes to the same store.
func (s *Service) Webhooks() WebhookStore {
	w, _ := s.store.(WebhookStore)
	return w
}

// At returns a service over the same store whose clock stands still at t,
// for loading a world with fixed dates (the demo's).
func (s *Service) At(t time.Time) *Service {
	return NewService(s.store, s.config, WithClock(func() time.Time { return t }), WithIDs(s.newID),
		WithTimeouts(s.readTimeout, s.writeTimeout), WithTokens(s.tokens))
}

// OnRulesChanged calls f after every committed change to the path rules
// made through this service, so an in-memory rule table in this process
// (the proxy's, serve's, the middleware's) reloads at once rather than at
// its next poll.
func (s *Service) OnRulesChanged(f func(ctx context.Context)) {
	s.mu.Lock()
	s.rulesChanged = append(s.rulesChanged, f)
	s.mu.Unlock()
}

// notifyRulesChanged calls every OnRulesChanged function.
func (s *Service) notifyRulesChanged(ctx context.Context) {
	s.mu.Lock()
	fs := s.rulesChanged
	s.mu.Unlock()
	for _, f := range fs {
		f(ctx)
	}
}

// RandomID returns 16 random lower-case base-32 characters.
func RandomID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	var b [16]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[b[i]&31]
	}
	return string(b[:])
}

// now is the write clock: stored times are whole seconds, which is what
// Last-Modified, the seeds' timestamps and expiry "to the second" need.
func (s *Service) writeNow() time.Time { return s.clock().UTC().Truncate(time.Second) }

// writeContext bounds a write by WriteTimeout; the stores report a write
// that runs out of it as EUNAVAILABLE.
func (s *Service) writeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.writeTimeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.writeTimeout)
}

// IsNotFound reports whether err has code ENOTFOUND.
func IsNotFound(err error) bool { return ErrorCode(err) == ENOTFOUND }
