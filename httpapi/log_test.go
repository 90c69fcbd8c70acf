package httpapi_test

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gonehttp/gone/internal/demotest"
)

// The request log names the caller and the route, which inner layers
// (authenticate, the mux) find out after the log line's layer has started.
func TestRequestLogNamesCallerAndRoute(t *testing.T) {
	var buf bytes.Buffer
	h := demotest.New(t).Handler(slog.New(slog.NewTextHandler(&buf, nil)))
	r := httptest.NewRequest("GET", "/api/users/42", nil)
	r.Header.Set("Authorization", "Bearer "+adminToken)
	r.Header.Set("X-Request-Id", "req-1")
	h.ServeHTTP(httptest.NewRecorder(), r)
	line := buf.String()
	for _, want := range []string{"request_id=req-1", "caller=admin", `route="GET /api/{collection}/{id}"`, "status=200"} {
		if !strings.Contains(line, want) {
			t.Errorf("log line lacks %s: %s", want, line)
		}
	}
}
