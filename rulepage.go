package gone

import (
	"context"
	"slices"
	"strings"
)

// DefaultListLimit is the page size of a listing that names none.
const DefaultListLimit = 50

// MaxListLimit is the largest page a listing serves.
const MaxListLimit = 500

// RulesPage returns up to limit rule records in id order (every exact rule
// by path, then every prefix rule by path), after the id after, and the id
// to pass as after for the next page: "" exactly when nothing follows. A
// limit of zero or less is DefaultListLimit; above MaxListLimit, or an
// after that is no rule id, is EINVALID.
//
// A rule is in exactly one state at a given now, so the page is the merge
// of the first limit rules of each state's list; as pages go by id, a rule
// whose state changes between two pages is still listed exactly once.
func (s *Service) RulesPage(ctx context.Context, after string, limit int) ([]*Record, string, error) {
	if limit <= 0 {
		limit = DefaultListLimit
	}
	if limit > MaxListLimit {
		return nil, "", invalid("limit", "must be at most 500")
	}
	if _, ok := ParseRuleID(after); after != "" && !ok {
		return nil, "", invalid("cursor", "is not a cursor this server gave")
	}
	var page []*Record
	more := false
	now := s.Now()
	for _, st := range []State{StateLive, StateDeleted, StateGone, StateMoved} {
		recs, next, err := s.store.List(ctx, ListQuery{Collection: RulesCollection, State: st, Now: now, After: after, Limit: limit})
		if err != nil {
			return nil, "", err
		}
		page = append(page, recs...)
		more = more || next != ""
	}
	slices.SortFunc(page, func(a, b *Record) int { return strings.Compare(a.ID, b.ID) })
	if len(page) > limit {
		page, more = page[:limit], true
	}
	if !more || len(page) == 0 {
		return page, "", nil
	}
	return page, page[len(page)-1].ID, nil
}
