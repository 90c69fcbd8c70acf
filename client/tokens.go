package client

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Token is a named token as the server shows it. Secret is set only in the
// answer to CreateToken: the server keeps a hash and cannot show it again.
type Token struct {
	Name        string    `json:"name"`
	Scopes      []string  `json:"scopes"`
	Collections []string  `json:"collections,omitempty"`
	State       string    `json:"state"` // active, expired or revoked
	CreatedAt   time.Time `json:"createdAt"`
	CreatedBy   string    `json:"createdBy"`
	ExpiresAt   time.Time `json:"expiresAt,omitzero"`
	RevokedAt   time.Time `json:"revokedAt,omitzero"`
	RevokedBy   string    `json:"revokedBy,omitempty"`
	Secret      string    `json:"secret,omitempty"`
}

// TokenRequest describes a token to create.
type TokenRequest struct {
	Name string `json:"name"`
	// Scopes are read, write or admin (write includes read, admin write).
	Scopes []string `json:"scopes"`
	// Collections restricts the token; empty for every collection.
	Collections []string `json:"collections,omitempty"`
	// ExpiresAt (RFC 3339) or ExpiresIn ("30d", "12h"); neither for a
	// token that does not expire.
	ExpiresAt string `json:"expiresAt,omitempty"`
	ExpiresIn string `json:"expiresIn,omitempty"`
}

// CreateToken creates a named token; the answer holds its secret, once.
// It needs an admin token for every collection. A POST, so it is not
// retried after it may have reached the server.
func (c *Client) CreateToken(ctx context.Context, tr TokenRequest) (*Token, error) {
	var t Token
	if _, err := c.write(ctx, http.MethodPost, "/api/tokens", "application/json", tr, &t, nil); err != nil {
		return nil, err
	}
	return &t, nil
}

// Tokens lists every token, revoked and expired ones included.
func (c *Client) Tokens(ctx context.Context) ([]Token, error) {
	var page struct {
		Tokens []Token `json:"tokens"`
	}
	if err := c.getJSON(ctx, "/api/tokens", nil, &page); err != nil {
		return nil, err
	}
	return page.Tokens, nil
}

// RevokeToken revokes the named token: every instance refuses it from the
// next request on. It returns ErrNotFound for an unknown name and ErrGone
// for a token already revoked (also when a retried DELETE finds that its
// first attempt succeeded).
func (c *Client) RevokeToken(ctx context.Context, name string) (*Token, error) {
	var t Token
	if _, err := c.write(ctx, http.MethodDelete, "/api/tokens/"+url.PathEscape(name), "", nil, &t, nil); err != nil {
		return nil, err
	}
	return &t, nil
}
