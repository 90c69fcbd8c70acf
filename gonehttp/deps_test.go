package gonehttp_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The middleware is embedded in other people's services: what it links is
// theirs to carry. It needs the domain and the answer vocabulary, never
// gone's API, its admin console or the Prometheus client.
func TestMiddlewareDependencies(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/gonehttp/gone/httpapi", "github.com/gonehttp/gone/console", "github.com/prometheus/"} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("gonehttp depends on %s", dep)
			}
		}
	}
}
