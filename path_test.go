package gone

import (
	"strings"
	"testing"
)

func TestNormalizePath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/blog/2019/x", "/blog/2019/x"},
		{"/blog/2019/", "/blog/2019/"},
		{"/blog/2019/../2019/x", "/blog/2019/x"},
		{"/blog/2020/../2019/x", "/blog/2019/x"},
		{"/blog/%2e%2e/blog/2019/x", "/blog/2019/x"},
		{"/blog/2019/%2E%2e/2019/x", "/blog/2019/x"},
		{"/blog/./2019/x", "/blog/2019/x"},
		{"/blog/%2e/2019/x", "/blog/2019/x"},
		{"//blog///2019//x", "/blog/2019/x"},
		{"/../../blog/2019/x", "/blog/2019/x"},
		{"/blog/2019/..", "/blog/"},
		{"/blog/2019/.", "/blog/2019/"},
		{"/%62log/2019/x", "/blog/2019/x"}, // a needless escape
		{"/caf%c3%a9", "/caf%C3%A9"},
		{"/a%20b", "/a%20b"},
		{"/a b", "/a%20b"},
		{"/a&b'c", "/a&b'c"},
		{"/a%3Fb", "/a%3Fb"}, // an escaped ? stays escaped: it is not a query
		{"/a%25b", "/a%25b"},
		// Reserved escapes are not the characters (RFC 3986 §6.2.2.2):
		// kept, with upper-case hex.
		{"/secret%3bx/data", "/secret%3Bx/data"},
		{"/a%3D%2c%40%3A%26%2B%21", "/a%3D%2C%40%3A%26%2B%21"},
		{"/%7e%2D%5f%2E%41%30", "/~-_.A0"}, // unreserved: decoded
		// Path parameters are kept, but a dot segment with parameters is
		// a dot segment (Tomcat reads "..;x" as "..").
		{"/a;x/b", "/a;x/b"},
		{"/old.html;x", "/old.html;x"},
		{"/public/..;/secret/data", "/secret/data"},
		{"/public/..;x=1/secret/data", "/secret/data"},
		{"/public/..%3B/secret/data", "/secret/data"},
		{"/public/%2e%2e;/secret/data", "/secret/data"},
		{"/public/.;/secret", "/public/secret"},
		{"/a/;/b", "/a/b"}, // an empty segment with a parameter
		{"/a/b/..;", "/a/"},
	} {
		got, err := NormalizePath(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("NormalizePath(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			continue
		}
		if again, err := NormalizePath(got); err != nil || again != got {
			t.Errorf("NormalizePath(%q) = %q, %v; want it unchanged (idempotent)", got, again, err)
		}
	}
}

func TestNormalizePathRefuses(t *testing.T) {
	for _, in := range []string{
		"blog/x",                 // relative
		"/blog%2F2019/x",         // encoded slash
		"/blog%2f2019/x",         //
		"/blog/2019/x%00",        // NUL
		"/blog/2019/x\x00",       //
		"/blog\\2019",            // backslash
		"/blog%5C2019",           //
		"/a%0d%0aSet-Cookie:x=1", // CRLF
		"/a%zz",                  // malformed escape
		"/a%4",                   //
		"/%ff%fe",                // not UTF-8
		"/" + strings.Repeat("a", MaxPathLength),
	} {
		if got, err := NormalizePath(in); err == nil || ErrorCode(err) != EINVALID {
			t.Errorf("NormalizePath(%q) = %q, %v; want EINVALID", in, got, err)
		}
	}
}

func TestReadings(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"/a/b", []string{"/a/b"}},
		{"/a;x/b", []string{"/a;x/b", "/a/b"}},
		{"/old.html;x", []string{"/old.html;x", "/old.html"}},
		{"/secret%3Bx/data", []string{"/secret%3Bx/data", "/secret;x/data", "/secret/data"}},
		{"/a%3Db", []string{"/a%3Db", "/a=b"}},
		{"/a;x%3Dy/b%20c", []string{"/a;x%3Dy/b%20c", "/a;x=y/b%20c", "/a/b%20c"}},
		{"/a/;x/b", []string{"/a/;x/b", "/a/b"}},
		{"/a/b;x/", []string{"/a/b;x/", "/a/b/"}},
		{"/;x", []string{"/;x", "/"}},
		{"/a/;x", []string{"/a/;x", "/a/"}},
	} {
		got := Readings(tc.in)
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("Readings(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRuleTableLookup(t *testing.T) {
	set := map[RuleKey]string{}
	for _, k := range []string{"/secret/*", "/old.html", "/a=b", "/blog/*", "/blog/keep"} {
		key, err := ParseRuleKey(k)
		if err != nil {
			t.Fatalf("ParseRuleKey(%q): %v", k, err)
		}
		set[key] = k
	}
	table := NewRuleTable[string]().With(set, nil)
	for _, tc := range []struct {
		path, want string // want: the rule, "" for none, "refused"
	}{
		{"/secret/data", "/secret/*"},
		{"/secret/data;jsessionid=1", "/secret/*"}, // every reading: the same rule
		{"/secret;x/data", "refused"},
		{"/secret%3Bx/data", "refused"},
		{"/old.html;x", "refused"},
		{"/old.html%3Bx", "refused"},
		{"/old.html", "/old.html"},
		{"/a=b", "/a=b"},
		{"/a%3Db", "refused"}, // nginx serves /a=b for it
		{"/public;x/page", ""},
		{"/public/a%3Db", ""},
		{"/blog/keep;v=2", "refused"}, // /blog/* or /blog/keep
		{"/blog/other;v=2", "/blog/*"},
	} {
		path, err := NormalizePath(tc.path)
		if err != nil {
			t.Fatalf("NormalizePath(%q): %v", tc.path, err)
		}
		v, _, ok, err := table.Lookup(path)
		got := v
		switch {
		case err != nil && ErrorCode(err) == EINVALID:
			got = "refused"
		case err != nil:
			got = err.Error()
		case !ok:
			got = ""
		}
		if got != tc.want {
			t.Errorf("Lookup(%q) = %q, want %q", path, got, tc.want)
		}
	}
}

func TestRulePath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/a%3Db", "/a=b"},
		{"/caf%c3%a9", "/caf%C3%A9"},
		{"/a%20b", "/a%20b"},
		{"/secret/", "/secret/"},
	} {
		if got, err := RulePath(tc.in); err != nil || got != tc.want {
			t.Errorf("RulePath(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"/a;b", "/a%3bb", "/a/../b", "/a/%2e/b"} {
		if got, err := RulePath(in); ErrorCode(err) != EINVALID {
			t.Errorf("RulePath(%q) = %q, %v; want EINVALID", in, got, err)
		}
	}
}

func FuzzNormalizePath(f *testing.F) {
	for _, s := range []string{"/", "/a/../b", "//x/%2e%2e/y", "/%41%2F", "/a/./b/", "/a/..;x/b", "/a;/b%3B/c;", "/a%3d;b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := NormalizePath(in)
		if err != nil {
			return
		}
		if again, err := NormalizePath(got); err != nil || again != got {
			t.Fatalf("NormalizePath(%q) = %q, then %q, %v: not idempotent", in, got, again, err)
		}
		segs := strings.Split(got[1:], "/")
		for i, seg := range segs {
			if dotSegment(seg) != "" && (seg != "" || i < len(segs)-1) {
				t.Fatalf("NormalizePath(%q) = %q keeps a dot segment (or one Tomcat reads as one)", in, got)
			}
		}
		for _, r := range Readings(got) {
			if again, err := NormalizePath(r); err != nil || again != r {
				t.Fatalf("Readings(%q) has %q, which normalizes to %q, %v", got, r, again, err)
			}
		}
		if strings.Contains(got, "//") || strings.Contains(strings.ToUpper(got), "%2F") {
			t.Fatalf("NormalizePath(%q) = %q", in, got)
		}
	})
}
