package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

// testTokens checks gone.TokenStore, which every store that serves
// requests implements beside gone.Store.
func testTokens(t *testing.T, newStore func(t *testing.T) gone.Store) {
	tokenStore := func(t *testing.T) gone.TokenStore {
		t.Helper()
		s := open(t, newStore)
		ts, ok := s.(gone.TokenStore)
		if !ok {
			t.Fatalf("%T does not implement gone.TokenStore", s)
		}
		return ts
	}
	hash := func(secret string) []byte { return gone.HashSecret(secret) }

	t.Run("UnknownHashIsNotFound", func(t *testing.T) {
		s := tokenStore(t)
		tok, err := s.TokenByHash(ctx(t), hash("nothing"))
		if gone.ErrorCode(err) != gone.ENOTFOUND {
			t.Errorf("TokenByHash(unknown) = %+v, %v; want ENOTFOUND", tok, err)
		}
		toks, err := s.Tokens(ctx(t))
		if err != nil || len(toks) != 0 {
			t.Errorf("Tokens() on an empty store = %v, %v; want none", toks, err)
		}
	})

	t.Run("RoundTrip", func(t *testing.T) {
		s := tokenStore(t)
		full := &gone.Token{Name: "ci-deploy", Hash: hash("s1"), Scopes: []gone.Scope{gone.ScopeRead, gone.ScopeWrite},
			Collections: []string{"orders", "users"}, CreatedAt: t0, CreatedBy: "admin", ExpiresAt: t0.Add(30 * 24 * time.Hour)}
		bare := &gone.Token{Name: "Z.reader_1", Hash: hash("s2"), Scopes: []gone.Scope{gone.ScopeAdmin}, CreatedAt: t0.Add(time.Second)}
		putTokens(t, s, full, bare)
		for _, want := range []*gone.Token{full, bare} {
			got, err := s.TokenByHash(ctx(t), want.Hash)
			if err != nil {
				t.Fatalf("TokenByHash(%s): %v", want.Name, err)
			}
			checkToken(t, "TokenByHash("+want.Name+")", got, want)
		}
		toks, err := s.Tokens(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if len(toks) != 2 || toks[0].Name != "Z.reader_1" || toks[1].Name != "ci-deploy" {
			t.Fatalf("Tokens() = %v, want Z.reader_1 then ci-deploy (byte order)", names(toks))
		}
		checkToken(t, "Tokens()[1]", toks[1], full)
	})

	t.Run("RevokeIsSeenAtOnce", func(t *testing.T) {
		s := tokenStore(t)
		tok := &gone.Token{Name: "ops", Hash: hash("s"), Scopes: []gone.Scope{gone.ScopeRead}, CreatedAt: t0}
		putTokens(t, s, tok)
		err := s.UpdateTokens(ctx(t), func(tx gone.TokenTx) error {
			cur, err := tx.Token(ctx(t), "ops")
			if err != nil {
				return err
			}
			cur.RevokedAt, cur.RevokedBy = t0.Add(time.Hour), "admin"
			if err := tx.PutToken(ctx(t), cur); err != nil {
				return err
			}
			// The transaction sees its own write.
			again, err := tx.Token(ctx(t), "ops")
			if err != nil || again.RevokedAt.IsZero() {
				return fmt.Errorf("tx.Token after PutToken = %+v, %v; want it revoked", again, err)
			}
			return tx.AppendAudit(ctx(t), gone.AuditEvent{At: t0, Actor: "admin", Action: gone.ActionTokenRevoke, Collection: gone.TokensCollection, ID: "ops"})
		})
		if err != nil {
			t.Fatalf("UpdateTokens: %v", err)
		}
		got, err := s.TokenByHash(ctx(t), tok.Hash)
		if err != nil {
			t.Fatal(err)
		}
		want := *tok
		want.RevokedAt, want.RevokedBy = t0.Add(time.Hour), "admin"
		checkToken(t, "after revoke", got, &want)
		evs, err := s.(gone.Store).Audit(ctx(t), gone.AuditQuery{Collection: gone.TokensCollection, ID: "ops"})
		if err != nil || len(evs) != 1 || evs[0].Action != gone.ActionTokenRevoke || evs[0].Actor != "admin" {
			t.Errorf("audit of the revoke = %+v, %v; want one token_revoke by admin", evs, err)
		}
	})

	t.Run("FailedUpdateKeepsNothing", func(t *testing.T) {
		s := tokenStore(t)
		boom := errors.New("boom")
		err := s.UpdateTokens(ctx(t), func(tx gone.TokenTx) error {
			if err := tx.PutToken(ctx(t), &gone.Token{Name: "half", Hash: hash("h"), Scopes: []gone.Scope{gone.ScopeRead}, CreatedAt: t0}); err != nil {
				return err
			}
			if err := tx.AppendAudit(ctx(t), gone.AuditEvent{At: t0, Action: gone.ActionTokenCreate, Collection: gone.TokensCollection, ID: "half"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Errorf("UpdateTokens = %v, want fn's error", err)
		}
		if tok, err := s.TokenByHash(ctx(t), hash("h")); gone.ErrorCode(err) != gone.ENOTFOUND {
			t.Errorf("after a failed UpdateTokens, TokenByHash = %+v, %v; want ENOTFOUND", tok, err)
		}
		if evs, _ := s.(gone.Store).Audit(ctx(t), gone.AuditQuery{Collection: gone.TokensCollection}); len(evs) != 0 {
			t.Errorf("after a failed UpdateTokens, audit = %+v, want none", evs)
		}
	})

	t.Run("CreatesOfOneNameSerialise", func(t *testing.T) {
		// Each writer creates "dup" only if tx.Token says it is absent:
		// exactly one may succeed, which only holds if Token locks the
		// absent name.
		s := tokenStore(t)
		const writers = 8
		var created atomic.Int32
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- s.UpdateTokens(ctx(t), func(tx gone.TokenTx) error {
					_, err := tx.Token(ctx(t), "dup")
					if err == nil {
						return nil
					}
					if gone.ErrorCode(err) != gone.ENOTFOUND {
						return err
					}
					created.Add(1)
					return tx.PutToken(ctx(t), &gone.Token{Name: "dup", Hash: hash(fmt.Sprint("dup", i)), Scopes: []gone.Scope{gone.ScopeRead}, CreatedAt: t0})
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("UpdateTokens: %v", err)
			}
		}
		if n := created.Load(); n != 1 {
			t.Errorf("%d writers saw the name free and created it, want exactly 1", n)
		}
	})
}

// putTokens stores toks in one UpdateTokens.
func putTokens(t *testing.T, s gone.TokenStore, toks ...*gone.Token) {
	t.Helper()
	err := s.UpdateTokens(ctx(t), func(tx gone.TokenTx) error {
		for _, tok := range toks {
			if err := tx.PutToken(ctx(t), tok); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateTokens: %v", err)
	}
}

func names(toks []*gone.Token) []string {
	var n []string
	for _, t := range toks {
		n = append(n, t.Name)
	}
	return n
}

// checkToken reports every field where got differs from want.
func checkToken(t *testing.T, what string, got, want *gone.Token) {
	t.Helper()
	if got.Name != want.Name || got.CreatedBy != want.CreatedBy || got.RevokedBy != want.RevokedBy {
		t.Errorf("%s: name/createdBy/revokedBy = %q/%q/%q, want %q/%q/%q", what,
			got.Name, got.CreatedBy, got.RevokedBy, want.Name, want.CreatedBy, want.RevokedBy)
	}
	if !bytes.Equal(got.Hash, want.Hash) {
		t.Errorf("%s: Hash = %x, want %x", what, got.Hash, want.Hash)
	}
	if !slices.Equal(got.Scopes, want.Scopes) {
		t.Errorf("%s: Scopes = %v, want %v", what, got.Scopes, want.Scopes)
	}
	if len(got.Collections)+len(want.Collections) > 0 && !slices.Equal(got.Collections, want.Collections) {
		t.Errorf("%s: Collections = %v, want %v", what, got.Collections, want.Collections)
	}
	for _, f := range []struct {
		name      string
		got, want time.Time
	}{{"CreatedAt", got.CreatedAt, want.CreatedAt}, {"ExpiresAt", got.ExpiresAt, want.ExpiresAt}, {"RevokedAt", got.RevokedAt, want.RevokedAt}} {
		switch {
		case f.want.IsZero() && !f.got.IsZero():
			t.Errorf("%s: %s = %v, want the zero time", what, f.name, f.got)
		case !f.want.IsZero() && !f.got.Equal(f.want):
			t.Errorf("%s: %s = %v, want %v", what, f.name, f.got, f.want)
		case !f.got.IsZero() && f.got.Location() != time.UTC:
			t.Errorf("%s: %s location = %v, want UTC", what, f.name, f.got.Location())
		}
	}
}
