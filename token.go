package gone

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"
)

// Token is a named API token. The store keeps only the SHA-256 hash of its
// secret: the secret is shown once, when the token is created.
//
// SHA-256 rather than a password hash (bcrypt, argon2): the secret is 256
// random bits made by the server, so no dictionary or brute force can find
// it from its hash however fast the hash is; a password hash's cost only
// helps secrets that people choose. An unsalted fast hash also lets every
// authenticated request find its token in one indexed lookup, where bcrypt
// would cost tens of milliseconds of CPU per request and need the token's
// name sent alongside its secret.
type Token struct {
	Name string
	// Hash is the SHA-256 of the secret.
	Hash []byte
	// Scopes are what the token may do (see Scope).
	Scopes []Scope
	// Collections restricts the token; empty means every collection.
	Collections []string
	CreatedAt   time.Time
	CreatedBy   string
	// ExpiresAt is zero for a token that does not expire.
	ExpiresAt time.Time
	// RevokedAt is zero until the token is revoked.
	RevokedAt time.Time
	RevokedBy string
}

// TokenState is whether a token may be used at a given time.
type TokenState string

// Token states. A revoked token is TokenRevoked even after it would have
// expired: revocation is the stronger fact.
const (
	TokenActive  TokenState = "active"
	TokenExpired TokenState = "expired"
	TokenRevoked TokenState = "revoked"
	// TokenUnknown is what a secret that matches no token is.
	TokenUnknown TokenState = "unknown"
)

// State is the token's state at now. Expiry is exact to the second, as for
// resources: at ExpiresAt the token no longer works.
func (t *Token) State(now time.Time) TokenState {
	switch {
	case !t.RevokedAt.IsZero():
		return TokenRevoked
	case !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt):
		return TokenExpired
	default:
		return TokenActive
	}
}

// Caller is who a request with this token is.
func (t *Token) Caller() Caller {
	return Caller{Name: t.Name, Scopes: t.Scopes, Collections: t.Collections}
}

// TokenStore keeps named tokens. sqlite.Store and postgres.Store implement
// it beside gone.Store; the conformance suite in storetest defines it.
type TokenStore interface {
	// TokenByHash returns the token whose secret hashes to hash, in one
	// indexed lookup, or ENOTFOUND. Revoked and expired tokens are
	// returned too: the caller tells them apart.
	TokenByHash(ctx context.Context, hash []byte) (*Token, error)
	// Tokens returns every token, revoked and expired ones included,
	// ordered by name.
	Tokens(ctx context.Context) ([]*Token, error)
	// UpdateTokens runs fn in one transaction, with Store.Update's
	// guarantees: committed durably before it returns nil, nothing kept
	// if fn fails, serialised against other UpdateTokens on the same name.
	UpdateTokens(ctx context.Context, fn func(TokenTx) error) error
}

// TokenTx is the view of the store inside UpdateTokens.
type TokenTx interface {
	// Token returns the named token, or ENOTFOUND. The name (or its
	// absence) stays locked against other transactions until this one
	// ends.
	Token(ctx context.Context, name string) (*Token, error)
	// PutToken inserts or replaces the token with t.Name.
	PutToken(ctx context.Context, t *Token) error
	// AppendAudit records one change, as Tx.AppendAudit.
	AppendAudit(ctx context.Context, e AuditEvent) error
}

// TokensCollection is the collection name token changes carry in the
// audit log. No collection may be called so (it is also the API's route).
const TokensCollection = "tokens"

// The names of the tokens that serve takes from the environment
// (GONE_ADMIN_TOKEN, GONE_READ_TOKEN). Stored tokens may not take them, so
// the audit's actor is never ambiguous.
const (
	BootstrapAdmin  = "admin"
	BootstrapReader = "reader"
)

// secretPrefix marks gone's secrets, so secret scanners and people can
// recognise one that leaked into a log or a repository.
const secretPrefix = "gone_"

// NewTokenSecret returns a new secret (256 random bits) and its hash.
func NewTokenSecret() (secret string, hash []byte) {
	var b [32]byte
	rand.Read(b[:])
	secret = secretPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, HashSecret(secret)
}

// HashSecret returns the SHA-256 of a token's secret, as stored.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// MaxTokenName is the longest token name.
const MaxTokenName = 64

// ValidTokenName reports whether name may name a token: 1 to 64 characters
// from a-z A-Z 0-9 . _ - starting with a letter or digit, so it reads well
// in the audit and needs no escaping in a URL path.
func ValidTokenName(name string) bool {
	if len(name) == 0 || len(name) > MaxTokenName {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '.' && c != '_' && c != '-') {
			return false
		}
	}
	return true
}

// ParseScopes reads scopes from a comma- or space-separated list
// ("read,write").
func ParseScopes(s string) []Scope {
	var out []Scope
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, Scope(f))
	}
	return out
}
