package gone

import "slices"

// Scope is one thing a token may do. Scopes nest: write includes read, and
// admin includes write.
type Scope string

// The scopes.
const (
	// ScopeRead reads resources, private collections included.
	ScopeRead Scope = "read"
	// ScopeWrite also creates, changes, deletes, restores and moves them.
	ScopeWrite Scope = "write"
	// ScopeAdmin also sees the trash, tombstone reasons that disclosure
	// withholds, lifecycle views, the audit log and explain, and (without
	// a collection restriction) manages tokens.
	ScopeAdmin Scope = "admin"
)

// rank orders the scopes by what they include; 0 is no known scope.
func (s Scope) rank() int {
	switch s {
	case ScopeRead:
		return 1
	case ScopeWrite:
		return 2
	case ScopeAdmin:
		return 3
	}
	return 0
}

// Caller is who is asking: a token's name and what it may do.
type Caller struct {
	// Name is the token's name; "" for an anonymous caller. The audit
	// records it as the actor.
	Name string
	// Scopes are what the token may do; an anonymous caller has none.
	Scopes []Scope
	// Collections restricts the token to these collections; nil (or
	// empty) means every collection.
	Collections []string
}

// Anonymous reports whether the caller presented no token.
func (c Caller) Anonymous() bool { return c.Name == "" }

// Can reports whether the caller holds scope (or one that includes it) on
// collection. A collection of "" asks about something that is not one
// collection's (the audit log, explain, tokens): only a token restricted to
// no collection may.
func (c Caller) Can(scope Scope, collection string) bool {
	if !c.holds(scope) {
		return false
	}
	if len(c.Collections) == 0 {
		return true
	}
	return collection != "" && slices.Contains(c.Collections, collection)
}

// Covers reports whether the caller's token may be used on collection at
// all, whatever the scope.
func (c Caller) Covers(collection string) bool {
	return len(c.Collections) == 0 || slices.Contains(c.Collections, collection)
}

func (c Caller) holds(scope Scope) bool {
	want := scope.rank()
	for _, s := range c.Scopes {
		if want > 0 && s.rank() >= want {
			return true
		}
	}
	return false
}
