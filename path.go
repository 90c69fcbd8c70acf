package gone

import (
	"strings"
	"unicode/utf8"
)

// MaxPathLength is the longest normalized path gone matches or forwards, in
// bytes.
const MaxPathLength = 2048

// NormalizePath returns the one canonical form of a request path, given in
// its escaped (wire) form, or EINVALID. The proxy and the middleware match
// rules against this form and forward exactly this form, so no spelling of
// a path (dot segments, %2e%2e, double slashes, needless escapes) can reach
// the upstream while its rule looks at something else.
//
// The canonical form:
//   - starts with "/"; "." and ".." segments are resolved (RFC 3986 §5.2.4),
//     also when escaped (%2e), and ".." never climbs above the root;
//   - runs of "/" are one "/"; a trailing "/" is kept (it is significant);
//   - unreserved characters (RFC 3986 §2.3) are never escaped; every other
//     byte outside pchar is escaped as %XX with upper-case hex.
//
// Refused, because upstreams disagree on what they mean and a rule could be
// slipped past: an escaped "/" (%2F) or "\" (raw or %5C), NUL and other
// control characters, bytes that are not UTF-8 once unescaped, malformed
// escapes, and paths longer than MaxPathLength.
func NormalizePath(escaped string) (string, error) {
	if escaped == "" {
		escaped = "/"
	}
	if escaped[0] != '/' {
		return "", pathErr("must start with /")
	}
	if canonical(escaped) {
		return escaped, nil // the common case, without allocating
	}
	if len(escaped) > 3*MaxPathLength {
		return "", pathErr("is too long")
	}
	var segs []string
	rest := escaped[1:]
	for {
		raw, after, more := strings.Cut(rest, "/")
		seg, err := unescapeSegment(raw)
		if err != nil {
			return "", err
		}
		switch seg {
		case "", ".":
			// Empty (a doubled slash) and "." segments add nothing; at
			// the end they leave a trailing slash.
			if !more {
				segs = append(segs, "")
			}
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
			if !more {
				segs = append(segs, "")
			}
		default:
			segs = append(segs, seg)
		}
		if !more {
			break
		}
		rest = after
	}
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		escapeSegment(&b, s)
	}
	out := b.String()
	if out == "" {
		out = "/"
	}
	if len(out) > MaxPathLength {
		return "", pathErr("is too long")
	}
	return out, nil
}

// RulePath normalizes the path of a rule. Unlike a request path, a rule's
// path may not hold "." or ".." segments (escaped or not): a rule names a
// path as it is, and "/blog/../admin" retiring /admin would surprise
// whoever wrote it.
func RulePath(p string) (string, error) {
	for _, seg := range strings.Split(p, "/") {
		switch strings.ToLower(seg) {
		case ".", "..", "%2e", "%2e%2e", ".%2e", "%2e.":
			return "", pathErr("has a . or .. segment; write the path a rule names as it is")
		}
	}
	return NormalizePath(p)
}

// canonical reports whether p is already in canonical form: plain pchars
// and single slashes, with no dot segment.
func canonical(p string) bool {
	if len(p) > MaxPathLength {
		return false
	}
	segStart := 0
	for i := 1; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			if !isPchar(p[i]) {
				return false
			}
			continue
		}
		seg := p[segStart+1 : i]
		if seg == "." || seg == ".." || (seg == "" && i < len(p)) {
			return false
		}
		segStart = i
	}
	return true
}

// UnescapePath returns the decoded form of a path NormalizePath returned,
// for url.URL.Path (whose RawPath holds the escaped form).
func UnescapePath(norm string) string {
	if !strings.Contains(norm, "%") {
		return norm
	}
	var b strings.Builder
	for i := 0; i < len(norm); i++ {
		if norm[i] == '%' && i+2 < len(norm) {
			b.WriteByte(unhex(norm[i+1])<<4 | unhex(norm[i+2]))
			i += 2
			continue
		}
		b.WriteByte(norm[i])
	}
	return b.String()
}

func unescapeSegment(raw string) (string, error) {
	if !strings.ContainsAny(raw, "%\\") && isPlain(raw) {
		return raw, nil
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == '%' {
			if i+2 >= len(raw) || !isHex(raw[i+1]) || !isHex(raw[i+2]) {
				return "", pathErr("has a malformed %-escape")
			}
			c = unhex(raw[i+1])<<4 | unhex(raw[i+2])
			i += 2
			if c == '/' {
				return "", pathErr("has an encoded slash (%2F)")
			}
		}
		switch {
		case c == '\\':
			return "", pathErr(`has a backslash`)
		case c < 0x20 || c == 0x7f:
			return "", pathErr("has a control character")
		}
		b.WriteByte(c)
	}
	s := b.String()
	if !utf8.ValidString(s) {
		return "", pathErr("is not UTF-8")
	}
	return s, nil
}

// isPlain reports whether s needs neither unescaping nor checks: only
// printable ASCII pchars.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isPchar(s[i]) {
			return false
		}
	}
	return true
}

func escapeSegment(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isPchar(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
}

// isPchar reports whether c may stand unescaped in a path segment (RFC 3986
// §3.3: unreserved, sub-delims, ":" and "@").
func isPchar(c byte) bool {
	if isAlnum(c) {
		return true
	}
	switch c {
	case '-', '.', '_', '~', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', ':', '@':
		return true
	}
	return false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

func pathErr(problem string) *Error {
	return invalid("path", problem)
}
