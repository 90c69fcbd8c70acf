package client

import (
	"encoding/json"
	"time"
)

// Lifecycle is an admin's view of one resource: its state and every
// lifecycle fact, with the payload while there is one.
type Lifecycle struct {
	Collection       string          `json:"collection"`
	ID               string          `json:"id"`
	State            string          `json:"state"`
	Version          int64           `json:"version"`
	CreatedAt        time.Time       `json:"createdAt,omitzero"`
	UpdatedAt        time.Time       `json:"updatedAt,omitzero"`
	DeletedAt        time.Time       `json:"deletedAt,omitzero"`
	RestorableUntil  time.Time       `json:"restorableUntil,omitzero"`
	DeletedBy        string          `json:"deletedBy,omitempty"`
	Reason           string          `json:"reason,omitempty"`
	ReasonCode       string          `json:"reasonCode,omitempty"`
	Alternative      string          `json:"alternative,omitempty"`
	ExpiresAt        time.Time       `json:"expiresAt,omitzero"`
	MovedTo          string          `json:"movedTo,omitempty"`
	UnavailableUntil time.Time       `json:"unavailableUntil,omitzero"`
	DeprecatedAt     time.Time       `json:"deprecatedAt,omitzero"`
	Erased           bool            `json:"erased,omitempty"`
	Data             json.RawMessage `json:"data,omitempty"`
	// History is the id's audit trail; only Client.Lifecycle fills it.
	History []AuditEvent `json:"history,omitempty"`
}

// AuditEvent is one lifecycle change: who, when, what and why.
type AuditEvent struct {
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	Collection string    `json:"collection"`
	ID         string    `json:"id"`
	Reason     string    `json:"reason,omitempty"`
	Detail     string    `json:"detail,omitempty"`
}

// Explanation is the server's account of how it decides a path: the
// branches taken through the seeds' flowchart, and what a public caller
// and an admin are answered.
type Explanation struct {
	Path       string  `json:"path"`
	Collection string  `json:"collection"`
	ID         string  `json:"id"`
	State      string  `json:"state"`
	Steps      []Step  `json:"steps"`
	Public     Verdict `json:"public"`
	Admin      Verdict `json:"admin"`
}

// Step is one branch of the decision.
type Step struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// Verdict is the answer one kind of caller gets.
type Verdict struct {
	Status   int    `json:"status"`
	Answer   string `json:"answer"`
	Location string `json:"location,omitempty"`
}

// Change is one field of a partial update: Set false leaves the field
// alone, Set with the zero Value clears it.
type Change[T any] struct {
	Set   bool
	Value T
}

// SetTo returns a change that sets a field to v.
func SetTo[T any](v T) Change[T] { return Change[T]{Set: true, Value: v} }

// Clear returns a change that clears a field.
func Clear[T any]() Change[T] { return Change[T]{Set: true} }

// LifecycleChange is a partial update of a resource's lifecycle.
type LifecycleChange struct {
	ExpiresAt        Change[time.Time]
	UnavailableUntil Change[time.Time]
	DeprecatedAt     Change[time.Time]
	Alternative      Change[string]
}

// MarshalJSON encodes the change as the server's merge patch: set fields
// as values, cleared fields as null, others absent.
func (l LifecycleChange) MarshalJSON() ([]byte, error) {
	m := map[string]any{}
	for name, t := range map[string]Change[time.Time]{
		"expiresAt": l.ExpiresAt, "unavailableUntil": l.UnavailableUntil, "deprecatedAt": l.DeprecatedAt,
	} {
		switch {
		case !t.Set:
		case t.Value.IsZero():
			m[name] = nil
		default:
			m[name] = t.Value.UTC().Format(time.RFC3339)
		}
	}
	if l.Alternative.Set {
		if l.Alternative.Value == "" {
			m["alternative"] = nil
		} else {
			m["alternative"] = l.Alternative.Value
		}
	}
	return json.Marshal(m)
}
