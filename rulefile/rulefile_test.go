package rulefile

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

// show is a rule in one line, for comparing.
func show(s gone.RuleSpec) string {
	out := fmt.Sprintf("%d %s %s", s.Line, s.RuleKey, s.Action)
	if s.To != "" {
		out += " " + s.To
	}
	if s.Status != 0 {
		out += fmt.Sprintf(" %d", s.Status)
	}
	if !s.At.IsZero() {
		out += " at " + s.At.UTC().Format(time.RFC3339)
	}
	if s.Reason != "" {
		out += " (" + s.Reason + ")"
	}
	if s.Alternative != "" {
		out += " alt " + s.Alternative
	}
	return out
}

func read(t *testing.T, format, name string) *Result {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := Read(format, f)
	if err != nil {
		t.Fatalf("Read %s: %v", name, err)
	}
	return res
}

func check(t *testing.T, res *Result, rules, refused []string) {
	t.Helper()
	var got []string
	for _, r := range res.Rules {
		got = append(got, show(r))
	}
	if strings.Join(got, "\n") != strings.Join(rules, "\n") {
		t.Errorf("rules:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(rules, "\n"))
	}
	var ref []string
	for _, e := range res.Refused {
		ref = append(ref, e.Error())
	}
	if len(ref) != len(refused) {
		t.Errorf("refused:\n%s\nwant %d lines starting:\n%s", strings.Join(ref, "\n"), len(refused), strings.Join(refused, "\n"))
		return
	}
	for i := range ref {
		if !strings.HasPrefix(ref[i], refused[i]) {
			t.Errorf("refused[%d] = %q, want it to start %q", i, ref[i], refused[i])
		}
	}
}

func TestNginx(t *testing.T) {
	check(t, read(t, FormatNginx, "gone.nginx.conf"), []string{
		"4 /old-page.html gone",
		"5 /products/discontinued-widget gone",
		"17 /about-us-2015 gone",
		"21 /blog/2019/* gone",
		"25 /products/old-name moved /products/new-name 301",
		"29 /press%20kit moved /press",
	}, nil)
}

func TestNginxUnsupported(t *testing.T) {
	check(t, read(t, FormatNginx, "unsupported.nginx.conf"), []string{
		"4 /gone-one gone",
		"21 /gone-prefix/* gone",
	}, []string{
		"line 8: location ~ ^/old-(\\d+)$: only = /path",
		"line 13: return 302 /elsewhere: only return 410;",
		`line 17: location /rewritten returns, but also has "rewrite"`,
		"line 26: return 301 $scheme://example.com/new: variables are not supported",
	})
}

func TestNginxFixtureIsRealNginx(t *testing.T) {
	// The fixture is what nginx itself accepts.
	bin, err := exec.LookPath("nginx")
	if err != nil {
		t.Skip("nginx not installed")
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "nginx.conf")
	abs, _ := filepath.Abs(filepath.Join("testdata", "gone.nginx.conf"))
	os.WriteFile(conf, []byte(fmt.Sprintf("pid %s/nginx.pid;\nerror_log %s/error.log;\nevents {}\nhttp {\naccess_log off;\nclient_body_temp_path %s;\nproxy_temp_path %s;\nfastcgi_temp_path %s;\nuwsgi_temp_path %s;\nscgi_temp_path %s;\ninclude %s;\n}\n", dir, dir, dir, dir, dir, dir, dir, abs)), 0o644)
	if out, err := exec.Command(bin, "-t", "-q", "-p", dir, "-c", conf).CombinedOutput(); err != nil {
		t.Errorf("nginx -t rejects testdata/gone.nginx.conf: %v\n%s", err, out)
	}
}

func TestApache(t *testing.T) {
	check(t, read(t, FormatApache, "gone.apache.conf"), []string{
		"6 /old-page.html gone",
		"6 /old-page.html/* gone",
		"7 /blog/2019 gone",
		"7 /blog/2019/* gone",
		"8 /products/old-name moved /products/new-name 301",
		"9 /press-kit moved https://press.example.com/ 308",
		"10 /archive/2018/* gone",
		"11 /promo/flash.html gone",
		"12 /docs/v1 moved /docs/ 301",
	}, nil)
	check(t, read(t, FormatApache, "unsupported.apache.conf"), []string{
		"1 /fine gone",
		"1 /fine/* gone",
	}, []string{
		"line 2: Redirect /temporary: a temporary (302) redirect",
		"line 3: Redirect seeother: only gone",
		`line 4: RedirectMatch ^/user/(\d+)$: only an anchored literal`,
		"line 5: RedirectMatch /not-anchored: only an anchored literal",
		"line 6: RewriteRule ^/old$ /new [R=302]: only [G]",
		"line 7: RedirectMatch ^/a/(.*)$: only an anchored literal",
	})
}

func TestCSV(t *testing.T) {
	// With Excel's byte-order mark and CRLF line ends.
	check(t, read(t, FormatCSV, "gone.csv"), []string{
		"2 /blog/2019/* gone at 2026-01-05T00:00:00Z (The 2019 posts were retired) alt /blog/",
		"3 /products/old-name moved /products/new-name",
		"4 /legacy moved https://new.example/ 301",
		"5 /api/reports/* unavailable at 2027-01-01T06:00:00Z",
		"6 /drafts/x removed",
		"7 /promo/flash gone at 2027-01-01T00:00:00Z (Promotion ended) alt /promo/",
		"8 /caf%C3%A9,%20menu gone",
	}, nil)
	check(t, read(t, FormatCSV, "bad.csv"), []string{
		"2 /fine gone",
	}, []string{
		"line 3: /blog%2F2019/x: Invalid path: has an encoded slash",
		"line 4: /nul%00: Invalid path: has a control character",
		"line 5: /../../etc/passwd: Invalid path: has a . or .. segment",
		"line 6: status 301 needs the new path",
		`line 7: status "302"`,
		"line 8: status 503 needs at",
		`line 9: at "yesterday"`,
		"line 10: 2 fields, the header has 5",
	})
}

func TestCSVHeader(t *testing.T) {
	if _, err := ReadCSV(strings.NewReader("url,code\n/a,410\n")); err == nil || !strings.Contains(err.Error(), `no "path" column`) {
		t.Errorf("ReadCSV without a path column: %v, want an error naming it", err)
	}
}

func TestCSVLarge(t *testing.T) {
	var b strings.Builder
	b.WriteString("path,status,reason,alternative,at\r\n")
	for i := range 100_000 {
		fmt.Fprintf(&b, "/old/%d,410,,,\r\n", i)
	}
	b.WriteString("/bad%2Fline,410,,,\r\n")
	res, err := ReadCSV(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rules) != 100_000 || len(res.Refused) != 1 || res.Refused[0].Line != 100_002 {
		t.Errorf("100k lines: %d rules, refused %v; want 100000 and line 100002", len(res.Rules), res.Refused)
	}
}

// Promise: a file of many refused lines keeps the first MaxRefusedKept
// with their errors and counts the rest, and PrintRefused prints at most
// the lines asked for and then the count: 1M refused lines do not print
// 1M errors.
func TestManyRefusedLinesAreCounted(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("path,status,reason,alternative,at\r\n")
	const bad = 100_000
	for i := range bad {
		fmt.Fprintf(&b, "/bad%%2F%d,410,,,\r\n", i)
	}
	res, err := ReadCSV(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Refused) != MaxRefusedKept || res.RefusedLines() != bad || res.Refused[0].Line != 2 {
		t.Errorf("%d refused lines: kept %d, counted %d, first line %d; want %d kept, %d counted, line 2",
			bad, len(res.Refused), res.RefusedLines(), res.Refused[0].Line, MaxRefusedKept, bad)
	}
	var out strings.Builder
	res.PrintRefused(&out, "gone.csv", 20)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 21 || !strings.HasPrefix(lines[0], "gone.csv:2: ") || lines[20] != fmt.Sprintf("gone.csv: … and %d more refused lines", bad-20) {
		t.Errorf("PrintRefused(20) printed %d lines, first %q, last %q; want 21, gone.csv:2 first, the count last", len(lines), lines[0], lines[len(lines)-1])
	}
}

// A format gone only writes is refused on import with a message that says
// so, rather than as an unknown format.
func TestReadExportOnlyFormat(t *testing.T) {
	_, err := Read(FormatHAProxy, strings.NewReader("http-request return status 410 if { path /x }\n"))
	if err == nil || !strings.Contains(err.Error(), "exports to") {
		t.Errorf("Read(haproxy) = %v, want a refusal saying it is export-only", err)
	}
}
