package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRulesListFollowsPages imports more rules than a page holds into a
// real proxy and checks that the prefixed admin path pages them and that
// `gone rules list` still prints every one, in key order.
func TestRulesListFollowsPages(t *testing.T) {
	url := proxyInProcess(t)
	s := &cliServer{t: t, url: url}
	const n = 1234
	var csv strings.Builder
	csv.WriteString("path,status,reason,alternative,at\n")
	var want []string
	for i := range n {
		fmt.Fprintf(&csv, "/old/%04d,410,,,\n", i)
		want = append(want, fmt.Sprintf("/old/%04d", i))
	}
	file := filepath.Join(t.TempDir(), "gone.csv")
	if err := os.WriteFile(file, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	s.gone("", "rules", "import", file, "--output", "table").want(t, "rules import", 0, fmt.Sprintf("%d created", n))

	// The admin API under the proxy's prefix pages.
	get := func(query string) (int, map[string]any) {
		req, _ := http.NewRequest("GET", url+"/_gone/rules?"+query, nil)
		req.Header.Set("Authorization", "Bearer "+cliAdminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	code, first := get("")
	if rules, _ := first["rules"].([]any); code != 200 || len(rules) != 50 || first["next"] == nil {
		t.Errorf("GET /_gone/rules: %d with %d rules and next %v; want 200, the default page of 50, a next", code, len(rules), first["next"])
	}
	code, second := get("limit=3&cursor=" + fmt.Sprint(first["next"]))
	if rules, _ := second["rules"].([]any); code != 200 || len(rules) != 3 || rules[0].(map[string]any)["key"] != "/old/0050" {
		t.Errorf("GET /_gone/rules, the second page: %d, %v; want 3 rules from /old/0050", code, second)
	}
	if code, p := get("cursor=!!!"); code != 400 || p["status"] != float64(400) {
		t.Errorf("GET /_gone/rules?cursor=!!!: %d, %v; want a 400 problem", code, p)
	}

	// The CLI follows next: JSON holds every rule, in order, once.
	for _, size := range []string{"500", "7"} {
		r := s.gone("", "rules", "list", "--output", "json", "--page-size", size)
		r.want(t, "rules list --page-size "+size, 0)
		var out struct {
			Rules []struct{ Key string } `json:"rules"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("rules list --output json: %v", err)
		}
		var got []string
		for _, r := range out.Rules {
			got = append(got, r.Key)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("rules list --page-size %s: %d rules (first %.60v), want the %d imported in order", size, len(got), got, n)
		}
	}
	// The table (the default page size) has a line for every rule.
	r := s.gone("", "rules", "list", "--output", "table")
	r.want(t, "rules list --output table", 0, "/old/0000", "/old/0499", "/old/0500", "/old/1233")
	if lines := strings.Count(strings.TrimSpace(r.stdout), "\n"); lines != n {
		t.Errorf("rules list --output table: %d lines after the header, want %d", lines, n)
	}
	r = s.gone("", "rules", "list", "--output", "json", "--limit", "10", "--page-size", "3")
	r.want(t, "rules list --limit 10", 0, "/old/0009")
	if strings.Contains(r.stdout, "/old/0010") || strings.Count(r.stdout, `"key"`) != 10 {
		t.Errorf("rules list --limit 10: want exactly /old/0000 … /old/0009, got %s", r.stdout)
	}
	s.gone("", "rules", "list", "--page-size", "501").want(t, "rules list --page-size 501", 2)
}
