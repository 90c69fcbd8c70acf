package httpapi_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// The seeds' four exchanges, in both languages: status and members exactly
// as the seed documents print them.
func TestSeedExchanges(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, path, lang string
		status           int
		want             map[string]any
	}{
		{"never-existed", "/api/users/999", "en", 404, map[string]any{
			"error": "Not Found", "message": "User with ID 999 does not exist"}},
		{"wrong-url", "/api/usres/123", "en", 404, map[string]any{
			"error": "Not Found", "message": "The requested endpoint does not exist. Did you mean /api/users/123?"}},
		{"deleted", "/api/users/123", "en", 410, map[string]any{
			"error": "Gone", "message": "This user account was permanently deleted on 2026-01-05",
			"deletedAt": "2026-01-05T10:30:00Z", "reason": "User requested account deletion"}},
		{"expired", "/api/promotions/summer-sale-2025", "en", 410, map[string]any{
			"error": "Gone", "message": "This promotion has expired and is no longer available",
			"expiredAt": "2025-09-01T00:00:00Z", "alternative": "/api/promotions/current"}},
		{"never-existed", "/api/users/999", "es", 404, map[string]any{
			"error": "No encontrado", "message": "El usuario con ID 999 no existe"}},
		{"wrong-url", "/api/usres/123", "es", 404, map[string]any{
			"error": "No encontrado", "message": "El endpoint solicitado no existe. ¿Quisiste decir /api/users/123?"}},
		{"deleted", "/api/users/123", "es", 410, map[string]any{
			"error": "Eliminado", "message": "Esta cuenta de usuario fue eliminada permanentemente el 2026-01-05",
			"deletedAt": "2026-01-05T10:30:00Z", "reason": "El usuario solicitó la eliminación de la cuenta"}},
		{"expired", "/api/promotions/summer-sale-2025", "es", 410, map[string]any{
			"error": "Eliminado", "message": "Esta promoción ha expirado y ya no está disponible",
			"expiredAt": "2025-09-01T00:00:00Z", "alternative": "/api/promotions/current"}},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.lang, func(t *testing.T) {
			w := e.do(req{path: tt.path, header: map[string]string{"Accept-Language": tt.lang}})
			if w.Code != tt.status {
				t.Fatalf("GET %s: status = %d, want %d", tt.path, w.Code, tt.status)
			}
			got := members(t, w)
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("GET %s (%s): %s = %q, want %q", tt.path, tt.lang, k, got[k], v)
				}
			}
			// RFC 9457 members mirror the seeds' ones.
			if got["title"] != tt.want["error"] || got["detail"] != tt.want["message"] || got["instance"] != tt.path {
				t.Errorf("GET %s: problem members title/detail/instance = %q/%q/%q", tt.path, got["title"], got["detail"], got["instance"])
			}
			if got["status"] != float64(tt.status) {
				t.Errorf("GET %s: status member = %v, want %d", tt.path, got["status"], tt.status)
			}
			for h, want := range map[string]string{
				"Content-Type": "application/problem+json", "Content-Language": tt.lang, "Vary": "Accept-Language",
			} {
				if v := w.Header().Get(h); v != want {
					t.Errorf("GET %s: %s = %q, want %q", tt.path, h, v, want)
				}
			}
			golden(t, filepath.Join("testdata", "seeds", tt.name+"."+tt.lang+".golden"), w)
		})
	}
}

// golden compares a response with a golden file, or rewrites it with
// -update. The file holds the status, the headers that matter and the
// indented body, so a diff reads like the exchange.
func golden(t *testing.T, path string, w *httptest.ResponseRecorder) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d\n", w.Code)
	var names []string
	for k := range w.Header() {
		if k != "X-Request-Id" && k != "Content-Length" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(w.Header().Values(k), ", "))
	}
	b.WriteString("\n")
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, w.Body.Bytes(), "", "  "); err != nil {
		pretty.Write(w.Body.Bytes())
	}
	b.Write(bytes.TrimSpace(pretty.Bytes()))
	b.WriteString("\n")
	got := b.String()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./httpapi -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("response differs from %s:\n--- got\n%s--- want\n%s", path, got, want)
	}
}
