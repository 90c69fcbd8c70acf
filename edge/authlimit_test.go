package edge

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"
)

func TestAuthLimiterBudget(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewAuthLimiter(10)
	for i := range 10 {
		if w := l.Blocked("a", now); w != 0 {
			t.Fatalf("before failure %d: blocked for %v, want 0", i+1, w)
		}
		l.Fail("a", now)
	}
	if w := l.Blocked("a", now); w != 6*time.Second {
		t.Errorf("after 10 failures: blocked for %v, want 6s", w)
	}
	if w := l.Blocked("a", now.Add(5*time.Second)); w != time.Second {
		t.Errorf("5 s later: blocked for %v, want 1s", w)
	}
	if w := l.Blocked("a", now.Add(6*time.Second)); w != 0 {
		t.Errorf("6 s later: blocked for %v, want 0", w)
	}
	if w := l.Blocked("b", now); w != 0 {
		t.Errorf("another address: blocked for %v, want 0", w)
	}
	if l := NewAuthLimiter(0); l != nil || l.Blocked("a", now) != 0 {
		t.Errorf("NewAuthLimiter(0) = %v, want a nil limiter that blocks nothing", l)
	}
}

// The limiter never remembers more than MaxAuthAddrs addresses, and an
// address still over budget survives while refilled ones are forgotten.
func TestAuthLimiterBound(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewAuthLimiter(10)
	// An hour ago, more addresses than the bound each failed once.
	for i := range MaxAuthAddrs + 500 {
		l.Fail(fmt.Sprint("typo-", i), now.Add(-time.Hour))
		if n := len(l.full); n > MaxAuthAddrs {
			t.Fatalf("limiter holds %d addresses, want at most %d", n, MaxAuthAddrs)
		}
	}
	// Now a guesser, then new addresses until the limiter is full again:
	// making room then forgets the refilled addresses, never the guesser.
	for range 10 {
		l.Fail("guesser", now)
	}
	swept := false
	for i := 0; i < MaxAuthAddrs && !swept; i++ {
		before := len(l.full)
		l.Fail(fmt.Sprint("new-", i), now)
		swept = len(l.full) < before
		if n := len(l.full); n > MaxAuthAddrs {
			t.Fatalf("limiter holds %d addresses, want at most %d", n, MaxAuthAddrs)
		}
	}
	if !swept {
		t.Fatal("the limiter never made room")
	}
	for a, full := range l.full {
		if !full.After(now) {
			t.Fatalf("after making room the limiter still holds %s, refilled at %v", a, full)
		}
	}
	if l.Blocked("guesser", now) == 0 {
		t.Error("the address over budget was forgotten")
	}
}

func TestAuthLimiterKnownGood(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewAuthLimiter(10)
	tok := [32]byte{1}
	l.Succeeded("a", tok, now)
	if !l.KnownGood("a", tok, now.Add(goodFor-time.Second)) {
		t.Error("a token that succeeded from a is not known good there")
	}
	if l.KnownGood("b", tok, now) || l.KnownGood("a", [32]byte{2}, now) {
		t.Error("known good leaks to another address or token")
	}
	if l.KnownGood("a", tok, now.Add(goodFor)) {
		t.Errorf("still known good after %v", goodFor)
	}
	for i := range MaxAuthAddrs + 100 {
		l.Succeeded(fmt.Sprint("addr-", i), tok, now)
	}
	if n := len(l.good); n > MaxAuthAddrs {
		t.Errorf("limiter knows %d good pairs, want at most %d", n, MaxAuthAddrs)
	}
	// Once the old pairs expire, new ones take their place.
	l.Succeeded("late", tok, now.Add(goodFor))
	if !l.KnownGood("late", tok, now.Add(goodFor)) {
		t.Error("a new pair was not remembered after the old ones expired")
	}
}

func TestClientAddr(t *testing.T) {
	for remote, want := range map[string]string{
		"192.0.2.1:1234":           "192.0.2.1",
		"[::ffff:192.0.2.1]:80":    "192.0.2.1",
		"[2001:db8:1:2::5]:80":     "2001:db8:1:2::/64",
		"[2001:db8:1:2:ff::1]:443": "2001:db8:1:2::/64",
		"not an address":           "not an address",
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		if got := ClientAddr(r); got != want {
			t.Errorf("ClientAddr(%q) = %q, want %q", remote, got, want)
		}
	}
}
