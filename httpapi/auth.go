package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
	"github.com/gonehttp/gone/edge"
)

// Tokens are the bootstrap tokens a server takes from its environment
// (GONE_ADMIN_TOKEN, GONE_READ_TOKEN), beside the named tokens in the
// store. They are kept as SHA-256 hashes, so the secrets themselves are not
// held in memory, and compared in constant time.
type Tokens struct {
	list []bootstrapToken
}

type bootstrapToken struct {
	hash   [32]byte
	caller gone.Caller
}

// NewTokens returns an empty token set.
func NewTokens() *Tokens { return &Tokens{} }

// Add registers secret as the token of a caller named name: with admin,
// the admin scope on every collection, otherwise the read scope.
func (t *Tokens) Add(secret, name string, admin bool) {
	scope := gone.ScopeRead
	if admin {
		scope = gone.ScopeAdmin
	}
	t.list = append(t.list, bootstrapToken{sha256.Sum256([]byte(secret)), gone.Caller{Name: name, Scopes: []gone.Scope{scope}}})
}

// lookup compares a secret's SHA-256 with every bootstrap token's, in
// constant time and without stopping at a match, so the time taken says
// nothing about which (if any) matched.
func (t *Tokens) lookup(h [32]byte) (gone.Caller, bool) {
	if t == nil {
		return gone.Caller{}, false
	}
	var found gone.Caller
	ok := 0
	for _, b := range t.list {
		if subtle.ConstantTimeCompare(h[:], b.hash[:]) == 1 {
			found, ok = b.caller, 1
		}
	}
	return found, ok == 1
}

// authenticate resolves the bearer token into a caller: a bootstrap token
// from memory, otherwise a named token from the store, looked up on every
// request, so a revocation is refused on the very next request on every
// instance. A request without a token is anonymous and costs nothing more.
// A request with a wrong token is refused outright, so a typo in a token
// never silently downgrades to the public view, and is counted against its
// client address (see edge.AuthLimiter).
func (s *server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.Header.Values("Authorization")) > 1 {
			// Which one would count? A front that adds its own token to a
			// caller's, or a caller who hopes one of several gets in: the
			// first winning silently would pick for them.
			s.writeError(w, r, &gone.Error{Code: gone.EINVALID, Message: "Send one Authorization header, not several.",
				Fields: map[string]string{"Authorization": "must appear once"}})
			return
		}
		h := r.Header.Get("Authorization")
		if h == "" {
			next.ServeHTTP(w, r)
			return
		}
		addr, now := edge.ClientAddr(r), s.svc.Now()
		scheme, secret, ok := strings.Cut(h, " ")
		secret = strings.TrimSpace(secret)
		hash := sha256.Sum256([]byte(secret))
		if wait := s.limiter.Blocked(addr, now); wait > 0 && !s.limiter.KnownGood(addr, hash, now) {
			s.writeTooMany(w, r, wait)
			return
		}
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			s.limiter.Fail(addr, now)
			s.writeError(w, r, gone.Errorf(gone.EUNAUTHORIZED, "Use Authorization: Bearer <token>."))
			return
		}
		caller, ok := s.tokens.lookup(hash)
		if !ok {
			var err error
			caller, err = s.svc.Authenticate(r.Context(), secret)
			if err != nil {
				if gone.ErrorCode(err) != gone.EUNAUTHORIZED {
					// The store did not answer: 503, and not the caller's failure.
					s.writeError(w, r, err)
					return
				}
				s.limiter.Fail(addr, now)
				s.refuseToken(w, r, err)
				return
			}
		}
		s.limiter.Succeeded(addr, hash, now)
		infoFrom(r.Context()).caller = caller
		edge.InfoOf(r.Context()).Caller = caller.Name
		next.ServeHTTP(w, r)
	})
}

// refuseToken answers a secret that Authenticate refused: 401 with a
// problem whose tokenState says which refusal it is (revoked, expired or
// unknown), and when a revoked or expired token stopped working.
func (s *server) refuseToken(w http.ResponseWriter, r *http.Request, err error) {
	s.writeErrorWith(w, r, err, func(p *answer.Problem) {
		p.TokenState = gone.TokenUnknown
		var e *gone.Error
		if errors.As(err, &e) && e.Token != nil {
			p.TokenState = e.Token.State(s.svc.Now())
			p.RevokedAt = answer.Stamp(e.Token.RevokedAt)
			if p.TokenState == gone.TokenExpired {
				p.ExpiredAt = answer.Stamp(e.Token.ExpiresAt)
			}
		}
	})
}

// require guards a route with a scope: 401 without a token, 403 with a
// token that lacks the scope or does not cover the route's collection. A
// route without {collection} (audit, explain, tokens) needs a token
// restricted to no collection. This is the one place routes check scopes.
func (s *server) require(scope gone.Scope) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c := callerFrom(r.Context())
			coll := r.PathValue("collection")
			switch {
			case c.Anonymous():
				s.writeError(w, r, gone.Errorf(gone.EUNAUTHORIZED, "A token with the %s scope is required.", scope))
			case coll != "" && !c.Covers(coll):
				s.writeError(w, r, gone.Errorf(gone.EFORBIDDEN, "This token may not use the collection %q.", coll))
			case !c.Can(scope, coll):
				if coll == "" && len(c.Collections) > 0 {
					s.writeError(w, r, gone.Errorf(gone.EFORBIDDEN, "This token is restricted to some collections; this needs an %s token for every collection.", scope))
					return
				}
				s.writeError(w, r, gone.Errorf(gone.EFORBIDDEN, "This token may not do that; a token with the %s scope is required.", scope))
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}

// requireAdmin guards admin-only routes.
func (s *server) requireAdmin(next http.Handler) http.Handler {
	return s.require(gone.ScopeAdmin)(next)
}

// requireWrite guards the routes that change resources.
func (s *server) requireWrite(next http.Handler) http.Handler {
	return s.require(gone.ScopeWrite)(next)
}

// readable guards the read routes of a collection: anonymous callers pass
// (the decision answers a private collection's 401), but a token that does
// not cover the collection is refused with 403, permission before
// existence.
func (s *server) readable(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := callerFrom(r.Context())
		if coll := r.PathValue("collection"); !c.Anonymous() && !c.Covers(coll) {
			s.writeError(w, r, gone.Errorf(gone.EFORBIDDEN, "This token may not use the collection %q.", coll))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requireReader guards the change feed, which belongs to no one
// collection: 401 without a token, 403 with a token that may read nothing.
// A token restricted to some collections passes, and the feed shows it
// only those (gone.Config.ChangeFor).
func (s *server) requireReader(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := callerFrom(r.Context())
		some := ""
		if len(c.Collections) > 0 {
			some = c.Collections[0]
		}
		switch {
		case c.Anonymous():
			s.writeError(w, r, gone.Errorf(gone.EUNAUTHORIZED, "A token with the %s scope is required.", gone.ScopeRead))
		case !c.Can(gone.ScopeRead, some):
			s.writeError(w, r, gone.Errorf(gone.EFORBIDDEN, "This token may not do that; a token with the %s scope is required.", gone.ScopeRead))
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// writeTooMany answers 429 with Retry-After (whole seconds, rounded up).
func (s *server) writeTooMany(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	s.writeErrorWith(w, r, gone.Errorf(gone.ETOOMANY, "Too many failed authentications from this address; retry in %d s.", secs), func(p *answer.Problem) {
		p.RetryAfter = secs
	})
}
