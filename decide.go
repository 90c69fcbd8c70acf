package gone

import "time"

// Answer is the kind of answer a decision gives. httpapi maps each to one
// status code, in one table.
type Answer string

// Answers.
const (
	AnswerOK           Answer = "ok"           // 200 (or 304)
	AnswerNotFound     Answer = "not_found"    // 404
	AnswerGone         Answer = "gone"         // 410
	AnswerMoved        Answer = "moved"        // 308
	AnswerUnavailable  Answer = "unavailable"  // 503
	AnswerUnauthorized Answer = "unauthorized" // 401
)

// Input is everything the decision depends on.
type Input struct {
	// Record is the stored record or tombstone; nil when the store has none.
	Record *Record
	// StoreFailed says the store did not answer (error or timeout): nothing
	// may be concluded about the id.
	StoreFailed bool
	Now         time.Time
	Caller      Caller
	Policy      Policy
	// WithoutPath leaves Decision.Path empty: only explain shows the path,
	// and building it costs every other read allocations.
	WithoutPath bool
}

// Step is one branch taken through the seeds' flowchart.
type Step struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// Decision is the answer to a read of one id, with the path that led to it.
type Decision struct {
	Answer Answer
	// State is the record's true state, whatever the caller is told.
	State State
	// Record is set when the answer shows it (OK).
	Record *Record
	// RetiredAt is when a gone resource was deleted or expired.
	RetiredAt time.Time
	// Expired says the resource is gone by expiry (expiredAt) rather than
	// by delete (deletedAt).
	Expired bool
	// Reason is empty when disclosure withholds it.
	Reason      string
	Alternative string
	// Location is the moved resource's new id.
	Location string
	// RetryAfter is when an unavailable resource is expected back.
	RetryAfter time.Time
	// Sunset is a live resource's scheduled expiry (RFC 8594).
	Sunset time.Time
	// Deprecation is when a live resource was deprecated (RFC 9745).
	Deprecation time.Time
	// MaxAge is the cache lifetime for a 404 or 410.
	MaxAge time.Duration
	// Path is the way through the flowchart, for explain.
	Path []Step
	// Until is the first instant at which the same input could decide
	// otherwise: the next time boundary of the record (an expiry, the end
	// of a trash window or of an unavailability, a reuse quarantine). A
	// reader may reuse the answer, for the same caller and policy, before
	// it. It is zero for an answer that changes as time passes (a 503's
	// Retry-After counts down) and Forever when no time changes it.
	Until time.Time
}

// Forever is the Until of an answer no passing time changes.
var Forever = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// UndecidableRetry is the Retry-After given when the store did not answer.
const UndecidableRetry = 5 * time.Second

// Decide is gone's one decision: the seeds' flowchart as a pure function of
// (record or tombstone, time, caller, policy). Every reader of an id (the
// HTTP API, explain, the proxy) calls it; none decides a status itself.
func Decide(in Input) Decision {
	d := decide(in)
	if d.Answer != AnswerUnavailable {
		d.Until = in.Record.nextChange(in.Now, in.Policy.ReuseAfter)
	}
	return d
}

// nextChange is the first instant after now at which the record's state,
// or its reuse quarantine (reuseAfter past a retirement), can change;
// Forever when none can. Every time the record holds counts, even one that
// cannot matter in its present state: an answer reused too briefly costs
// a lookup, one reused too long would be wrong.
func (r *Record) nextChange(now time.Time, reuseAfter time.Duration) time.Time {
	next := Forever
	if r == nil {
		return next
	}
	consider := func(t time.Time) {
		if !t.IsZero() && t.After(now) && t.Before(next) {
			next = t
		}
	}
	for _, t := range [...]time.Time{r.DeletedAt, r.RestorableUntil, r.ExpiresAt, r.UnavailableUntil, r.DeprecatedAt} {
		consider(t)
		if reuseAfter > 0 && !t.IsZero() {
			consider(t.Add(reuseAfter))
		}
	}
	return next
}

func decide(in Input) Decision {
	d := Decision{State: in.Record.State(in.Now)}
	step := func(q, a string) {
		if !in.WithoutPath {
			d.Path = append(d.Path, Step{q, a})
		}
	}

	// Permission before existence: an anonymous caller of a private
	// collection learns nothing about any id.
	if in.Policy.Private && in.Caller.Anonymous() {
		step("May the caller read the collection?", "No: a token is required")
		d.Answer = AnswerUnauthorized
		return d
	}
	if in.StoreFailed {
		// Never 404 or 410 when unsure.
		step("Did the store answer?", "No: the answer is unknown, try again")
		d.Answer = AnswerUnavailable
		d.RetryAfter = in.Now.Add(UndecidableRetry)
		return d
	}

	r := in.Record
	switch d.State {
	case StateLive, StateUnavailable:
		step("Resource exists?", "Yes")
		if d.State == StateUnavailable {
			step("Available now?", "No: temporarily unavailable")
			d.Answer = AnswerUnavailable
			d.RetryAfter = r.UnavailableUntil
			return d
		}
		d.Answer = AnswerOK
		d.Record = r
		d.Sunset = r.ExpiresAt
		d.Alternative = r.Alternative
		d.Deprecation = r.DeprecatedAt
		return d
	case StateMoved:
		step("Resource exists?", "No")
		step("Ever existed?", "Yes, moved")
		d.Answer = AnswerMoved
		d.Location = r.MovedTo
		return d
	case StateAbsent:
		step("Resource exists?", "No")
		step("Ever existed?", "Never")
		d.Answer = AnswerNotFound
		d.MaxAge = in.Policy.NotFoundMaxAge
		return d
	case StateDeleted:
		step("Resource exists?", "No")
		step("Ever existed?", "Yes, deleted")
		if !in.WithoutPath {
			step("Permanent deletion?", "No: soft-deleted, restorable until "+r.RestorableUntil.UTC().Format(time.RFC3339))
		}
		// Byte-identical to never-existed, for admins too: the resource
		// URL answers only a representation or a problem, so each status
		// has one body shape. Admins see the trash through the id's
		// lifecycle view and the trash listing, never here.
		d.Answer = AnswerNotFound
		d.MaxAge = in.Policy.NotFoundMaxAge
		return d
	}

	// Gone or expired.
	step("Resource exists?", "No")
	if d.State == StateExpired {
		step("Ever existed?", "Yes, expired")
	} else {
		step("Ever existed?", "Yes, deleted")
	}
	if d.State == StateGone && !r.RestorableUntil.IsZero() && !in.WithoutPath {
		step("Permanent deletion?", "Yes: the restore window passed on "+r.RestorableUntil.UTC().Format(time.RFC3339))
	} else {
		step("Permanent deletion?", "Yes")
	}
	if in.Policy.ReusableAt(r, in.Now) {
		step("Id reuse quarantine passed?", "Yes: the id is free again")
		d.Answer = AnswerNotFound
		d.MaxAge = in.Policy.NotFoundMaxAge
		return d
	}
	if in.Policy.Disclosure == DiscloseConceal && !in.Caller.Can(ScopeAdmin, in.Policy.Collection) {
		step("May the public learn it existed?", "No: the collection conceals retired ids")
		d.Answer = AnswerNotFound
		d.MaxAge = in.Policy.NotFoundMaxAge
		return d
	}
	// Expired is set only with the 410 itself, so a concealed or reusable
	// id's 404 carries nothing that tells it from one that never existed.
	d.Answer = AnswerGone
	d.MaxAge = in.Policy.GoneMaxAge
	d.RetiredAt = r.RetiredAt()
	d.Expired = d.State == StateExpired
	d.Alternative = r.Alternative
	if in.Caller.Can(ScopeAdmin, in.Policy.Collection) || in.Policy.Disclosure != DiscloseMinimal {
		d.Reason = r.Reason
	}
	return d
}
