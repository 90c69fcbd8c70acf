package gonehttp

import (
	"time"

	"github.com/gonehttp/gone"
)

// rule is a rule's record as the table keeps it, about half a
// gone.Record's size: times as Unix nanoseconds rather than time.Time
// (24 bytes each, seven of them), the collection implied, and the strings
// that repeat across a gone list (reason, who deleted) shared. A gone list
// of a million rules is a million of these; the record is rebuilt only
// when a rule's answers are built (once per rule until its next change).
type rule struct {
	id, reason, alternative, deletedBy, movedTo string
	data                                        []byte
	version                                     int64
	created, updated, deleted, restorable       int64
	expires, unavailable, deprecated            int64
}

// strings shares equal strings across the rules of one load.
type stringPool map[string]string

func (p stringPool) of(s string) string {
	if s == "" || p == nil {
		return s
	}
	if v, ok := p[s]; ok {
		return v
	}
	p[s] = s
	return s
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// compactRule keeps what rec says of a rule.
func compactRule(rec *gone.Record, pool stringPool) rule {
	return rule{
		id: rec.ID, reason: pool.of(rec.Reason), alternative: pool.of(rec.Alternative), deletedBy: pool.of(rec.DeletedBy),
		movedTo: rec.MovedTo, data: rec.Data, version: rec.Version,
		created: nanos(rec.CreatedAt), updated: nanos(rec.UpdatedAt), deleted: nanos(rec.DeletedAt), restorable: nanos(rec.RestorableUntil),
		expires: nanos(rec.ExpiresAt), unavailable: nanos(rec.UnavailableUntil), deprecated: nanos(rec.DeprecatedAt),
	}
}

// record is the rule's record again.
func (c *rule) record() *gone.Record {
	return &gone.Record{
		Collection: gone.RulesCollection, ID: c.id, Data: c.data, Version: c.version,
		CreatedAt: fromNanos(c.created), UpdatedAt: fromNanos(c.updated), DeletedAt: fromNanos(c.deleted),
		RestorableUntil: fromNanos(c.restorable), Reason: c.reason, Alternative: c.alternative, DeletedBy: c.deletedBy,
		ExpiresAt: fromNanos(c.expires), MovedTo: c.movedTo, UnavailableUntil: fromNanos(c.unavailable), DeprecatedAt: fromNanos(c.deprecated),
	}
}
