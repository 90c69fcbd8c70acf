package httpapi

import (
	"net/http"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
)

// tokenView is a token as the API shows it: never its hash, and its secret
// only in the answer to the request that created it.
type tokenView struct {
	Name        string          `json:"name"`
	Scopes      []gone.Scope    `json:"scopes"`
	Collections []string        `json:"collections,omitempty"`
	State       gone.TokenState `json:"state"`
	CreatedAt   string          `json:"createdAt"`
	CreatedBy   string          `json:"createdBy"`
	ExpiresAt   string          `json:"expiresAt,omitempty"`
	RevokedAt   string          `json:"revokedAt,omitempty"`
	RevokedBy   string          `json:"revokedBy,omitempty"`
	Secret      string          `json:"secret,omitempty"`
}

func (s *server) tokenView(t *gone.Token) tokenView {
	return tokenView{
		Name: t.Name, Scopes: t.Scopes, Collections: t.Collections, State: t.State(s.svc.Now()),
		CreatedAt: answer.Stamp(t.CreatedAt), CreatedBy: t.CreatedBy, ExpiresAt: answer.Stamp(t.ExpiresAt),
		RevokedAt: answer.Stamp(t.RevokedAt), RevokedBy: t.RevokedBy,
	}
}

// handleListTokens lists every token, revoked and expired ones included.
func (s *server) handleListTokens() http.Handler {
	type response struct {
		Tokens []tokenView `json:"tokens"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		toks, err := s.svc.ListTokens(r.Context(), callerFrom(r.Context()))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		resp := response{Tokens: make([]tokenView, 0, len(toks))}
		for _, t := range toks {
			resp.Tokens = append(resp.Tokens, s.tokenView(t))
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, resp)
	})
}

// handleCreateToken creates a named token and shows its secret, once.
func (s *server) handleCreateToken() http.Handler {
	type request struct {
		Name        string       `json:"name"`
		Scopes      []gone.Scope `json:"scopes"`
		Collections []string     `json:"collections"`
		// ExpiresAt (RFC 3339) or ExpiresIn ("30d", "12h"), not both.
		ExpiresAt string `json:"expiresAt"`
		ExpiresIn string `json:"expiresIn"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body request
		if err := decodeStrict(r, &body); err != nil {
			s.writeError(w, r, err)
			return
		}
		req := gone.TokenRequest{Name: body.Name, Scopes: body.Scopes, Collections: body.Collections}
		switch {
		case body.ExpiresAt != "" && body.ExpiresIn != "":
			s.writeError(w, r, &gone.Error{Code: gone.EINVALID, Message: "Give expiresAt or expiresIn, not both.",
				Fields: map[string]string{"expiresIn": "conflicts with expiresAt"}})
			return
		case body.ExpiresAt != "":
			t, err := time.Parse(time.RFC3339, body.ExpiresAt)
			if err != nil {
				s.writeError(w, r, &gone.Error{Code: gone.EINVALID, Message: "expiresAt must be an RFC 3339 time.",
					Fields: map[string]string{"expiresAt": "must be an RFC 3339 time such as 2027-01-01T00:00:00Z"}})
				return
			}
			req.ExpiresAt = t
		case body.ExpiresIn != "":
			d, err := gone.ParseDuration(body.ExpiresIn)
			if err != nil || d <= 0 {
				s.writeError(w, r, &gone.Error{Code: gone.EINVALID, Message: "expiresIn must be a duration such as 30d or 12h.",
					Fields: map[string]string{"expiresIn": "must be a positive duration such as 30d or 12h"}})
				return
			}
			req.ExpiresAt = s.svc.Now().Add(d)
		}
		secret, tok, err := s.svc.CreateToken(r.Context(), callerFrom(r.Context()), req)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		v := s.tokenView(tok)
		v.Secret = secret
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusCreated, v)
	})
}

// handleRevokeToken revokes a token: 200 with the revoked token, 404 for
// an unknown name, 410 for a token already revoked.
func (s *server) handleRevokeToken() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, err := s.svc.RevokeToken(r.Context(), callerFrom(r.Context()), r.PathValue("name"))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, s.tokenView(tok))
	})
}
