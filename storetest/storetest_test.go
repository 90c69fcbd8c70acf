package storetest

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

// TestRunOnMemStore checks the suite itself against a small reference
// store, so a failure in sqlite or postgres is the store's and not the
// suite's.
func TestRunOnMemStore(t *testing.T) {
	Run(t, func(t *testing.T) gone.Store { return newMemStore() })
}

type key struct{ collection, id string }

// memStore is the simplest thing that meets the contract: one lock
// serialises Updates, another guards the committed state, and a
// transaction buffers its writes until commit.
type memStore struct {
	write  sync.Mutex
	mu     sync.RWMutex
	recs   map[key]*gone.Record
	tokens map[string]*gone.Token
	audit  []gone.AuditEvent
	seq    int64
	closed bool
	hooks  *memHooks
	inbox  memInbox // meminbox_test.go
}

func newMemStore() *memStore {
	return &memStore{recs: map[key]*gone.Record{}, tokens: map[string]*gone.Token{}, hooks: newMemHooks()}
}

var errClosed = errors.New("memstore: closed")

func norm(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.Truncate(time.Second).UTC()
}

func clean(r *gone.Record) *gone.Record {
	c := r.Clone()
	for _, p := range []*time.Time{&c.CreatedAt, &c.UpdatedAt, &c.DeletedAt, &c.RestorableUntil, &c.ExpiresAt, &c.UnavailableUntil, &c.DeprecatedAt} {
		*p = norm(*p)
	}
	return c
}

func (s *memStore) Get(ctx context.Context, collection, id string) (*gone.Record, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, errClosed
	}
	r, ok := s.recs[key{collection, id}]
	if !ok {
		return nil, gone.Errorf(gone.ENOTFOUND, "no %s/%s", collection, id)
	}
	return r.Clone(), nil
}

func (s *memStore) Update(ctx context.Context, fn func(gone.Tx) error) error {
	s.write.Lock()
	defer s.write.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	tx := &memTx{s: s, writes: map[key]*gone.Record{}, tokens: map[string]*gone.Token{}}
	if err := fn(tx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	for k, r := range tx.writes {
		s.recs[k] = r
	}
	for n, t := range tx.tokens {
		s.tokens[n] = t
	}
	for _, e := range tx.audit {
		s.seq++
		e.Seq = s.seq
		s.audit = append(s.audit, e)
	}
	return nil
}

func (s *memStore) List(ctx context.Context, q gone.ListQuery) ([]*gone.Record, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*gone.Record
	for k, r := range s.recs {
		if k.collection == q.Collection && k.id > q.After && q.Matches(r) {
			out = append(out, r.Clone())
		}
	}
	slices.SortFunc(out, func(a, b *gone.Record) int { return cmp.Compare(a.ID, b.ID) })
	if q.Limit > 0 && len(out) > q.Limit {
		return out[:q.Limit], out[q.Limit-1].ID, nil
	}
	return out, "", nil
}

func (s *memStore) Audit(ctx context.Context, q gone.AuditQuery) ([]gone.AuditEvent, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []gone.AuditEvent
	events := slices.Clone(s.audit)
	if q.Newest {
		slices.Reverse(events)
	}
	for _, e := range events {
		if e.Seq > q.AfterSeq && (q.BeforeSeq == 0 || e.Seq < q.BeforeSeq) && q.Matches(e) {
			out = append(out, e)
			if q.Limit > 0 && len(out) == q.Limit {
				break
			}
		}
	}
	return out, nil
}

func (s *memStore) Ping(ctx context.Context) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return errClosed
	}
	return nil
}

func (s *memStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

type memTx struct {
	s      *memStore
	writes map[key]*gone.Record
	tokens map[string]*gone.Token
	audit  []gone.AuditEvent
}

func cloneToken(t *gone.Token) *gone.Token {
	c := *t
	c.Hash = slices.Clone(t.Hash)
	c.Scopes = slices.Clone(t.Scopes)
	c.Collections = slices.Clone(t.Collections)
	c.CreatedAt, c.ExpiresAt, c.RevokedAt = norm(t.CreatedAt), norm(t.ExpiresAt), norm(t.RevokedAt)
	return &c
}

func (s *memStore) TokenByHash(ctx context.Context, hash []byte) (*gone.Token, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, t := range s.tokens {
		if string(t.Hash) == string(hash) {
			return cloneToken(t), nil
		}
	}
	return nil, gone.Errorf(gone.ENOTFOUND, "no token")
}

func (s *memStore) Tokens(ctx context.Context) ([]*gone.Token, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*gone.Token
	for _, t := range s.tokens {
		out = append(out, cloneToken(t))
	}
	slices.SortFunc(out, func(a, b *gone.Token) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

func (s *memStore) UpdateTokens(ctx context.Context, fn func(gone.TokenTx) error) error {
	return s.Update(ctx, func(tx gone.Tx) error { return fn(tx.(*memTx)) })
}

func (tx *memTx) Token(ctx context.Context, name string) (*gone.Token, error) {
	if t, ok := tx.tokens[name]; ok {
		return cloneToken(t), nil
	}
	tx.s.mu.RLock()
	defer tx.s.mu.RUnlock()
	if t, ok := tx.s.tokens[name]; ok {
		return cloneToken(t), nil
	}
	return nil, gone.Errorf(gone.ENOTFOUND, "no token %s", name)
}

func (tx *memTx) PutToken(ctx context.Context, t *gone.Token) error {
	tx.tokens[t.Name] = cloneToken(t)
	return nil
}

func (tx *memTx) Get(ctx context.Context, collection, id string) (*gone.Record, error) {
	if r, ok := tx.writes[key{collection, id}]; ok {
		return r.Clone(), nil
	}
	return tx.s.Get(ctx, collection, id)
}

func (tx *memTx) Put(ctx context.Context, r *gone.Record) error {
	tx.writes[key{r.Collection, r.ID}] = clean(r)
	return nil
}

func (tx *memTx) AppendAudit(ctx context.Context, e gone.AuditEvent) error {
	e.At = norm(e.At)
	tx.audit = append(tx.audit, e)
	return nil
}
