package httpapi

import (
	"crypto/sha256"
	"net/http"
	"strings"

	"github.com/gonehttp/gone"
)

// Tokens maps bearer tokens to callers. Tokens are kept as SHA-256 hashes,
// so a lookup compares fixed-size digests and the secrets themselves are
// not held in memory.
type Tokens struct {
	byHash map[[32]byte]gone.Caller
}

// NewTokens returns an empty token set.
func NewTokens() *Tokens { return &Tokens{byHash: map[[32]byte]gone.Caller{}} }

// Add registers secret as the token of a caller named name.
func (t *Tokens) Add(secret, name string, admin bool) {
	t.byHash[sha256.Sum256([]byte(secret))] = gone.Caller{Name: name, Admin: admin}
}

func (t *Tokens) lookup(secret string) (gone.Caller, bool) {
	c, ok := t.byHash[sha256.Sum256([]byte(secret))]
	return c, ok
}

// authenticate resolves the bearer token into a caller. A request without a
// token is anonymous; a request with a wrong token is refused outright, so a
// typo in a token never silently downgrades to the public view.
func (s *server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" {
			next.ServeHTTP(w, r)
			return
		}
		scheme, secret, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			s.writeError(w, r, gone.Errorf(gone.EUNAUTHORIZED, "Use Authorization: Bearer <token>."))
			return
		}
		caller, ok := s.tokens.lookup(strings.TrimSpace(secret))
		if !ok {
			s.writeError(w, r, gone.Errorf(gone.EUNAUTHORIZED, "The token is not valid."))
			return
		}
		infoFrom(r.Context()).caller = caller
		next.ServeHTTP(w, r)
	})
}

// requireAdmin guards admin-only routes: 401 without a token, 403 with a
// token that may not do this.
func (s *server) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := callerFrom(r.Context())
		switch {
		case c.Anonymous():
			s.writeError(w, r, gone.Errorf(gone.EUNAUTHORIZED, "An admin token is required."))
		case !c.Admin:
			s.writeError(w, r, gone.Errorf(gone.EFORBIDDEN, "This token may not do that; an admin token is required."))
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// requireToken guards routes for any caller with a token, read or admin:
// 401 without one.
func (s *server) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if callerFrom(r.Context()).Anonymous() {
			s.writeError(w, r, gone.Errorf(gone.EUNAUTHORIZED, "A token is required."))
			return
		}
		next.ServeHTTP(w, r)
	})
}
