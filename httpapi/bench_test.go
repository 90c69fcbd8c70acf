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
