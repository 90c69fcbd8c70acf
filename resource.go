package gone

import (
	"context"
	"strconv"
	"time"
)

// Policy returns the collection's policy, or ENOTFOUND.
func (s *Service) Policy(collection string) (Policy, error) {
	p, ok := s.config.Policy(collection)
	if !ok {
		return p, Errorf(ENOTFOUND, "Collection %q does not exist.", collection)
	}
	return p, nil
}

// Decide looks the id up and decides the answer for caller. The returned
// error is the store's failure, for the log only: the decision already says
// 503.
func (s *Service) Decide(ctx context.Context, caller Caller, p Policy, id string) (Decision, error) {
	if p.Private && caller.Anonymous() {
		// Permission before existence: do not even look.
		return Decide(Input{Now: s.Now(), Caller: caller, Policy: p, WithoutPath: true}), nil
	}
	in, err := s.lookup(ctx, p, id)
	in.Caller = caller
	in.WithoutPath = true // only Explain shows the path
	return Decide(in), err
}

// Explain decides the id for caller and for an anonymous caller from one
// lookup, so the two answers describe the same moment of the record.
func (s *Service) Explain(ctx context.Context, caller Caller, p Policy, id string) (public, forCaller Decision, err error) {
	in, err := s.lookup(ctx, p, id)
	in.Caller = caller
	forCaller = Decide(in)
	in.Caller = Caller{}
	return Decide(in), forCaller, err
}

// lookup reads the id for a decision, within ReadTimeout. A store failure
// sets StoreFailed (the decision says 503) and is returned for the log.
func (s *Service) lookup(ctx context.Context, p Policy, id string) (Input, error) {
	in := Input{Now: s.Now(), Policy: p}
	if pk, ok := s.store.(Peeker); ok {
		if rec, hit := pk.Peek(p.Collection, id); hit {
			in.Record = rec
			return in, nil
		}
	}
	if s.readTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.readTimeout)
		defer cancel()
	}
	rec, err := s.store.Get(ctx, p.Collection, id)
	switch {
	case ErrorCode(err) == ENOTFOUND:
	case err != nil:
		in.StoreFailed = true
	default:
		in.Record = rec
	}
	return in, err
}

// ETag returns the record's strong entity tag.
func (r *Record) ETag() string { return `"` + strconv.FormatInt(r.Version, 10) + `"` }

// History returns the audit events of one id, oldest first.
func (s *Service) History(ctx context.Context, collection, id string) ([]AuditEvent, error) {
	return s.store.Audit(ctx, AuditQuery{Collection: collection, ID: id, Limit: 1000})
}

// Record returns the raw record for admin views, or ENOTFOUND.
// The not-found error carries the collection's own text, whatever the
// store's wording, so every store gives the same answer.
func (s *Service) Record(ctx context.Context, collection, id string) (*Record, error) {
	rec, err := s.store.Get(ctx, collection, id)
	if IsNotFound(err) {
		p, _ := s.config.Policy(collection)
		return nil, notFound(p, id)
	}
	return rec, err
}

// List pages through one collection. Only admins may list another state
// than live (the trash, retired, moved or unavailable ids) or filter by
// expiry.
func (s *Service) List(ctx context.Context, caller Caller, q ListQuery) ([]*Record, string, error) {
	p, err := s.Policy(q.Collection)
	if err != nil {
		return nil, "", err
	}
	if p.Private && caller.Anonymous() {
		return nil, "", Errorf(EUNAUTHORIZED, "A token is required to read this collection.")
	}
	if q.State == "" {
		q.State = StateLive
	}
	if !Listable(q.State) {
		return nil, "", invalid("state", "must be live, unavailable, deleted, gone or moved")
	}
	// Beyond the plain live list, a listing shows lifecycle facts: for
	// admins only.
	if (q.State != StateLive || !q.ExpiresBefore.IsZero()) && !caller.Can(ScopeAdmin, q.Collection) {
		return nil, "", Errorf(EFORBIDDEN, "Only an admin token may list by lifecycle state or expiry.")
	}
	if q.Limit <= 0 {
		q.Limit = DefaultListLimit
	}
	if q.Limit > MaxListLimit {
		return nil, "", invalid("limit", "must be at most 500")
	}
	if q.After != "" && !ValidID(q.After) {
		return nil, "", invalid("cursor", "is not a cursor this server gave")
	}
	q.Now = s.Now()
	return s.store.List(ctx, q)
}

func notFound(p Policy, id string) error {
	return Errorf(ENOTFOUND, "%s", p.TextsFor("en").Expand(p.TextsFor("en").NotFound, id, time.Time{}))
}
