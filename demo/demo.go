// Package demo holds the seeds' world: the collections, reasons and records
// that `gone serve --demo` loads, so every exchange in the seeds can be
// tried at once.
package demo

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/config"
)

//go:embed config.json
var configJSON []byte

// Config returns the demo's collections and reason catalog.
func Config() *gone.Config {
	c, _, err := config.Parse(bytes.NewReader(configJSON))
	if err != nil {
		panic("demo config: " + err.Error()) // a test keeps it valid
	}
	return c
}

// Actor names the demo loader in the audit log.
const Actor = "demo"

type step struct {
	at  string // when it happened in the demo's history
	id  string // the record it creates; the step is skipped if it exists
	run func(ctx context.Context, s *gone.Service, admin gone.Caller) error
}

func put(coll, id, data string) func(context.Context, *gone.Service, gone.Caller) error {
	return func(ctx context.Context, s *gone.Service, c gone.Caller) error {
		_, _, err := s.Put(ctx, c, coll, id, json.RawMessage(data), gone.Preconditions{})
		return err
	}
}

// world is the seeds' story, in order.
var world = []step{
	{"2025-06-01T09:00:00Z", "promotions/summer-sale-2025", func(ctx context.Context, s *gone.Service, c gone.Caller) error {
		if err := put("promotions", "summer-sale-2025", `{"name":"Summer Sale 2025","discount":20}`)(ctx, s, c); err != nil {
			return err
		}
		_, err := s.SetLifecycle(ctx, c, "promotions", "summer-sale-2025", gone.LifecycleChange{
			ExpiresAt:   gone.Optional[time.Time]{Set: true, Value: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)},
			Alternative: gone.Optional[string]{Set: true, Value: "/api/promotions/current"},
		}, gone.Preconditions{})
		return err
	}},
	{"2025-11-01T09:00:00Z", "users/123", put("users", "123", `{"id":"123","name":"Alex Doe","email":"alex@example.com"}`)},
	{"2025-11-02T09:00:00Z", "users/42", put("users", "42", `{"id":"42","name":"Ada Lovelace","email":"ada@example.com"}`)},
	{"2025-11-03T09:00:00Z", "accounts/7", put("accounts", "7", `{"id":"7","owner":"42","plan":"pro"}`)},
	{"2026-01-05T10:30:00Z", "", func(ctx context.Context, s *gone.Service, c gone.Caller) error {
		rec, err := s.Record(ctx, "users", "123")
		if err != nil || !rec.DeletedAt.IsZero() {
			return err
		}
		_, err = s.Delete(ctx, c, "users", "123", gone.DeleteOptions{Permanent: true, Reason: "user_request"}, gone.Preconditions{})
		return err
	}},
	{"2026-06-01T09:00:00Z", "promotions/winter-sale-2026", func(ctx context.Context, s *gone.Service, c gone.Caller) error {
		// "current" leads to whichever promotion runs now: it was created
		// under that name and moved, so it answers 308 to the live one.
		if err := put("promotions", "current", `{"name":"Winter Sale 2026","discount":30}`)(ctx, s, c); err != nil {
			return err
		}
		if _, err := s.Move(ctx, c, "promotions", "current", "winter-sale-2026", gone.Preconditions{}); err != nil {
			return err
		}
		_, err := s.SetLifecycle(ctx, c, "promotions", "winter-sale-2026", gone.LifecycleChange{
			ExpiresAt: gone.Optional[time.Time]{Set: true, Value: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)},
		}, gone.Preconditions{})
		return err
	}},
}

// Load writes the demo world into svc's store where it is absent: running
// it twice changes nothing. Each step runs with the clock at the moment of
// the seeds' story, so deletedAt and expiredAt are the seeds' own.
func Load(ctx context.Context, svc *gone.Service) error {
	admin := gone.Caller{Name: Actor, Scopes: []gone.Scope{gone.ScopeAdmin}}
	for _, st := range world {
		if st.id != "" {
			coll, id, _ := strings.Cut(st.id, "/")
			if _, err := svc.Record(ctx, coll, id); err == nil {
				continue
			} else if !gone.IsNotFound(err) {
				return fmt.Errorf("demo: %w", err)
			}
		}
		at, _ := time.Parse(time.RFC3339, st.at)
		if err := st.run(ctx, svc.At(at), admin); err != nil {
			return fmt.Errorf("demo %s: %w", st.id, err)
		}
	}
	return nil
}
