package client_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gonehttp/gone/client"
	"github.com/gonehttp/gone/internal/demotest"
)

func TestTokens(t *testing.T) {
	w := demotest.New(t)
	srv := httptest.NewServer(w.Handler(nil))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	admin, err := client.New(srv.URL, client.WithToken(adminToken))
	if err != nil {
		t.Fatal(err)
	}

	tok, err := admin.CreateToken(ctx, client.TokenRequest{Name: "app", Scopes: []string{"read"}, ExpiresIn: "1d"})
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	if tok.Secret == "" || tok.State != "active" || !tok.ExpiresAt.Equal(testNow.Add(24*time.Hour)) {
		t.Fatalf("CreateToken = %+v, want an active token with a secret, expiring in a day", tok)
	}
	app, _ := client.New(srv.URL, client.WithToken(tok.Secret))
	if _, err := app.GetRaw(ctx, "users", "42"); err != nil {
		t.Fatalf("GetRaw with the new token: %v", err)
	}

	if _, err := admin.RevokeToken(ctx, "app"); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	_, err = app.GetRaw(ctx, "users", "42")
	var ce *client.Error
	if !errors.Is(err, client.ErrUnauthorized) || !errors.As(err, &ce) || ce.TokenState != "revoked" || !ce.RevokedAt.Equal(testNow) {
		t.Errorf("GetRaw with the revoked token = %v (%+v), want ErrUnauthorized with TokenState revoked at %v", err, ce, testNow)
	}
	if _, err := admin.RevokeToken(ctx, "app"); !errors.Is(err, client.ErrGone) {
		t.Errorf("RevokeToken twice = %v, want ErrGone", err)
	}
	if _, err := admin.RevokeToken(ctx, "nobody"); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("RevokeToken(unknown) = %v, want ErrNotFound", err)
	}
	toks, err := admin.Tokens(ctx)
	if err != nil || len(toks) != 1 || toks[0].State != "revoked" || toks[0].Secret != "" {
		t.Errorf("Tokens = %+v, %v; want app, revoked, no secret", toks, err)
	}
	reader, _ := client.New(srv.URL, client.WithToken(readerToken))
	if _, err := reader.Tokens(ctx); !errors.Is(err, client.ErrForbidden) {
		t.Errorf("Tokens as a reader = %v, want ErrForbidden", err)
	}
}
