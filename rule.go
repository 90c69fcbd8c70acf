package gone

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// RulesCollection is the internal collection that holds path rules: the
// lifecycle of the paths of a site or API that gone sits in front of (the
// proxy) or inside (the gonehttp middleware).
//
// A rule is a Record like any other, with the same states, transitions,
// audit events and tombstone facts, so the one decision (Decide) answers
// for it. Its id is the rule's key (see RuleKey.ID), which is not a
// resource id: the name starts with "_", which no configured collection may,
// so /api/… never serves it and no config can claim it.
const RulesCollection = "_rules"

// RulePolicy is the policy of every rule: retired paths are disclosed in
// full and never reused, and a soft-removed path stays restorable for 30
// days before it answers 410.
var RulePolicy = Policy{
	Collection:     RulesCollection,
	RestoreWindow:  30 * 24 * time.Hour,
	Disclosure:     DiscloseFull,
	NotFoundMaxAge: DefaultNotFoundMaxAge,
	GoneMaxAge:     DefaultGoneMaxAge,
	Texts: map[string]Texts{
		"en": {Noun: "Page", NotFound: "Nothing exists at {id}",
			Deleted: "This page was permanently removed on {date}",
			Expired: "This page has expired and is no longer available"},
		"es": {Noun: "La página", NotFound: "No existe nada en {id}",
			Deleted: "Esta página fue eliminada permanentemente el {date}",
			Expired: "Esta página ha expirado y ya no está disponible"},
	},
}

// RuleKey names a rule: a normalized path, matched exactly or as a prefix
// of the request path (string prefix, as nginx's "location ^~" does).
type RuleKey struct {
	Path   string `json:"path"`
	Prefix bool   `json:"prefix"`
}

// ID is the rule's record id: "=" and the path for an exact rule, "^" and
// the path for a prefix rule (nginx's own marks).
func (k RuleKey) ID() string {
	if k.Prefix {
		return "^" + k.Path
	}
	return "=" + k.Path
}

// String is the key as people write it: the path, with "*" after a prefix.
func (k RuleKey) String() string {
	if k.Prefix {
		return k.Path + "*"
	}
	return k.Path
}

// ParseRuleID is the inverse of RuleKey.ID.
func ParseRuleID(id string) (RuleKey, bool) {
	if len(id) < 2 || (id[0] != '=' && id[0] != '^') || id[1] != '/' {
		return RuleKey{}, false
	}
	return RuleKey{Path: id[1:], Prefix: id[0] == '^'}, true
}

// ParseRuleKey reads a rule key as people write it: a path, matched
// exactly, or a path ending in "*", matched as a prefix. The path is
// normalized (RulePath).
func ParseRuleKey(s string) (RuleKey, error) {
	k := RuleKey{}
	if p, ok := strings.CutSuffix(s, "*"); ok {
		k.Prefix, s = true, p
	}
	p, err := RulePath(s)
	if err != nil {
		return k, err
	}
	k.Path = p
	return k, nil
}

// RuleAction is what a rule makes a path answer.
type RuleAction string

// Rule actions.
const (
	// RuleGone: 410 from At (now when zero; a future At schedules an
	// expiry: Sunset until then), with Reason and Alternative.
	RuleGone RuleAction = "gone"
	// RuleMoved: a redirect to To, 308 unless Status is 301.
	RuleMoved RuleAction = "moved"
	// RuleUnavailable: 503 with Retry-After until At.
	RuleUnavailable RuleAction = "unavailable"
	// RuleRemoved: 404 and restorable for RulePolicy.RestoreWindow, then 410.
	RuleRemoved RuleAction = "removed"
	// RuleClear: back to the upstream. A path that answered 410 cannot be
	// cleared: permanence.
	RuleClear RuleAction = "clear"
)

// RuleSpec is a rule as written by a person or an import: what the path
// should answer from now on.
type RuleSpec struct {
	RuleKey
	Action      RuleAction `json:"action"`
	At          time.Time  `json:"at,omitzero"`
	To          string     `json:"to,omitempty"`
	Status      int        `json:"status,omitempty"`
	Reason      string     `json:"reason,omitempty"`
	Alternative string     `json:"alternative,omitempty"`
	// Line is where an import read the rule, for its errors; 0 otherwise.
	Line int `json:"line,omitempty"`
}

// ruleData is what a rule's record keeps in Data: what the lifecycle
// fields cannot say. A 410 erases it, like any payload.
type ruleData struct {
	// Redirect is 301 for a rule imported as a 301; 0 means 308.
	Redirect int `json:"redirect,omitempty"`
}

// RedirectStatus is the status a moved rule answers: 308, or 301 where the
// rule was made so (an import of an existing 301).
func RedirectStatus(r *Record) int {
	var d ruleData
	if r != nil && r.Data != nil && json.Unmarshal(r.Data, &d) == nil && d.Redirect == 301 {
		return 301
	}
	return 308
}

// check validates a spec, normalizing its path.
func (s *RuleSpec) check(cfg *Config, now time.Time) error {
	p, err := RulePath(s.Path)
	if err != nil {
		return err
	}
	s.Path = p
	if err := cfg.checkReason(s.Reason); err != nil {
		return err
	}
	if err := checkAlternative(s.Alternative); err != nil {
		return err
	}
	if !s.At.IsZero() && (s.At.Year() < 1970 || s.At.Year() > 9999) {
		return invalid("at", "must be between years 1970 and 9999")
	}
	s.At = s.At.UTC().Truncate(time.Second)
	switch s.Action {
	case RuleGone, RuleRemoved, RuleClear:
	case RuleMoved:
		if s.To == "" {
			return invalid("to", "is required for a moved rule")
		}
		if err := checkAlternative(s.To); err != nil {
			return invalid("to", "must be a path starting with / or an http(s) URL")
		}
		if s.Status != 0 && s.Status != 301 && s.Status != 308 {
			return invalid("status", "a moved rule answers 301 or 308")
		}
	case RuleUnavailable:
		if !s.At.After(now) {
			return invalid("at", "an unavailable rule needs a time in the future")
		}
	default:
		return invalid("action", "must be gone, moved, unavailable, removed or clear")
	}
	return nil
}

// ruleTransition computes the record that makes cur answer as spec says.
// It reuses the resource transitions, so permanence and audit are the same
// as for resources: a nil record with a nil error means nothing changes.
func ruleTransition(cur *Record, spec RuleSpec, now time.Time, caller Caller) (*Record, []auditNote, error) {
	p, id := RulePolicy, spec.ID()
	base := cur
	if base == nil || base.State(now) == StateAbsent {
		// A rule for a path gone never saw: the path lived at the
		// upstream until now.
		base = &Record{Collection: RulesCollection, ID: id, Data: json.RawMessage(`{}`), CreatedAt: now, UpdatedAt: now}
	}
	state := base.State(now)
	if state == StateGone || state == StateExpired {
		return retiredRule(base, spec, p, now)
	}
	var next *Record
	var notes []auditNote
	var err error
	switch spec.Action {
	case RuleGone:
		if spec.At.After(now) {
			next, notes, err = liveRule(base, p, now, spec.ID())
			if err == nil {
				var more []auditNote
				next, more, err = lifecycleTransition(next, p, now, LifecycleChange{
					ExpiresAt:   Optional[time.Time]{true, spec.At},
					Alternative: Optional[string]{spec.Alternative != "", spec.Alternative},
				}, RulesCollection, id)
				if err == nil {
					next.Reason = spec.Reason
					notes = append(notes, more...)
				}
			}
			break
		}
		var action string
		next, action, err = deleteTransition(clearMoved(base), p, now, caller, DeleteOptions{Permanent: true, Reason: spec.Reason, Alternative: spec.Alternative}, RulesCollection, id)
		if next != nil && !spec.At.IsZero() {
			next.DeletedAt = spec.At // when the path really went
		}
		notes = []auditNote{{action, ""}}
	case RuleRemoved:
		if state == StateDeleted {
			return nil, nil, nil
		}
		var action string
		next, action, err = deleteTransition(clearMoved(base), p, now, caller, DeleteOptions{Reason: spec.Reason, Alternative: spec.Alternative}, RulesCollection, id)
		notes = []auditNote{{action, ""}}
	case RuleMoved:
		next, notes, err = liveRule(base, p, now, id)
		if err == nil {
			next.MovedTo = spec.To
			next.Data = json.RawMessage(`{}`)
			if spec.Status == 301 {
				next.Data = json.RawMessage(`{"redirect":301}`)
			}
			notes = []auditNote{{ActionMove, "moved to " + spec.To}}
		}
	case RuleUnavailable:
		next, notes, err = liveRule(base, p, now, id)
		if err == nil {
			var more []auditNote
			next, more, err = lifecycleTransition(next, p, now, LifecycleChange{UnavailableUntil: Optional[time.Time]{true, spec.At}}, RulesCollection, id)
			notes = append(notes, more...)
		}
	case RuleClear:
		if cur == nil {
			return nil, nil, Errorf(ENOTFOUND, "No rule for %s.", spec.RuleKey)
		}
		next, notes, err = liveRule(base, p, now, id)
		if len(notes) == 0 {
			return nil, nil, nil
		}
	}
	if err != nil || next == nil {
		return nil, nil, err
	}
	if cur != nil && sameRule(cur, next) {
		return nil, nil, nil
	}
	next.Version = base.Version + 1
	next.UpdatedAt = now
	return next, notes, nil
}

// liveRule returns base made live: restored from the trash, no redirect,
// no expiry or maintenance scheduled. The note says what changed.
func liveRule(base *Record, p Policy, now time.Time, id string) (*Record, []auditNote, error) {
	next := base.Clone()
	var notes []auditNote
	if base.State(now) == StateDeleted {
		var err error
		if next, err = restoreTransition(base, p, now, id); err != nil {
			return nil, nil, err
		}
		notes = append(notes, auditNote{ActionRestore, ""})
	}
	if next.MovedTo != "" {
		next.MovedTo, next.Data = "", json.RawMessage(`{}`)
		notes = append(notes, auditNote{ActionLifecycle, "redirect cleared"})
	}
	if !next.ExpiresAt.IsZero() || !next.UnavailableUntil.IsZero() {
		next.ExpiresAt, next.UnavailableUntil, next.Reason = time.Time{}, time.Time{}, ""
		notes = append(notes, auditNote{ActionLifecycle, "schedule cleared"})
	}
	return next, notes, nil
}

// clearMoved turns a moved rule back into a live one, so a delete
// transition erases it like any live path.
func clearMoved(r *Record) *Record {
	if r.MovedTo == "" {
		return r
	}
	c := r.Clone()
	c.MovedTo = ""
	return c
}

// retiredRule handles a spec for a path that already answers 410: asking
// for the same 410 again changes nothing (imports are idempotent), a new
// alternative is allowed, and anything else is refused: a path that
// answered 410 answers 410 forever.
func retiredRule(cur *Record, spec RuleSpec, p Policy, now time.Time) (*Record, []auditNote, error) {
	if spec.Action == RuleClear {
		return nil, nil, conflict(cur, "%s answers 410 since %s and always will; it cannot go back to the upstream.", spec.RuleKey, cur.RetiredAt().Format(time.RFC3339))
	}
	if spec.Action != RuleGone {
		return nil, nil, conflict(cur, "%s answers 410 since %s and always will; it cannot become %s.", spec.RuleKey, cur.RetiredAt().Format(time.RFC3339), spec.Action)
	}
	if spec.Reason != "" && spec.Reason != cur.Reason {
		return nil, nil, conflict(cur, "%s answers 410 since %s; only its alternative may change, not its reason.", spec.RuleKey, cur.RetiredAt().Format(time.RFC3339))
	}
	if spec.Alternative == "" || spec.Alternative == cur.Alternative {
		return nil, nil, nil
	}
	next, notes, err := lifecycleTransition(cur, p, now, LifecycleChange{Alternative: Optional[string]{true, spec.Alternative}}, RulesCollection, spec.ID())
	return next, notes, err
}

// sameRule reports whether two records of one rule answer alike.
func sameRule(a, b *Record) bool {
	return a.MovedTo == b.MovedTo && a.DeletedAt.Equal(b.DeletedAt) &&
		a.RestorableUntil.Equal(b.RestorableUntil) && a.Reason == b.Reason &&
		a.Alternative == b.Alternative && a.ExpiresAt.Equal(b.ExpiresAt) &&
		a.UnavailableUntil.Equal(b.UnavailableUntil) && string(a.Data) == string(b.Data)
}

// RuleOutcome is what setting one rule did.
type RuleOutcome string

// Rule outcomes.
const (
	RuleCreated   RuleOutcome = "created"
	RuleChanged   RuleOutcome = "changed"
	RuleUnchanged RuleOutcome = "unchanged"
	// RuleRefused is a dry run's word for a rule a real import would refuse.
	RuleRefused RuleOutcome = "refused"
)

// RuleImport is the summary of SetRules and ImportRules. A real import
// and a dry run use the same words: created, changed, unchanged (left
// alone) and refused.
type RuleImport struct {
	Created   int `json:"created"`
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
	// Refused counts the rules a dry run found it would refuse; a real
	// import refuses the whole file instead (an error), so it is 0 there.
	Refused int  `json:"refused"`
	DryRun  bool `json:"dryRun,omitempty"`
	// Rules is, for a dry run, every rule's line of the diff against the
	// current list, in the order sent.
	Rules []RuleDiff `json:"rules,omitempty"`
	// Findings are the chains, moves to retired paths and shadowed rules
	// that the imported rules take part in (loops are refused).
	Findings []RuleFinding `json:"findings,omitempty"`
	// Flattened are the moves that --flatten rewrote.
	Flattened []RuleDiff `json:"flattened,omitempty"`
	// ReasonsAsText counts, per reason, the code-shaped reasons that are
	// not in the catalog and were kept as free text.
	ReasonsAsText map[string]int `json:"reasonsAsText,omitempty"`
}

// RuleDiff is one rule of an import's diff: what the path answered and
// what it would answer (or why the rule is refused).
type RuleDiff struct {
	Key     string      `json:"key"`
	Line    int         `json:"line,omitempty"`
	Outcome RuleOutcome `json:"outcome"`
	Was     string      `json:"was,omitempty"`
	Now     string      `json:"now,omitempty"`
	Error   string      `json:"error,omitempty"`
}

func (s *Service) checkRuleWriter(caller Caller) error {
	// Rules are the whole site's, not one collection's: only a token
	// with the admin scope on every collection may change them.
	if !caller.Can(ScopeAdmin, "") {
		return Errorf(EFORBIDDEN, "Changing path rules needs an admin token not restricted to collections.")
	}
	return nil
}

// SetRule makes one path answer as spec says, audited as caller. It
// returns ECONFLICT (with the record) for a path that answers 410 and is
// asked to answer anything else.
func (s *Service) SetRule(ctx context.Context, caller Caller, spec RuleSpec) (*Record, RuleOutcome, error) {
	var rec *Record
	var out RuleOutcome
	_, err := s.SetRules(ctx, caller, []RuleSpec{spec}, func(r *Record, o RuleOutcome) { rec, out = r, o })
	return rec, out, err
}

// SetRules applies specs in one transaction: all of them, or, on the first
// error, none. Every change is audited as caller with the spec's reason;
// a spec that changes nothing writes nothing, so the same import runs
// twice without a trace. each, when not nil, sees every rule's record and
// outcome after the commit. An error of one spec names its line (or its
// index from 1 when Line is 0) in the error's Fields. A move that would
// close a loop is refused (EINVALID, the cycle in the message).
func (s *Service) SetRules(ctx context.Context, caller Caller, specs []RuleSpec, each func(*Record, RuleOutcome)) (RuleImport, error) {
	if err := s.checkRuleWriter(caller); err != nil {
		return RuleImport{}, err
	}
	now := s.writeNow()
	for i := range specs {
		if err := specs[i].check(s.config, now); err != nil {
			return RuleImport{}, LineError(specs[i], i, err)
		}
	}
	var cur []RuleSpec
	if countMoves(specs) > maxTxLoopMoves {
		var err error
		if cur, _, err = s.RuleSpecs(ctx); err != nil {
			return RuleImport{}, err
		}
	}
	return s.applyRules(ctx, caller, specs, cur, now, false, each)
}

// errDryRun ends a dry run's transaction: everything it did is rolled back.
var errDryRun = errors.New("dry run")

// applyRules runs the transitions of checked specs in one transaction. A
// dry run runs the same transaction to the end, counting and recording
// every rule's outcome and error, and rolls it back.
func (s *Service) applyRules(ctx context.Context, caller Caller, specs, cur []RuleSpec, now time.Time, dryRun bool, each func(*Record, RuleOutcome)) (RuleImport, error) {
	var sum RuleImport
	type result struct {
		rec *Record
		out RuleOutcome
	}
	var results []result
	// Bounded like every write, with room for a large import: one
	// WriteTimeout per thousand rules.
	wctx := ctx
	if s.writeTimeout > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, s.writeTimeout*time.Duration(1+len(specs)/1000))
		defer cancel()
	}
	err := s.store.Update(wctx, func(tx Tx) error {
		sum, results = RuleImport{DryRun: dryRun}, results[:0]
		if err := s.checkLoops(wctx, tx, specs, cur, now); err != nil {
			return err
		}
		for i, spec := range specs {
			cur, err := get(wctx, tx, RulesCollection, spec.ID())
			if err != nil {
				return err
			}
			next, notes, err := ruleTransition(cur, spec, now, caller)
			if err != nil {
				if dryRun && ErrorCode(err) != EINTERNAL && ErrorCode(err) != EUNAVAILABLE {
					sum.Refused++
					sum.Rules = append(sum.Rules, diffOf(cur, nil, spec, RuleRefused, now, err))
					continue
				}
				return LineError(spec, i, err)
			}
			switch {
			case next == nil:
				sum.Unchanged++
				results = append(results, result{cur, RuleUnchanged})
			case cur == nil:
				sum.Created++
				results = append(results, result{next, RuleCreated})
			default:
				sum.Changed++
				results = append(results, result{next, RuleChanged})
			}
			if dryRun {
				r := results[len(results)-1]
				sum.Rules = append(sum.Rules, diffOf(cur, r.rec, spec, r.out, now, nil))
			}
			if next == nil {
				continue
			}
			if err := tx.Put(wctx, next); err != nil {
				return err
			}
			for _, n := range notes {
				if err := s.audit(wctx, tx, caller, next, n.action, spec.Reason, n.detail); err != nil {
					return err
				}
			}
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if dryRun && errors.Is(err, errDryRun) {
		return sum, nil
	}
	if err != nil {
		return RuleImport{}, err
	}
	if sum.Created+sum.Changed > 0 {
		s.notifyRulesChanged(ctx)
	}
	if each != nil {
		for _, r := range results {
			each(r.rec, r.out)
		}
	}
	return sum, nil
}

// diffOf is one line of a dry run's diff.
func diffOf(cur, next *Record, spec RuleSpec, out RuleOutcome, now time.Time, err error) RuleDiff {
	d := RuleDiff{Key: spec.RuleKey.String(), Line: spec.Line, Outcome: out, Was: "upstream"}
	if cur != nil {
		if was, ok := RuleSpecOf(cur, now); ok {
			d.Was = was.Describe(now)
		}
	}
	switch {
	case err != nil:
		d.Error = ErrorMessage(err)
	case next != nil:
		d.Now = "upstream"
		if n, ok := RuleSpecOf(next, now); ok {
			d.Now = n.Describe(now)
		}
	}
	return d
}

// LineError says which spec (by its Line, or its index i from 0) an error
// belongs to, in the message and in Fields.
func LineError(spec RuleSpec, i int, err error) error {
	where := fmt.Sprintf("line %d", spec.Line)
	if spec.Line == 0 {
		where = fmt.Sprintf("rule %d", i+1)
	}
	e := &Error{Code: ErrorCode(err), Message: where + " (" + spec.RuleKey.String() + "): " + ErrorMessage(err), Err: err}
	if ge, ok := err.(*Error); ok {
		e.Record = ge.Record
	}
	e.Fields = map[string]string{where: ErrorMessage(err)}
	return e
}

// Rules returns every rule record, in id order: the union of the lists of
// every state (live includes unavailable).
func (s *Service) Rules(ctx context.Context) ([]*Record, error) {
	var all []*Record
	if err := s.EachRule(ctx, func(r *Record) { all = append(all, r) }); err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b *Record) int { return strings.Compare(a.ID, b.ID) })
	return all, nil
}

// EachRule calls fn on every rule record, a page at a time and in no
// order, so a caller that keeps less than a record per rule (the rule
// tables of the proxy and the middleware) never holds them all at once.
func (s *Service) EachRule(ctx context.Context, fn func(*Record)) error {
	now := s.Now()
	for _, st := range []State{StateLive, StateDeleted, StateGone, StateMoved} {
		q := ListQuery{Collection: RulesCollection, State: st, Now: now, Limit: 5000}
		for {
			recs, next, err := s.store.List(ctx, q)
			if err != nil {
				return err
			}
			for _, r := range recs {
				fn(r)
			}
			if next == "" {
				break
			}
			q.After = next
		}
	}
	return nil
}

// Rule returns one rule's record, or ENOTFOUND.
func (s *Service) Rule(ctx context.Context, key RuleKey) (*Record, error) {
	rec, err := s.store.Get(ctx, RulesCollection, key.ID())
	if IsNotFound(err) {
		return nil, Errorf(ENOTFOUND, "No rule for %s.", key)
	}
	return rec, err
}

// DecideRule is Decide for a path a rule matched: the public's answer
// (the proxy never reads gone tokens from the traffic it forwards).
func DecideRule(rec *Record, now time.Time) Decision {
	return Decide(Input{Record: rec, Now: now, Policy: RulePolicy})
}

// MatchRule returns the rule that answers for the normalized path, read
// from the store (the exact rule, else the longest prefix), or a nil
// record when none does; EINVALID when the path's readings are answered
// by different rules (RuleTable.Lookup). It reads every rule: it is for
// explain, not for the request path, which keeps a table in memory.
func (s *Service) MatchRule(ctx context.Context, path string) (*Record, RuleKey, error) {
	recs, err := s.Rules(ctx)
	if err != nil {
		return nil, RuleKey{}, err
	}
	set := map[RuleKey]*Record{}
	for _, r := range recs {
		if k, ok := ParseRuleID(r.ID); ok {
			set[k] = r
		}
	}
	rec, key, _, err := NewRuleTable[*Record]().With(set, nil).Lookup(path)
	return rec, key, err
}
