package gone

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
)

// ImportOptions says how ImportRules treats a list from elsewhere.
type ImportOptions struct {
	// DryRun computes the diff against the current list and writes
	// nothing.
	DryRun bool
	// Flatten points every imported move that starts a chain at the end
	// of the chain (A→B→C becomes A→C) and makes a move to a retired path
	// gone itself (A→B→410 becomes A 410).
	Flatten bool
	// StrictReasonCodes refuses a reason that looks like a code (lower
	// case words joined by "_") but is not in the catalog. Without it,
	// such a reason is kept as free text, its "_" read as spaces
	// ("promotion_ended" answers "promotion ended"), and counted in
	// RuleImport.ReasonsAsText: a list written for another tool does not
	// know gone's catalog, and one unknown word should not stop it.
	StrictReasonCodes bool
}

// ImportRules applies a list of rules from an import: all of them or none,
// like SetRules, and says what it found on the way: the chains, moves to
// retired paths and shadowed rules the imported rules take part in (a
// loop is refused), the moves it flattened, the reasons it kept as text.
// A dry run reports the same, with every rule's line of the diff, and
// counts the rules a real import would refuse instead of stopping.
func (s *Service) ImportRules(ctx context.Context, caller Caller, specs []RuleSpec, opt ImportOptions) (RuleImport, error) {
	if err := s.checkRuleWriter(caller); err != nil {
		return RuleImport{}, err
	}
	now := s.writeNow()
	specs = slices.Clone(specs)
	var refused []RuleDiff
	asText := map[string]int{}
	ok := specs[:0]
	for i, sp := range specs {
		err := s.importReason(&sp, opt.StrictReasonCodes, asText)
		if err == nil {
			err = sp.check(s.config, now)
		}
		if err != nil {
			if !opt.DryRun {
				return RuleImport{}, LineError(sp, i, err)
			}
			refused = append(refused, RuleDiff{Key: sp.RuleKey.String(), Line: sp.Line, Outcome: RuleRefused, Error: ErrorMessage(err)})
			continue
		}
		ok = append(ok, sp)
	}
	specs = ok
	cur, _, err := s.RuleSpecs(ctx)
	if err != nil {
		return RuleImport{}, err
	}
	var flattened []RuleDiff
	if opt.Flatten {
		flattened = FlattenRules(cur, specs, now)
	}
	merged, idx := mergeSpecs(cur, specs)
	mine := make(map[string]bool, len(idx))
	for _, j := range idx {
		mine[merged[j].RuleKey.String()] = true
	}
	var findings []RuleFinding
	loops := map[string]string{}
	for _, f := range CheckRules(merged) {
		if !slices.ContainsFunc(f.Hops, func(h string) bool { return mine[h] }) && !mine[f.Key] {
			continue
		}
		if f.Kind == FindingLoop {
			for _, h := range f.Hops {
				loops[h] = f.Message
			}
			continue
		}
		findings = append(findings, f)
	}
	if len(loops) > 0 {
		ok := specs[:0]
		for i, sp := range specs {
			msg, loop := loops[sp.RuleKey.String()]
			switch {
			case !loop || sp.Action != RuleMoved:
				ok = append(ok, sp)
			case !opt.DryRun:
				return RuleImport{}, LineError(sp, i, invalid("to", "the moves make a "+msg))
			default:
				refused = append(refused, RuleDiff{Key: sp.RuleKey.String(), Line: sp.Line, Outcome: RuleRefused, Error: "Invalid to: the moves make a " + msg + "."})
			}
		}
		specs = ok
	}
	sum, err := s.applyRules(ctx, caller, specs, cur, now, opt.DryRun, nil)
	if err != nil {
		return RuleImport{}, err
	}
	sum.Refused += len(refused)
	sum.Rules = append(sum.Rules, refused...)
	slices.SortStableFunc(sum.Rules, func(a, b RuleDiff) int { return cmp.Compare(a.Line, b.Line) })
	sum.Findings, sum.Flattened = findings, flattened
	if len(asText) > 0 {
		sum.ReasonsAsText = asText
	}
	return sum, nil
}

// importReason applies the reason policy of an import to sp.
func (s *Service) importReason(sp *RuleSpec, strict bool, asText map[string]int) error {
	if !IsReasonCode(sp.Reason) {
		return nil
	}
	if _, ok := s.config.Reasons[sp.Reason]; ok {
		return nil
	}
	if strict {
		return invalid("reason", "unknown reason code "+sp.Reason+" (the import is strict about reason codes)")
	}
	asText[sp.Reason]++
	sp.Reason = strings.ReplaceAll(sp.Reason, "_", " ")
	return nil
}

// FlattenRules rewrites, in place, the moves of specs that start a chain
// (in the list cur with specs applied): A→B→C becomes A→C, and a move to
// a retired path becomes gone. It returns what it changed.
func FlattenRules(cur, specs []RuleSpec, now time.Time) []RuleDiff {
	merged, idx := mergeSpecs(cur, specs)
	c := newRuleChecker(merged)
	for i := range merged {
		c.follow(i)
	}
	var out []RuleDiff
	for i, j := range idx {
		sp := merged[j]
		first := c.next(j)
		if sp.Action != RuleMoved || c.loop[j] || first < 0 {
			continue
		}
		end := merged[c.end[j]]
		was := sp.Describe(now)
		switch {
		case end.Action == RuleGone || end.Action == RuleRemoved:
			specs[i] = RuleSpec{RuleKey: sp.RuleKey, Action: RuleGone, Line: sp.Line}
		case merged[first].Action == RuleMoved:
			last := first
			for k := c.next(last); k >= 0 && merged[k].Action == RuleMoved && k != j; k = c.next(k) {
				last = k
			}
			specs[i].To = merged[last].To
		default:
			continue
		}
		out = append(out, RuleDiff{Key: sp.RuleKey.String(), Line: sp.Line, Outcome: RuleChanged, Was: was, Now: specs[i].Describe(now)})
	}
	return out
}
