package gone

import (
	"math/rand/v2"
	"testing"
	"time"
)

// sameAnswer compares what two decisions tell a caller, leaving out Path
// and Until.
func sameAnswer(a, b Decision) bool {
	a.Path, b.Path, a.Until, b.Until = nil, nil, time.Time{}, time.Time{}
	return a.Answer == b.Answer && a.State == b.State && a.Record == b.Record &&
		a.RetiredAt.Equal(b.RetiredAt) && a.Expired == b.Expired && a.Reason == b.Reason &&
		a.Alternative == b.Alternative && a.Location == b.Location && a.RetryAfter.Equal(b.RetryAfter) &&
		a.Sunset.Equal(b.Sunset) && a.Deprecation.Equal(b.Deprecation) && a.MaxAge == b.MaxAge
}

// TestDecisionUntil checks the promise a reused answer rests on: for random
// records, policies and callers, the decision at every probed instant in
// [now, Until) is the decision at now, and at Until itself it differs
// unless Until is Forever (a boundary that changes nothing is allowed, but
// one the decision crosses before Until is a stale answer).
func TestDecisionUntil(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	offset := func() time.Time {
		if rng.IntN(3) == 0 {
			return time.Time{}
		}
		return now.Add(time.Duration(rng.IntN(7200)-3600) * time.Second)
	}
	callers := []Caller{anonymous, reader, admin}
	crossed := 0
	for i := range 20000 {
		r := &Record{Collection: "users", ID: "123", Version: 1,
			DeletedAt: offset(), RestorableUntil: offset(), ExpiresAt: offset(),
			UnavailableUntil: offset(), DeprecatedAt: offset(), Reason: "user_request"}
		if r.DeletedAt.IsZero() {
			r.RestorableUntil = time.Time{}
		}
		if rng.IntN(10) == 0 {
			r.MovedTo = "456"
		}
		if rng.IntN(8) == 0 {
			r = nil
		}
		p := testPolicy(Disclosure([]string{string(DiscloseFull), string(DiscloseMinimal), string(DiscloseConceal)}[rng.IntN(3)]), false)
		if rng.IntN(2) == 0 {
			p.ReuseAfter = time.Duration(rng.IntN(3600)) * time.Second
		}
		in := Input{Record: r, Now: now.Add(time.Duration(rng.IntN(4000)) * time.Millisecond), Caller: callers[rng.IntN(len(callers))], Policy: p, WithoutPath: true}
		d := Decide(in)
		if d.Answer == AnswerUnavailable {
			if !d.Until.IsZero() {
				t.Fatalf("case %d: a 503 (its Retry-After counts down) has Until %v", i, d.Until)
			}
			continue
		}
		if !d.Until.After(in.Now) {
			t.Fatalf("case %d: Until %v is not after now %v", i, d.Until, in.Now)
		}
		probe := in
		for _, at := range []time.Time{in.Now.Add(time.Nanosecond), in.Now.Add(time.Duration(rng.Int64N(int64(d.Until.Sub(in.Now))))), d.Until.Add(-time.Nanosecond)} {
			if at.Before(in.Now) || !at.Before(d.Until) {
				continue
			}
			probe.Now = at
			if got := Decide(probe); !sameAnswer(got, d) {
				t.Fatalf("case %d: %+v\ndecided %s at %v, Until %v; but %s at %v", i, r, d.Answer, in.Now, d.Until, got.Answer, at)
			}
		}
		if !d.Until.Equal(Forever) {
			probe.Now = d.Until
			if !sameAnswer(Decide(probe), d) {
				crossed++
			}
		}
	}
	if crossed == 0 {
		t.Fatal("no decision changed at its Until: the probe never reached a boundary")
	}
}
