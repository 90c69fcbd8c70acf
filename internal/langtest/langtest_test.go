// Package langtest proves that a language is one catalog entry: a third
// language, added in this test binary only, is negotiated and spoken by
// gone serve's API (its kept answers included), by the rules that gone
// proxy and the gonehttp middleware answer with, in problem+json and in
// HTML, and by the edge's refusals.
package langtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/gonehttp"
	"github.com/gonehttp/gone/internal/demotest"
	"github.com/gonehttp/gone/sqlite"
)

func TestMain(m *testing.M) {
	if err := answer.AddLanguage("de", map[string]string{
		answer.MsgGone:          "Entfernt",
		answer.MsgNotFound:      "Nicht gefunden",
		answer.MsgRouteNotFound: "Den angefragten Endpunkt gibt es nicht.",
		answer.MsgRouteSuggest:  "Den angefragten Endpunkt gibt es nicht. Meinten Sie %s?",
		answer.PageDeletedAt:    "Entfernt am",
		answer.PageHome:         "Startseite",
	}); err != nil {
		panic(err)
	}
	m.Run()
}

func get(h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestThirdLanguageOnTheAPI(t *testing.T) {
	h := demotest.New(t).Handler(nil)
	// Three reads: the third is answered from the kept answer.
	for i := range 3 {
		w := get(h, "/api/users/123", "Accept-Language", "de-DE, en;q=0.5")
		if w.Code != 410 || w.Header().Get("Content-Language") != "de" || !strings.Contains(w.Body.String(), `"title":"Entfernt"`) {
			t.Fatalf("read %d in German: %d %q %s, want 410 in de", i+1, w.Code, w.Header().Get("Content-Language"), w.Body)
		}
		// The other languages keep their own answers beside it.
		if w := get(h, "/api/users/123", "Accept-Language", "es"); !strings.Contains(w.Body.String(), `"title":"Eliminado"`) {
			t.Fatalf("read %d in Spanish: %s", i+1, w.Body)
		}
	}
	if w := get(h, "/api/usres/123", "Accept-Language", "de"); !strings.Contains(w.Body.String(), "Den angefragten Endpunkt gibt es nicht. Meinten Sie /api/users/123?") {
		t.Errorf("an unknown route in German: %s", w.Body)
	}
}

func TestThirdLanguageOnRules(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "gone.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc := gone.NewService(store, demo.Config())
	admin := gone.Caller{Name: "ops", Scopes: []gone.Scope{gone.ScopeAdmin}}
	if _, _, err := svc.SetRule(ctx, admin, gone.RuleSpec{RuleKey: gone.RuleKey{Path: "/old/", Prefix: true}, Action: gone.RuleGone}); err != nil {
		t.Fatal(err)
	}
	rules, err := gonehttp.Load(ctx, svc)
	if err != nil {
		t.Fatal(err)
	}
	h := gonehttp.Handler(http.NotFoundHandler(), rules)
	w := get(h, "/old/page", "Accept-Language", "de")
	if w.Code != 410 || w.Header().Get("Content-Language") != "de" || !strings.Contains(w.Body.String(), `"title":"Entfernt"`) {
		t.Errorf("a retired path in German: %d %q %s", w.Code, w.Header().Get("Content-Language"), w.Body)
	}
	w = get(h, "/old/page", "Accept-Language", "de", "Accept", "text/html")
	for _, want := range []string{`<html lang="de">`, "Entfernt am", "Startseite"} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("the HTML page in German lacks %q:\n%s", want, w.Body)
		}
	}
	if w := get(h, "/old/page", "Accept-Language", "es"); !strings.Contains(w.Body.String(), `"title":"Eliminado"`) {
		t.Errorf("Spanish beside German: %s", w.Body)
	}
}
