package gone

import (
	"context"
	"fmt"
	"time"
)

// RuleSpecOf is the spec that makes a path answer as rec does at now: the
// inverse of SetRule, for exports and checks. ok is false for a rule that
// passes the path to the upstream and schedules nothing.
//
// A retired path is gone with At the day it went; a path that expires
// later is gone with that future At; a trashed path is removed (it answers
// 404 until its window passes, then 410).
func RuleSpecOf(rec *Record, now time.Time) (spec RuleSpec, ok bool) {
	k, ok := ParseRuleID(rec.ID)
	if !ok {
		return spec, false
	}
	spec = RuleSpec{RuleKey: k, Reason: rec.Reason, Alternative: rec.Alternative}
	switch rec.State(now) {
	case StateMoved:
		spec.Action, spec.To = RuleMoved, rec.MovedTo
		spec.Status = RedirectStatus(rec)
		spec.Reason, spec.Alternative = "", ""
	case StateGone, StateExpired:
		spec.Action, spec.At = RuleGone, rec.RetiredAt()
	case StateDeleted:
		spec.Action = RuleRemoved
	case StateUnavailable:
		spec.Action, spec.At = RuleUnavailable, rec.UnavailableUntil
	case StateLive:
		switch {
		case !rec.ExpiresAt.IsZero():
			spec.Action, spec.At = RuleGone, rec.ExpiresAt
		case !rec.UnavailableUntil.IsZero() && rec.UnavailableUntil.After(now):
			spec.Action, spec.At = RuleUnavailable, rec.UnavailableUntil
		default:
			return spec, false
		}
	default:
		return spec, false
	}
	return spec, true
}

// RuleSpecs is every rule of the live list as a spec (RuleSpecOf), in key
// order; rules that pass to the upstream are left out.
func (s *Service) RuleSpecs(ctx context.Context) ([]RuleSpec, time.Time, error) {
	now := s.Now()
	recs, err := s.Rules(ctx)
	if err != nil {
		return nil, now, err
	}
	specs := make([]RuleSpec, 0, len(recs))
	for _, r := range recs {
		if spec, ok := RuleSpecOf(r, now); ok {
			specs = append(specs, spec)
		}
	}
	return specs, now, nil
}

// Describe is a rule's answer in a few words, as a diff shows it:
// "410", "410 from 2027-01-01T00:00:00Z", "301 /new", "503 until …",
// "404 (removed)" or "upstream".
func (s RuleSpec) Describe(now time.Time) string {
	switch s.Action {
	case RuleGone:
		if s.At.After(now) {
			return "410 from " + s.At.UTC().Format(time.RFC3339)
		}
		return "410"
	case RuleMoved:
		st := s.Status
		if st == 0 {
			st = 308
		}
		return fmt.Sprintf("%d %s", st, s.To)
	case RuleUnavailable:
		return "503 until " + s.At.UTC().Format(time.RFC3339)
	case RuleRemoved:
		return "404 (removed)"
	}
	return "upstream"
}
