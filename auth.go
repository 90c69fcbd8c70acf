package gone

import (
	"context"
	"crypto/subtle"
	"fmt"
	"slices"
	"strings"
	"time"
)

// TokenRequest describes a token to create.
type TokenRequest struct {
	Name   string
	Scopes []Scope
	// Collections restricts the token; empty means every collection.
	Collections []string
	// ExpiresAt is zero for a token that does not expire.
	ExpiresAt time.Time
}

// maxSecret bounds what Authenticate hashes: gone's secrets are 48
// characters, bootstrap ones are whatever an operator chose, and nothing
// longer is worth a lookup.
const maxSecret = 512

// Authenticate finds the stored token whose secret is secret, in one indexed
// lookup, and returns its caller. A secret that matches no token, or a
// revoked or expired one, is EUNAUTHORIZED; the error's Token is set for the
// last two, so the answer can say which. A store that does not answer is
// EUNAVAILABLE: never "unknown token" when unsure.
func (s *Service) Authenticate(ctx context.Context, secret string) (Caller, error) {
	unknown := &Error{Code: EUNAUTHORIZED, Message: "The token is not valid."}
	if s.tokens == nil || secret == "" || len(secret) > maxSecret {
		return Caller{}, unknown
	}
	if s.readTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.readTimeout)
		defer cancel()
	}
	hash := HashSecret(secret)
	t, err := s.tokens.TokenByHash(ctx, hash)
	switch {
	case IsNotFound(err):
		return Caller{}, unknown
	case err != nil:
		return Caller{}, &Error{Code: EUNAVAILABLE, Message: "The token could not be checked: the store did not answer.", Err: err}
	}
	// The index found the row by hash; comparing again, in constant time,
	// costs nothing and keeps a store that matched loosely from letting
	// a wrong secret in.
	if subtle.ConstantTimeCompare(t.Hash, hash) != 1 {
		return Caller{}, unknown
	}
	now := s.Now()
	switch t.State(now) {
	case TokenRevoked:
		return Caller{}, &Error{Code: EUNAUTHORIZED, Token: t,
			Message: fmt.Sprintf("The token %q was revoked on %s.", t.Name, t.RevokedAt.UTC().Format(time.RFC3339))}
	case TokenExpired:
		return Caller{}, &Error{Code: EUNAUTHORIZED, Token: t,
			Message: fmt.Sprintf("The token %q expired on %s.", t.Name, t.ExpiresAt.UTC().Format(time.RFC3339))}
	}
	return t.Caller(), nil
}

// mayManageTokens is the one rule for token management: an admin token
// restricted to no collection.
func (s *Service) mayManageTokens(caller Caller) error {
	if s.tokens == nil {
		return Errorf(EINTERNAL, "this store keeps no tokens")
	}
	if caller.Anonymous() {
		return Errorf(EUNAUTHORIZED, "An admin token is required.")
	}
	if !caller.Can(ScopeAdmin, "") {
		return Errorf(EFORBIDDEN, "Only an admin token for every collection may manage tokens.")
	}
	return nil
}

// CreateToken stores a new token and returns it with its secret, which is
// not kept and cannot be shown again. The creation is audited (collection
// "tokens", id the token's name, actor the caller). A name is never reused,
// not even after its token was revoked: ECONFLICT.
func (s *Service) CreateToken(ctx context.Context, caller Caller, req TokenRequest) (secret string, tok *Token, err error) {
	if err := s.mayManageTokens(caller); err != nil {
		return "", nil, err
	}
	now := s.writeNow()
	tok, err = s.checkTokenRequest(req, now)
	if err != nil {
		return "", nil, err
	}
	secret, tok.Hash = NewTokenSecret()
	tok.CreatedAt, tok.CreatedBy = now, caller.Name
	err = s.tokens.UpdateTokens(ctx, func(tx TokenTx) error {
		cur, err := tx.Token(ctx, tok.Name)
		switch {
		case err == nil && cur.State(now) == TokenRevoked:
			return Errorf(ECONFLICT, "A token named %q was revoked on %s; names are not reused, so the audit stays unambiguous.", tok.Name, cur.RevokedAt.UTC().Format(time.RFC3339))
		case err == nil:
			return Errorf(ECONFLICT, "A token named %q already exists.", tok.Name)
		case !IsNotFound(err):
			return err
		}
		if err := tx.PutToken(ctx, tok); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, AuditEvent{At: now, Actor: caller.Name, Action: ActionTokenCreate,
			Collection: TokensCollection, ID: tok.Name, Detail: tokenDetail(tok)})
	})
	if err != nil {
		return "", nil, err
	}
	return secret, tok, nil
}

// checkTokenRequest validates req into a token (without secret), naming
// each bad field.
func (s *Service) checkTokenRequest(req TokenRequest, now time.Time) (*Token, error) {
	if !ValidTokenName(req.Name) {
		return nil, invalid("name", fmt.Sprintf("must be 1 to %d characters from a-z A-Z 0-9 . _ - starting with a letter or digit", MaxTokenName))
	}
	if req.Name == BootstrapAdmin || req.Name == BootstrapReader || req.Name == PurgeActor {
		return nil, invalid("name", fmt.Sprintf("%q is reserved for the server's own callers", req.Name))
	}
	t := &Token{Name: req.Name}
	for _, sc := range req.Scopes {
		if sc.rank() == 0 {
			return nil, invalid("scopes", "each must be read, write or admin")
		}
		if !slices.Contains(t.Scopes, sc) {
			t.Scopes = append(t.Scopes, sc)
		}
	}
	if len(t.Scopes) == 0 {
		return nil, invalid("scopes", "at least one of read, write or admin is required")
	}
	slices.SortFunc(t.Scopes, func(a, b Scope) int { return a.rank() - b.rank() })
	for _, c := range req.Collections {
		if !ValidCollection(c) {
			return nil, invalid("collections", "each must be a collection name")
		}
		if s.config != nil {
			if _, ok := s.config.Policy(c); !ok {
				return nil, invalid("collections", fmt.Sprintf("%q is not a configured collection", c))
			}
		}
		if !slices.Contains(t.Collections, c) {
			t.Collections = append(t.Collections, c)
		}
	}
	slices.Sort(t.Collections)
	if !req.ExpiresAt.IsZero() {
		t.ExpiresAt = req.ExpiresAt.UTC().Truncate(time.Second)
		if !t.ExpiresAt.After(now) {
			return nil, invalid("expiresAt", "must be in the future")
		}
	}
	return t, nil
}

// tokenDetail is the audit's note on a new token: what it may do, never
// its secret or hash.
func tokenDetail(t *Token) string {
	scopes := make([]string, len(t.Scopes))
	for i, sc := range t.Scopes {
		scopes[i] = string(sc)
	}
	d := "scopes=" + strings.Join(scopes, ",")
	if len(t.Collections) > 0 {
		d += " collections=" + strings.Join(t.Collections, ",")
	}
	if !t.ExpiresAt.IsZero() {
		d += " expiresAt=" + t.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return d
}

// RevokeToken revokes the named token at once: the next request that
// presents it, on any instance sharing the store, is refused. It returns
// ENOTFOUND for an unknown name and EGONE for a token already revoked. The
// revocation is audited.
func (s *Service) RevokeToken(ctx context.Context, caller Caller, name string) (*Token, error) {
	if err := s.mayManageTokens(caller); err != nil {
		return nil, err
	}
	if !ValidTokenName(name) {
		return nil, Errorf(ENOTFOUND, "No token is named %q.", name)
	}
	now := s.writeNow()
	var out *Token
	err := s.tokens.UpdateTokens(ctx, func(tx TokenTx) error {
		t, err := tx.Token(ctx, name)
		if IsNotFound(err) {
			return Errorf(ENOTFOUND, "No token is named %q.", name)
		}
		if err != nil {
			return err
		}
		if !t.RevokedAt.IsZero() {
			return Errorf(EGONE, "The token %q was already revoked on %s.", name, t.RevokedAt.UTC().Format(time.RFC3339))
		}
		t.RevokedAt, t.RevokedBy = now, caller.Name
		if err := tx.PutToken(ctx, t); err != nil {
			return err
		}
		out = t
		return tx.AppendAudit(ctx, AuditEvent{At: now, Actor: caller.Name, Action: ActionTokenRevoke,
			Collection: TokensCollection, ID: name})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListTokens returns every token (never a secret), ordered by name.
func (s *Service) ListTokens(ctx context.Context, caller Caller) ([]*Token, error) {
	if err := s.mayManageTokens(caller); err != nil {
		return nil, err
	}
	return s.tokens.Tokens(ctx)
}
