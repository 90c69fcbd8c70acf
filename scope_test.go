package gone

import (
	"strings"
	"testing"
	"time"
)

func TestCallerCan(t *testing.T) {
	users := []string{"users"}
	tests := []struct {
		caller     Caller
		scope      Scope
		collection string
		want       bool
	}{
		{Caller{}, ScopeRead, "users", false},
		{Caller{Name: "r", Scopes: []Scope{ScopeRead}}, ScopeRead, "users", true},
		{Caller{Name: "r", Scopes: []Scope{ScopeRead}}, ScopeWrite, "users", false},
		{Caller{Name: "w", Scopes: []Scope{ScopeWrite}}, ScopeRead, "users", true},
		{Caller{Name: "w", Scopes: []Scope{ScopeWrite}}, ScopeAdmin, "users", false},
		{Caller{Name: "a", Scopes: []Scope{ScopeAdmin}}, ScopeWrite, "users", true},
		{Caller{Name: "a", Scopes: []Scope{ScopeAdmin}}, ScopeAdmin, "", true},
		{Caller{Name: "u", Scopes: []Scope{ScopeAdmin}, Collections: users}, ScopeAdmin, "users", true},
		{Caller{Name: "u", Scopes: []Scope{ScopeAdmin}, Collections: users}, ScopeRead, "orders", false},
		{Caller{Name: "u", Scopes: []Scope{ScopeAdmin}, Collections: users}, ScopeAdmin, "", false},
		{Caller{Name: "x", Scopes: []Scope{"root"}}, ScopeRead, "users", false},
		{Caller{Name: "x", Scopes: []Scope{ScopeAdmin}}, "root", "users", false},
	}
	for _, tt := range tests {
		if got := tt.caller.Can(tt.scope, tt.collection); got != tt.want {
			t.Errorf("%+v.Can(%q, %q) = %v, want %v", tt.caller, tt.scope, tt.collection, got, tt.want)
		}
	}
}

func TestValidTokenName(t *testing.T) {
	for _, ok := range []string{"a", "ci-deploy", "Z.reader_1", strings.Repeat("n", MaxTokenName)} {
		if !ValidTokenName(ok) {
			t.Errorf("ValidTokenName(%q) = false, want true", ok)
		}
	}
	for _, bad := range []string{"", "-a", ".a", "a/b", "a b", "é", "a%2F", strings.Repeat("n", MaxTokenName+1)} {
		if ValidTokenName(bad) {
			t.Errorf("ValidTokenName(%q) = true, want false", bad)
		}
	}
}

func TestTokenState(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tok := &Token{ExpiresAt: at}
	if s := tok.State(at.Add(-time.Nanosecond)); s != TokenActive {
		t.Errorf("just before ExpiresAt: %s, want active", s)
	}
	if s := tok.State(at); s != TokenExpired {
		t.Errorf("at ExpiresAt: %s, want expired", s)
	}
	tok.RevokedAt = at.Add(-time.Hour)
	if s := tok.State(at); s != TokenRevoked {
		t.Errorf("revoked and expired: %s, want revoked", s)
	}
}

func TestNewTokenSecret(t *testing.T) {
	s1, h1 := NewTokenSecret()
	s2, _ := NewTokenSecret()
	if s1 == s2 || !strings.HasPrefix(s1, "gone_") || len(s1) != len("gone_")+43 {
		t.Errorf("NewTokenSecret = %q, %q; want two different gone_ secrets of 256 bits", s1, s2)
	}
	if string(h1) != string(HashSecret(s1)) || len(h1) != 32 {
		t.Errorf("hash = %x, want SHA-256 of the secret", h1)
	}
}
