package httpapi_test

import (
	"net/http/httptest"
	"testing"
)

// BenchmarkRead measures a GET of one id through the whole handler and a
// real SQLite file: the read path that must stay one indexed lookup.
func BenchmarkRead(b *testing.B) {
	for _, bc := range []struct{ name, path string }{
		{"live", "/api/users/42"},
		{"gone", "/api/users/123"},
		{"never", "/api/users/999"},
		{"expired", "/api/promotions/summer-sale-2025"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := newUncheckedEnv(&testing.T{})
			r := httptest.NewRequest("GET", bc.path, nil)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				e.h.ServeHTTP(w, r)
			}
		})
	}
}

// BenchmarkAuth measures the same live GET by who asks: anonymous (no
// lookup), a bootstrap token (constant-time compare in memory) and a
// stored token (one indexed lookup by hash per request, the price of
// revocation that takes effect at once).
func BenchmarkAuth(b *testing.B) {
	// Unchecked: the contract checker's validation would dwarf what is
	// measured.
	e := newUncheckedEnv(&testing.T{})
	stored := e.createToken(`{"name":"bench","scopes":["read"]}`)
	for _, bc := range []struct{ name, token string }{
		{"anonymous", ""},
		{"bootstrap", readerToken},
		{"stored", stored},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", "/api/users/42", nil)
			if bc.token != "" {
				r.Header.Set("Authorization", "Bearer "+bc.token)
			}
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				e.h.ServeHTTP(w, r)
				if w.Code != 200 {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}
