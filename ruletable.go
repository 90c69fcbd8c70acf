package gone

import (
	"slices"
	"strings"
)

// RuleTable finds the rule for a normalized path: the exact rule, else the
// rule with the longest matching prefix. It is built once and only read
// after, so any number of goroutines may Match at once; a change builds a
// new table (see With). V is what a caller keeps per rule: the record, or
// the record with its prebuilt answers.
type RuleTable[V any] struct {
	exact  map[string]V
	prefix map[string]V
	// lengths are the distinct prefix lengths, longest first: a match
	// probes the prefix map once per length, whatever the number of rules.
	lengths []int
}

// NewRuleTable returns an empty table.
func NewRuleTable[V any]() *RuleTable[V] {
	return &RuleTable[V]{exact: map[string]V{}, prefix: map[string]V{}}
}

// Len is the number of rules.
func (t *RuleTable[V]) Len() int { return len(t.exact) + len(t.prefix) }

// Match returns the value of the rule for path and its key.
func (t *RuleTable[V]) Match(path string) (v V, key RuleKey, ok bool) {
	if v, ok := t.exact[path]; ok {
		return v, RuleKey{Path: path}, true
	}
	for _, n := range t.lengths {
		if n > len(path) {
			continue
		}
		if v, ok := t.prefix[path[:n]]; ok {
			return v, RuleKey{Path: path[:n], Prefix: true}, true
		}
	}
	return v, key, false
}

// Lookup returns the rule that answers a normalized request path, after
// checking every reading an upstream may give it (Readings): when two
// readings have different rules (or one has a rule and another none), a
// spelling ("/old.html;x", "/secret%3Bx/data") could reach a retired path
// at some upstream while the rules look at another, and Lookup returns
// EINVALID. Otherwise the rule is the one the path itself matches, and
// the path is what the caller forwards.
func (t *RuleTable[V]) Lookup(path string) (v V, key RuleKey, ok bool, err error) {
	v, key, ok = t.Match(path)
	if !strings.ContainsAny(path, ";%") {
		return v, key, ok, nil
	}
	for _, r := range Readings(path)[1:] {
		_, k, found := t.Match(r)
		if found != ok || k != key {
			var zero V
			return zero, RuleKey{}, false, pathErr(`has ";" path parameters or escapes that servers read in different ways, ` +
				`and the readings are not answered alike; write the path without them`)
		}
	}
	return v, key, ok, nil
}

// Get returns the value of one rule.
func (t *RuleTable[V]) Get(k RuleKey) (V, bool) {
	if k.Prefix {
		v, ok := t.prefix[k.Path]
		return v, ok
	}
	v, ok := t.exact[k.Path]
	return v, ok
}

// Each calls fn for every rule, in no order.
func (t *RuleTable[V]) Each(fn func(RuleKey, V)) {
	for p, v := range t.exact {
		fn(RuleKey{Path: p}, v)
	}
	for p, v := range t.prefix {
		fn(RuleKey{Path: p, Prefix: true}, v)
	}
}

// With returns a new table with the given rules set (or, where remove
// says so, removed); t itself is unchanged, so readers of t are never
// disturbed.
func (t *RuleTable[V]) With(set map[RuleKey]V, remove []RuleKey) *RuleTable[V] {
	n := &RuleTable[V]{exact: make(map[string]V, len(t.exact)), prefix: make(map[string]V, len(t.prefix))}
	for k, v := range t.exact {
		n.exact[k] = v
	}
	for k, v := range t.prefix {
		n.prefix[k] = v
	}
	for _, k := range remove {
		if k.Prefix {
			delete(n.prefix, k.Path)
		} else {
			delete(n.exact, k.Path)
		}
	}
	for k, v := range set {
		if k.Prefix {
			n.prefix[k.Path] = v
		} else {
			n.exact[k.Path] = v
		}
	}
	for p := range n.prefix {
		n.lengths = append(n.lengths, len(p))
	}
	slices.Sort(n.lengths)
	n.lengths = slices.Compact(n.lengths)
	slices.Reverse(n.lengths)
	return n
}

// Matches reports whether the rule k applies to the normalized path.
func (k RuleKey) Matches(path string) bool {
	if k.Prefix {
		return strings.HasPrefix(path, k.Path)
	}
	return path == k.Path
}
