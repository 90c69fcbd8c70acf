package gone

import "strings"

// uriByte says whether c may stand unescaped in a URI reference (RFC 3986
// §2: unreserved, gen-delims, sub-delims, and % for escapes). What it
// refuses, < > " space { } | \ ^ ` and controls, is exactly what could
// close a Link header's <…> or start a header of its own.
func uriByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~:/?#[]@!$&'()*+,;=%", c) >= 0
}

// LinkTarget is alt as the target of a Link header (RFC 8288 §3:
// "<" URI-Reference ">"): every byte that may not stand in a URI, non-ASCII
// included, percent-encoded. The service refuses an alternative with such
// a byte in ASCII; this keeps a value stored before that, or one that
// reached a record another way, from writing a header of its own.
func LinkTarget(alt string) string {
	i := 0
	for i < len(alt) && uriByte(alt[i]) {
		i++
	}
	if i == len(alt) {
		return alt
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(alt) + 16)
	b.WriteString(alt[:i])
	for ; i < len(alt); i++ {
		if c := alt[i]; uriByte(c) {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
