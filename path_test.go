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

func FuzzNormalizePath(f *testing.F) {
	for _, s := range []string{"/", "/a/../b", "//x/%2e%2e/y", "/%41%2F", "/a/./b/"} {
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
		if !canonical(got) && strings.Contains(got, "/.") {
			for _, seg := range strings.Split(got, "/") {
				if seg == "." || seg == ".." {
					t.Fatalf("NormalizePath(%q) = %q keeps a dot segment", in, got)
				}
			}
		}
		if strings.Contains(got, "//") || strings.Contains(strings.ToUpper(got), "%2F") {
			t.Fatalf("NormalizePath(%q) = %q", in, got)
		}
	})
}
