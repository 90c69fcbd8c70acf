package rulefile

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

var update = flag.Bool("update", false, "rewrite the golden exports in testdata/export")

var exportNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// exportList is a list with every kind of rule: exact and prefix 410s, an
// exact move under a retired prefix, 301 and 308 moves (to a path and to
// another site), a prefix move, a removed path, a 410 scheduled for later
// and a maintenance window.
func exportList() []gone.RuleSpec {
	r := func(key string, action gone.RuleAction) gone.RuleSpec {
		k, err := gone.ParseRuleKey(key)
		if err != nil {
			panic(err)
		}
		return gone.RuleSpec{RuleKey: k, Action: action}
	}
	mv := func(key, to string, st int) gone.RuleSpec {
		s := r(key, gone.RuleMoved)
		s.To, s.Status = to, st
		return s
	}
	promo := r("/promo", gone.RuleGone)
	promo.At = exportNow.Add(30 * 24 * time.Hour)
	maint := r("/api/reports/*", gone.RuleUnavailable)
	maint.At = exportNow.Add(time.Hour)
	return []gone.RuleSpec{
		r("/old-page.html", gone.RuleGone),
		r("/blog/2019/*", gone.RuleGone),
		mv("/blog/2019/keep", "/blog/kept", 308),
		mv("/products/old-name", "/products/new-name", 301),
		mv("/docs/v1/*", "/docs/", 308),
		mv("/legacy", "https://new.example.com/", 308),
		r("/drafts/x", gone.RuleRemoved),
		r("/about-us-2015", gone.RuleGone),
		promo, maint,
	}
}

// TestWriteGolden writes the list in every format and compares it with
// testdata/export (go test -update rewrites them), twice: an export is
// the same bytes when nothing changed.
func TestWriteGolden(t *testing.T) {
	t.Parallel()
	for _, format := range Writable() {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			var a, b bytes.Buffer
			opt := WriteOptions{Host: "example.com"}
			if _, err := Write(format, &a, exportList(), exportNow, opt); err != nil {
				t.Fatal(err)
			}
			list := exportList()
			for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
				list[i], list[j] = list[j], list[i]
			}
			Write(format, &b, list, exportNow, opt)
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Errorf("the same rules in another order export other bytes:\n%s\n---\n%s", a.String(), b.String())
			}
			golden := filepath.Join("testdata", "export", format+".golden")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				os.WriteFile(golden, a.Bytes(), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if !bytes.Equal(a.Bytes(), want) {
				t.Errorf("export differs from %s:\n%s", golden, a.String())
			}
		})
	}
}

// TestWriteReadBack reads every export that has a reader back: the rules
// it wrote come back as they were, and the ones it left out are named.
func TestWriteReadBack(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format string
		left   []string // keys left out (not written with less)
	}{
		{FormatNginx, []string{"/api/reports/*", "/promo"}},
		{FormatApache, []string{"/api/reports/*", "/promo"}},
		{FormatCSV, nil},
		{FormatNetlify, []string{"/api/reports/*", "/drafts/x", "/promo"}},
		{FormatCaddy, []string{"/api/reports/*", "/promo"}},
		{FormatIIS, []string{"/api/reports/*", "/promo"}},
		{FormatVercel, []string{"/old-page.html", "/blog/2019/*", "/drafts/x", "/about-us-2015", "/promo", "/api/reports/*"}},
		{FormatShopify, []string{"/old-page.html", "/blog/2019/*", "/docs/v1/*", "/drafts/x", "/about-us-2015", "/promo", "/api/reports/*"}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			e, err := Write(tt.format, &buf, exportList(), exportNow, WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var left []string
			for _, l := range e.Left {
				if !l.Written {
					left = append(left, l.Key)
				}
			}
			leftSet := strings.Join(sorted(left), " ")
			if want := strings.Join(sorted(tt.left), " "); leftSet != want {
				t.Errorf("left out %s, want %s", leftSet, want)
			}
			res, err := Read(tt.format, &buf)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Refused) > 0 {
				t.Errorf("reading the export back refused %v", res.Refused)
			}
			var want, got []string
			as301 := tt.format == FormatIIS || tt.format == FormatShopify
			for _, s := range Ordered(exportList()) {
				if !strings.Contains(" "+leftSet+" ", " "+s.RuleKey.String()+" ") {
					if tt.format != FormatCSV {
						s.At = time.Time{}
					}
					if as301 && s.Action == gone.RuleMoved {
						s.Status = 301
					}
					if s.Status == 308 {
						s.Status = 0
					}
					want = append(want, showNoLine(s))
				}
			}
			for _, s := range res.Rules {
				if s.Status == 308 {
					s.Status = 0
				}
				got = append(got, showNoLine(s))
			}
			if strings.Join(sorted(got), "\n") != strings.Join(sorted(want), "\n") {
				t.Errorf("read back:\n%s\nwant:\n%s\nexport:\n%s", strings.Join(sorted(got), "\n"), strings.Join(sorted(want), "\n"), buf.String())
			}
		})
	}
}

func showNoLine(s gone.RuleSpec) string {
	s.Line = 0
	return show(s)
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestSniffRefusesAnotherFormat(t *testing.T) {
	t.Parallel()
	tests := []struct{ format, file, like string }{
		{FormatNginx, "Caddyfile", ""},
		{FormatNginx, "netlify_redirects", FormatNetlify},
		{FormatCSV, "shopify.csv", FormatShopify},
		{FormatApache, "web.config", FormatIIS},
		{FormatVercel, "redirection.json", FormatWordPress},
		{FormatNetlify, "gone.apache.conf", FormatApache},
		{FormatCaddy, "netlify.toml", FormatNetlifyTOML},
	}
	for _, tt := range tests {
		f, err := os.Open(filepath.Join("testdata", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		_, err = Read(tt.format, f)
		f.Close()
		switch {
		case tt.like == "" && err != nil:
			t.Errorf("Read(%s, %s) = %v, want no format error", tt.format, tt.file, err)
		case tt.like != "" && (err == nil || !strings.Contains(err.Error(), "like "+tt.like)):
			t.Errorf("Read(%s, %s) = %v, want an error saying it looks like %s", tt.format, tt.file, err, tt.like)
		}
	}
}
