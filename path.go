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
// the upstream while its rule looks at something else. (Readings says
// which other forms an upstream may read it as; RuleTable.Lookup checks
// them all.)
//
// The canonical form:
//   - starts with "/"; "." and ".." segments are resolved (RFC 3986 §5.2.4),
//     also when escaped (%2e) and when followed by ";" path parameters
//     (raw or %3B): a Servlet container (Tomcat, Jetty, Undertow) reads
//     "..;x" as "..". ".." never climbs above the root;
//   - runs of "/" are one "/"; a trailing "/" is kept (it is significant);
//   - escapes of unreserved characters (RFC 3986 §2.3) are decoded; every
//     other escape is kept, with upper-case hex, because decoding it would
//     change what the path means (§6.2.2.2: "%3B" is not ";" to a Servlet
//     container); every other byte outside pchar is escaped.
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
		seg, err := canonicalSegment(raw)
		if err != nil {
			return "", err
		}
		switch dotSegment(seg) {
		case ".":
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
	out := joinSegments(segs)
	if len(out) > MaxPathLength {
		return "", pathErr("is too long")
	}
	return out, nil
}

func joinSegments(segs []string) string {
	if len(segs) == 0 {
		return "/"
	}
	return "/" + strings.Join(segs, "/")
}

// dotSegment says whether a canonical segment is read as "." (an empty
// one too) or "..", or neither (""). What follows the first ";" (raw or
// escaped) is a path parameter, which Servlet containers drop before they
// resolve dot segments.
func dotSegment(seg string) string {
	if i := paramStart(seg); i >= 0 {
		seg = seg[:i]
	}
	switch seg {
	case "", ".":
		return "."
	case "..":
		return ".."
	}
	return ""
}

// paramStart is the index of the first ";" or "%3B" of a canonical
// segment, or -1.
func paramStart(seg string) int {
	for i := 0; i < len(seg); i++ {
		switch {
		case seg[i] == ';':
			return i
		case strings.HasPrefix(seg[i:], "%3B"):
			return i
		}
	}
	return -1
}

// RulePath normalizes the path of a rule. Unlike a request path, a rule's
// path may not hold "." or ".." segments (escaped or not): a rule names a
// path as it is, and "/blog/../admin" retiring /admin would surprise
// whoever wrote it. Nor may it hold ";" (raw or %3B): Servlet containers
// read what follows as a path parameter, so the path such a rule names is
// not one path to every upstream. Escapes of reserved characters are
// decoded ("/a%3Db" is the rule "/a=b"): that is how nginx, Apache and
// Tomcat map a path to what they serve, and a request spelled either way
// is checked against it (see Readings).
func RulePath(p string) (string, error) {
	for _, seg := range strings.Split(p, "/") {
		switch strings.ToLower(seg) {
		case ".", "..", "%2e", "%2e%2e", ".%2e", "%2e.":
			return "", pathErr("has a . or .. segment; write the path a rule names as it is")
		}
	}
	if strings.Contains(p, ";") || strings.Contains(strings.ToUpper(p), "%3B") {
		return "", pathErr(`has a ";", which Servlet containers read as the start of a path parameter; write the path without it`)
	}
	norm, err := NormalizePath(p)
	if err != nil {
		return "", err
	}
	return decodeReserved(norm), nil
}

// Readings returns the forms an upstream may read a normalized path as,
// the path itself first, each distinct and normalized:
//   - the path as it is (an upstream that does not decode reserved escapes);
//   - with the escapes of reserved pchars decoded ("%3D" is "="), as
//     nginx, Apache and Go's file server map a path to a file;
//   - with each segment's ";" path parameters removed, as Servlet
//     containers do (Tomcat, Jetty, Undertow, Spring): raw ";" first and
//     then the escapes decoded (Tomcat: "/a%3Bx" is the name "a;x"), and
//     also after decoding ("%3B" too), as a container that decodes first
//     would.
//
// A path with no ";" and no escape has one reading: itself.
func Readings(norm string) []string {
	if !strings.ContainsAny(norm, ";%") {
		return []string{norm}
	}
	out := []string{norm}
	add := func(p string) {
		for _, q := range out {
			if q == p {
				return
			}
		}
		out = append(out, p)
	}
	decoded := decodeReserved(norm)
	add(decoded)
	add(decodeReserved(stripParams(norm)))
	add(stripParams(decoded))
	return out
}

// stripParams removes each segment's path parameters (from its first raw
// ";" on; decodeReserved turns "%3B" into ";" before, where that reading
// is wanted) and the empty segments that leaves, as Tomcat merges slashes.
func stripParams(norm string) string {
	if !strings.Contains(norm, ";") {
		return norm
	}
	segs := strings.Split(norm[1:], "/")
	kept := segs[:0]
	for i, s := range segs {
		if j := strings.IndexByte(s, ';'); j >= 0 {
			s = s[:j]
		}
		if s == "" && i < len(segs)-1 {
			continue
		}
		kept = append(kept, s)
	}
	if len(kept) == 1 && kept[0] == "" {
		return "/"
	}
	return joinSegments(kept)
}

// decodeReserved decodes the escapes of a normalized path that stand for
// pchars (sub-delims, ":" and "@"; unreserved ones are decoded already),
// leaving those of other bytes ("%20", "%3F", "%25", UTF-8) escaped.
func decodeReserved(norm string) string {
	if !strings.Contains(norm, "%") {
		return norm
	}
	var b strings.Builder
	b.Grow(len(norm))
	for i := 0; i < len(norm); i++ {
		if norm[i] == '%' && i+2 < len(norm) {
			if c := unhex(norm[i+1])<<4 | unhex(norm[i+2]); isPchar(c) {
				b.WriteByte(c)
				i += 2
				continue
			}
		}
		b.WriteByte(norm[i])
	}
	return b.String()
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
		if dotSegment(seg) != "" && (seg != "" || i < len(p)) {
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

// canonicalSegment returns one segment of a request path in canonical
// form: unreserved escapes decoded, other escapes kept with upper-case
// hex, other bytes outside pchar escaped. The bytes it stands for must be
// UTF-8, with no "/", "\" or control character.
func canonicalSegment(raw string) (string, error) {
	if !strings.ContainsAny(raw, "%\\") && isPlain(raw) {
		return raw, nil
	}
	var b strings.Builder
	var decoded []byte // what the segment stands for, to check UTF-8
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		escaped := c == '%'
		if escaped {
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
		decoded = append(decoded, c)
		if isUnreserved(c) || !escaped && isPchar(c) {
			b.WriteByte(c)
			continue
		}
		writeEscape(&b, c)
	}
	if !utf8.Valid(decoded) {
		return "", pathErr("is not UTF-8")
	}
	return b.String(), nil
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

func writeEscape(b *strings.Builder, c byte) {
	const hex = "0123456789ABCDEF"
	b.WriteByte('%')
	b.WriteByte(hex[c>>4])
	b.WriteByte(hex[c&15])
}

// isUnreserved reports whether c is unreserved (RFC 3986 §2.3): its
// escape means the same as the character itself.
func isUnreserved(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~'
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
