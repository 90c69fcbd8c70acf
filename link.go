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
