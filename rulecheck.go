package gone

import (
	"fmt"
	"slices"
	"strings"
)

// FindingKind names what CheckRules found.
type FindingKind string

// Finding kinds.
const (
	// FindingLoop: moves that lead back to where they started. Refused on
	// every change: a browser gives up after a few hops and Googlebot
	// after ten, so the path is simply broken.
	FindingLoop FindingKind = "loop"
	// FindingChain: a move to a path that is itself moved. Each hop costs
	// a round trip; flattening points the first move at the last target.
	FindingChain FindingKind = "chain"
	// FindingRetiredTarget: a move to a path that answers 410 or 404.
	// Flattening makes the moved path gone too.
	FindingRetiredTarget FindingKind = "retired-target"
	// FindingShadow: an exact rule under a prefix rule that answers it
	// differently. gone answers the exact rule; an edge that takes the
	// first match in file order may not.
	FindingShadow FindingKind = "shadow"
)

// RuleFinding is one thing CheckRules found.
type RuleFinding struct {
	Kind FindingKind `json:"kind"`
	// Key is the rule the finding is about (the first of a loop).
	Key string `json:"key"`
	// Hops are the paths from Key to the end of a chain, the cycle of a
	// loop (its first path repeated at the end), or, for a shadow, the
	// prefix rule above Key.
	Hops    []string `json:"hops"`
	Message string   `json:"message"`
}

// CheckRules finds loops, chains, moves to retired paths and shadowed
// rules in a set of rules (the whole list: a chain's hops may be in any
// part of it). Findings come in the order of their keys. It is linear in
// the number of rules: each move is followed once, whatever the length of
// the chains.
func CheckRules(specs []RuleSpec) []RuleFinding {
	c := newRuleChecker(specs)
	var out []RuleFinding
	for i := range c.specs {
		out = append(out, c.follow(i)...)
	}
	out = append(out, c.shadows()...)
	slices.SortStableFunc(out, func(a, b RuleFinding) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// ruleChecker follows moves through a table of the rules.
type ruleChecker struct {
	specs []RuleSpec
	table *RuleTable[int]
	// state per rule: 0 not seen, 1 on the current walk, 2 done.
	state []uint8
	// end is, for a finished move, the index of the rule its chain ends
	// at (-1: a path no rule answers, or another site); loop says the
	// chain runs into a loop.
	end  []int
	loop []bool
}

func newRuleChecker(specs []RuleSpec) *ruleChecker {
	set := make(map[RuleKey]int, len(specs))
	for i, s := range specs {
		set[s.RuleKey] = i
	}
	n := len(specs)
	return &ruleChecker{specs: specs, table: NewRuleTable[int]().With(set, nil),
		state: make([]uint8, n), end: make([]int, n), loop: make([]bool, n)}
}

// next is the rule that answers the target of move i, or -1 when its
// target is another site or a path no rule answers.
func (c *ruleChecker) next(i int) int {
	if c.specs[i].Action != RuleMoved {
		return -1
	}
	p, ok := localTarget(c.specs[i].To)
	if !ok {
		return -1
	}
	j, _, ok := c.table.Match(p)
	if !ok || c.specs[j].Action == RuleClear {
		return -1
	}
	return j
}

// follow walks the chain that starts at rule i, marking every rule on it,
// and reports what it finds on the way.
func (c *ruleChecker) follow(i int) []RuleFinding {
	if c.state[i] == 2 || c.specs[i].Action != RuleMoved {
		return nil
	}
	var walk []int
	j := i
	end, loop := -1, false
	for {
		if c.state[j] == 1 { // back on this walk: a loop from j
			cycle := walk[slices.Index(walk, j):]
			hops := make([]string, 0, len(cycle)+1)
			for _, k := range cycle {
				hops = append(hops, c.specs[k].RuleKey.String())
			}
			hops = append(hops, hops[0])
			for _, k := range walk {
				c.state[k], c.loop[k] = 2, true
			}
			return []RuleFinding{{Kind: FindingLoop, Key: hops[0], Hops: hops,
				Message: "loop: " + strings.Join(hops, " → ")}}
		}
		if c.specs[j].Action != RuleMoved {
			end = j
			break
		}
		if c.state[j] == 2 {
			end, loop = c.end[j], c.loop[j]
			break
		}
		c.state[j] = 1
		walk = append(walk, j)
		n := c.next(j)
		if n < 0 {
			end = j
			break
		}
		j = n
	}
	var out []RuleFinding
	for k := len(walk) - 1; k >= 0; k-- {
		w := walk[k]
		c.state[w], c.end[w], c.loop[w] = 2, end, loop
		if !loop {
			out = append(out, c.report(w)...)
		}
	}
	return out
}

// maxShownHops bounds the hops a finding lists.
const maxShownHops = 12

// report says what is wrong with the finished move w, if anything.
func (c *ruleChecker) report(w int) []RuleFinding {
	first := c.next(w)
	if first < 0 {
		return nil
	}
	key := c.specs[w].RuleKey.String()
	hops := []string{key}
	for j := first; j >= 0 && len(hops) < maxShownHops; {
		hops = append(hops, c.specs[j].RuleKey.String())
		if j == c.end[w] {
			break
		}
		j = c.next(j)
	}
	if last := c.specs[c.end[w]].RuleKey.String(); hops[len(hops)-1] != last {
		hops = append(hops, "…", last)
	}
	end := c.specs[c.end[w]]
	switch {
	case end.Action == RuleGone || end.Action == RuleRemoved:
		return []RuleFinding{{Kind: FindingRetiredTarget, Key: key, Hops: hops,
			Message: fmt.Sprintf("%s moves to %s, which answers %s", key, strings.Join(hops[1:], " → "), answerWord(end))}}
	case c.specs[first].Action == RuleMoved:
		// The chain ends at the last move's target: a path no rule
		// answers, or another site.
		if end.Action == RuleMoved {
			hops = append(hops, end.To)
		}
		return []RuleFinding{{Kind: FindingChain, Key: key, Hops: hops,
			Message: "chain of moves: " + strings.Join(hops, " → ")}}
	}
	return nil
}

// answerWord is how a finding names what a rule answers.
func answerWord(s RuleSpec) string {
	switch s.Action {
	case RuleGone:
		return "410"
	case RuleRemoved:
		return "404 (removed)"
	case RuleUnavailable:
		return "503"
	case RuleMoved:
		return "a move to " + s.To
	}
	return "the upstream"
}

// shadows finds exact rules under a prefix rule that answers differently.
func (c *ruleChecker) shadows() []RuleFinding {
	var out []RuleFinding
	for _, s := range c.specs {
		if s.Prefix || s.Action == RuleClear {
			continue
		}
		// The longest prefix rule over the exact path.
		var best = -1
		for _, n := range c.table.lengths {
			if n > len(s.Path) {
				continue
			}
			if j, ok := c.table.prefix[s.Path[:n]]; ok {
				best = j
				break
			}
		}
		if best < 0 {
			continue
		}
		p := c.specs[best]
		if p.Action == RuleClear || (p.Action == s.Action && p.To == s.To) {
			continue
		}
		key := s.RuleKey.String()
		out = append(out, RuleFinding{Kind: FindingShadow, Key: key, Hops: []string{p.RuleKey.String()},
			Message: fmt.Sprintf("%s answers %s under %s, which answers %s: gone answers the exact rule; an edge that takes the first match in order must list it first", key, answerWord(s), p.RuleKey, answerWord(p))})
	}
	return out
}
