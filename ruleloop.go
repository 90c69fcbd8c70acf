package gone

import (
	"context"
	"strings"
	"time"
)

// maxTxLoopMoves is the number of moves in one change up to which the loop
// check follows each move with point reads in the change's transaction.
// A larger change (an import) is checked against the whole list, read once
// before the transaction: a point read per prefix length per hop would
// cost more than reading the list.
const maxTxLoopMoves = 1000

// maxLoopHops bounds the hops the point-read check follows from one move.
const maxLoopHops = 64

// countMoves is the number of moved specs.
func countMoves(specs []RuleSpec) int {
	n := 0
	for _, s := range specs {
		if s.Action == RuleMoved {
			n++
		}
	}
	return n
}

// loopError refuses the spec whose move closes a loop.
func loopError(specs []RuleSpec, f RuleFinding) error {
	for i, s := range specs {
		if s.Action == RuleMoved && containsKey(f.Hops, s.RuleKey.String()) {
			return LineError(s, i, invalid("to", "the moves make a loop: "+strings.Join(f.Hops, " → ")))
		}
	}
	return invalid("to", "the moves make a loop: "+strings.Join(f.Hops, " → "))
}

func containsKey(hops []string, k string) bool {
	for _, h := range hops {
		if h == k {
			return true
		}
	}
	return false
}

// mergeSpecs is cur with specs applied: a spec replaces the rule of its
// key. It returns the merged list and, per spec, its index in it.
func mergeSpecs(cur, specs []RuleSpec) ([]RuleSpec, []int) {
	at := make(map[RuleKey]int, len(cur)+len(specs))
	merged := make([]RuleSpec, 0, len(cur)+len(specs))
	for _, s := range cur {
		at[s.RuleKey] = len(merged)
		merged = append(merged, s)
	}
	idx := make([]int, len(specs))
	for i, s := range specs {
		if j, ok := at[s.RuleKey]; ok {
			merged[j], idx[i] = s, j
			continue
		}
		at[s.RuleKey], idx[i] = len(merged), len(merged)
		merged = append(merged, s)
	}
	return merged, idx
}

// checkLoopsInList refuses specs that close a loop in the whole list.
func checkLoopsInList(cur, specs []RuleSpec) error {
	merged, idx := mergeSpecs(cur, specs)
	mine := make(map[string]bool, len(idx))
	for _, j := range idx {
		mine[merged[j].RuleKey.String()] = true
	}
	for _, f := range CheckRules(merged) {
		if f.Kind != FindingLoop {
			continue
		}
		for _, h := range f.Hops {
			if mine[h] {
				return loopError(specs, f)
			}
		}
	}
	return nil
}

// checkLoopsInTx refuses a move of specs that closes a loop, following
// each move through specs and the rules in the store, read in tx (so a
// concurrent change cannot slip a loop in).
func (s *Service) checkLoopsInTx(ctx context.Context, tx Tx, specs []RuleSpec, now time.Time) error {
	batch := make(map[RuleKey]RuleSpec, len(specs))
	for _, sp := range specs {
		batch[sp.RuleKey] = sp
	}
	cache := map[RuleKey]*RuleSpec{}
	lookup := func(k RuleKey) (*RuleSpec, error) {
		if sp, ok := batch[k]; ok {
			return &sp, nil
		}
		if sp, ok := cache[k]; ok {
			return sp, nil
		}
		rec, err := get(ctx, tx, RulesCollection, k.ID())
		if err != nil {
			return nil, err
		}
		var found *RuleSpec
		if rec != nil {
			sp, ok := RuleSpecOf(rec, now)
			if !ok {
				sp = RuleSpec{RuleKey: k, Action: RuleClear}
			}
			found = &sp
		}
		cache[k] = found
		return found, nil
	}
	match := func(path string) (*RuleSpec, error) {
		if sp, err := lookup(RuleKey{Path: path}); sp != nil || err != nil {
			return sp, err
		}
		for n := len(path); n >= 1; n-- {
			if sp, err := lookup(RuleKey{Path: path[:n], Prefix: true}); sp != nil || err != nil {
				return sp, err
			}
		}
		return nil, nil
	}
	for _, start := range specs {
		if start.Action != RuleMoved {
			continue
		}
		hops := []string{start.RuleKey.String()}
		cur := start
		for len(hops) <= maxLoopHops {
			p, ok := localTarget(cur.To)
			if !ok {
				break
			}
			next, err := match(p)
			if err != nil {
				return err
			}
			if next == nil {
				break
			}
			k := next.RuleKey.String()
			if i := indexOf(hops, k); i >= 0 {
				cycle := append(hops[i:], k)
				if i == 0 {
					return loopError(specs, RuleFinding{Hops: cycle})
				}
				break // a loop further on, not closed by this move
			}
			hops = append(hops, k)
			if next.Action != RuleMoved {
				break
			}
			cur = *next
		}
	}
	return nil
}

func indexOf(hops []string, k string) int {
	for i, h := range hops {
		if h == k {
			return i
		}
	}
	return -1
}

// localTarget is the normalized path of a move's target on this site, or
// false for another site.
func localTarget(to string) (string, bool) {
	if !strings.HasPrefix(to, "/") || strings.HasPrefix(to, "//") {
		return "", false
	}
	if j := strings.IndexAny(to, "?#"); j >= 0 {
		to = to[:j]
	}
	if n, err := NormalizePath(to); err == nil {
		to = n
	}
	return to, true
}

// checkLoops refuses a change whose moves close a loop: in the
// transaction for a small change, or against the list already read
// (cur) for a large one.
func (s *Service) checkLoops(ctx context.Context, tx Tx, specs []RuleSpec, cur []RuleSpec, now time.Time) error {
	switch n := countMoves(specs); {
	case n == 0:
		return nil
	case cur != nil:
		return checkLoopsInList(cur, specs)
	default:
		return s.checkLoopsInTx(ctx, tx, specs, now)
	}
}
