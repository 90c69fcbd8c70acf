package inbox

import (
	"path"
	"strings"

	"github.com/gonehttp/gone"
)

// MaxPatternBytes bounds an ignore pattern.
const MaxPatternBytes = 256

// MaxPatterns bounds how many ignore patterns the inbox keeps: each miss is
// matched against all of them, off the request's path.
const MaxPatterns = 1000

// ParsePattern checks an ignore pattern. Patterns are path.Match globs
// ("*" and "?" never cross a "/", "[…]" is a class):
//
//   - a pattern starting with "/" matches the whole path: "/wp-login.php",
//     "/cgi-bin/*.cgi"; ending in "/**", it matches everything below:
//     "/wp-admin/**";
//   - a pattern without "/" matches the last segment of any path: "*.php",
//     ".env".
//
// It returns EINVALID for anything else.
func ParsePattern(p string) (string, error) {
	bad := func(why string) (string, error) {
		return "", &gone.Error{Code: gone.EINVALID, Message: "Invalid pattern: " + why + ".", Fields: map[string]string{"pattern": why}}
	}
	switch {
	case p == "":
		return bad("is required")
	case len(p) > MaxPatternBytes:
		return bad("is longer than 256 bytes")
	case strings.ContainsAny(p, "\x00\r\n"):
		return bad("holds a control character")
	case strings.Contains(p, "/") && !strings.HasPrefix(p, "/"):
		return bad(`must start with "/" (a whole path) or hold no "/" (a last segment)`)
	}
	if _, err := path.Match(strings.TrimSuffix(p, "/**"), ""); err != nil {
		return bad("is not a valid glob")
	}
	return p, nil
}

// Patterns is a set of parsed ignore patterns.
type Patterns []string

// Match reports whether any pattern matches the path.
func (ps Patterns) Match(p string) bool {
	for _, pat := range ps {
		if matchPattern(pat, p) {
			return true
		}
	}
	return false
}

func matchPattern(pat, p string) bool {
	if !strings.HasPrefix(pat, "/") {
		ok, _ := path.Match(pat, p[strings.LastIndexByte(p, '/')+1:])
		return ok
	}
	if dir, ok := strings.CutSuffix(pat, "/**"); ok {
		// Match the pattern's segments against as many of the path's.
		n := strings.Count(dir, "/")
		segs := strings.SplitAfterN(p, "/", n+2)
		if len(segs) <= n {
			return false
		}
		head := strings.TrimSuffix(strings.Join(segs[:n+1], ""), "/")
		ok, _ := path.Match(dir, head)
		return ok && len(p) > len(head)
	}
	ok, _ := path.Match(pat, p)
	return ok
}
