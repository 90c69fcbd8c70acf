package edge

import (
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// DefaultAuthFailures is how many failed authentications a client address
// may make per minute (and in a burst) before it is answered 429.
const DefaultAuthFailures = 10

// MaxAuthAddrs bounds the addresses the limiter remembers (about 100 bytes
// each), and separately the (address, token) pairs it knows as good (about
// 120 bytes each): about 2 MB in all. When the addresses are full, those
// whose budget has refilled are forgotten first, then arbitrary ones: an
// attacker who controls more addresses than this can go faster than the
// per-address rate, but no per-address limit stops one with that many
// addresses.
const MaxAuthAddrs = 10_000

// AuthLimiter limits failed authentication per client address, so a token
// cannot be guessed at line speed: transport hardening, kept with the edge,
// for any door that checks a secret (gone's API, on serve and below the
// proxy's admin prefix, checks it in its authentication layer). It is a token bucket kept as one
// timestamp per address (GCRA): each failure moves the address's "full
// again at" time on by every; an address more than burst failures ahead of
// now is refused without its token being checked, so a guess made while
// refused teaches nothing.
//
// Successful requests are never counted, and never refused either when
// their token already succeeded from that address within goodFor: a guess
// was never good, so it stays refused unchecked, while the other clients
// behind a shared address (a NAT, an office) keep working through someone
// else's guessing.
type AuthLimiter struct {
	// mu is read-locked on every authenticated request, and write-locked
	// to count a failure or (at most once per goodRefresh per token and
	// address) a success.
	mu    sync.RWMutex
	burst int
	every time.Duration
	// full is when each address's budget is whole again.
	full map[string]time.Time
	// good is when each (address, token) pair last authenticated.
	good map[goodKey]time.Time
}

// goodKey is a token (by its secret's SHA-256) used from an address.
type goodKey struct {
	addr string
	hash [32]byte
}

// goodFor is how long a token that succeeded from an address stays exempt
// there; goodRefresh how often a success renews it (so the hot path is a
// read lock).
const (
	goodFor     = time.Hour
	goodRefresh = time.Minute
)

// NewAuthLimiter allows perMinute failures a minute, in a burst of as
// many; zero or less disables it (a nil limiter lets everything through).
func NewAuthLimiter(perMinute int) *AuthLimiter {
	if perMinute <= 0 {
		return nil
	}
	return &AuthLimiter{burst: perMinute, every: time.Minute / time.Duration(perMinute),
		full: map[string]time.Time{}, good: map[goodKey]time.Time{}}
}

// Blocked returns how long addr must wait before its next failure is
// allowed; zero when it may try now.
func (l *AuthLimiter) Blocked(addr string, now time.Time) time.Duration {
	if l == nil {
		return 0
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	full, ok := l.full[addr]
	if !ok {
		return 0
	}
	// Trying now would move full on by every; allowed while that stays
	// within burst*every of now.
	wait := full.Sub(now) - time.Duration(l.burst-1)*l.every
	return max(wait, 0)
}

// KnownGood reports whether the token with this hash authenticated from
// addr within goodFor.
func (l *AuthLimiter) KnownGood(addr string, hash [32]byte, now time.Time) bool {
	if l == nil {
		return false
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	at, ok := l.good[goodKey{addr, hash}]
	return ok && now.Sub(at) < goodFor
}

// Succeeded records that the token with this hash authenticated from addr.
// The pairs are bounded like the addresses: when full, expired pairs are
// forgotten, and if none has expired the new pair is not remembered (its
// client is then treated as any other while its address is refused).
func (l *AuthLimiter) Succeeded(addr string, hash [32]byte, now time.Time) {
	if l == nil {
		return
	}
	k := goodKey{addr, hash}
	l.mu.RLock()
	at, ok := l.good[k]
	l.mu.RUnlock()
	if ok && now.Sub(at) < goodRefresh {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.good[k]; !ok && len(l.good) >= MaxAuthAddrs {
		for g, at := range l.good {
			if now.Sub(at) >= goodFor {
				delete(l.good, g)
			}
		}
		if len(l.good) >= MaxAuthAddrs {
			return
		}
	}
	l.good[k] = now
}

// Fail counts one failed authentication from addr.
func (l *AuthLimiter) Fail(addr string, now time.Time) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	full, ok := l.full[addr]
	if !ok && len(l.full) >= MaxAuthAddrs {
		l.evict(now)
	}
	l.full[addr] = later(full, now).Add(l.every)
}

// evict makes room: first every address whose budget is whole again
// (remembering it changes nothing); if none has, arbitrary addresses down
// to nine tenths of the bound, so that this sweep, which holds the lock,
// does not run again for the next MaxAuthAddrs/10 new addresses.
func (l *AuthLimiter) evict(now time.Time) {
	for a, full := range l.full {
		if !full.After(now) {
			delete(l.full, a)
		}
	}
	if len(l.full) < MaxAuthAddrs {
		return
	}
	for a := range l.full {
		if len(l.full) <= MaxAuthAddrs*9/10 {
			return
		}
		delete(l.full, a)
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// ClientAddr is the address failures are counted against: the connection's
// IP (a proxy in front makes every client one address; gone does not trust
// X-Forwarded-For, which any client can send). IPv6 addresses count by
// their /64, which one host usually holds whole.
func ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
