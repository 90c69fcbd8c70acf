package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/gonehttp/gone/answer"
)

// Every problem type a front door sends resolves to a page that documents
// it, on that door: /problems/{name} on gone serve, below the admin prefix
// on gone proxy (where its 502 and 504 point).
func TestEveryProblemTypeIsDocumented(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	serveAddr, _ := serveInProcess(t, ctx)
	proxyURL := proxyFor(t, "http://127.0.0.1:9", nil)
	for _, base := range []string{"http://" + serveAddr + answer.Base, proxyURL + "/_gone/problems/"} {
		for _, name := range answer.Types() {
			resp, err := http.Get(base + name)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || len(body) < 20 {
				t.Errorf("GET %s%s: %d %q, want 200 and its documentation", base, name, resp.StatusCode, body)
			}
		}
	}
	// The proxy's own 502 names a type that resolves there.
	resp, err := http.Get(proxyURL + "/anything")
	if err != nil {
		t.Fatal(err)
	}
	var p answer.Problem
	err = json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("the proxy with no upstream: %d (%v), want a 502 problem", resp.StatusCode, err)
	}
	doc, err := http.Get(proxyURL + p.Type)
	if err != nil {
		t.Fatal(err)
	}
	doc.Body.Close()
	if doc.StatusCode != 200 {
		t.Errorf("the 502's type %s: %d, want 200", p.Type, doc.StatusCode)
	}
}
