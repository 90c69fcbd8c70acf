package gone

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on lifecycle text fields, in bytes.
const (
	MaxReasonLength      = 500
	MaxAlternativeLength = 2048
)

// IsReasonCode is the one rule that tells a reason code from free text, in
// the config's catalog and in a delete's reason alike: a code is lower-case
// ASCII words of letters and digits joined by single underscores, starting
// with a letter ("spam", "user_request", "legal_hold_2"). A reason of that
// shape must be a code of the catalog, so a mistyped code is an error rather
// than a silent free-text reason. Anything else (a space, a capital, other
// punctuation, a letter outside ASCII) is free text.
func IsReasonCode(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' || strings.HasSuffix(s, "_") || strings.Contains(s, "__") {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// validText reports whether s is valid UTF-8 with no control characters.
func validText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		if unicode.IsControl(c) {
			return false
		}
	}
	return true
}

// checkReason validates a delete reason against the catalog.
func (c *Config) checkReason(reason string) error {
	switch {
	case reason == "":
		return nil
	case len(reason) > MaxReasonLength:
		return invalid("reason", "must be at most 500 bytes")
	case !validText(reason):
		return invalid("reason", "must be UTF-8 text without control characters")
	case IsReasonCode(reason):
		if _, ok := c.Reasons[reason]; !ok {
			return invalid("reason", "unknown reason code "+reason+" (lower-case words are codes; free text has a space or a capital)")
		}
	}
	return nil
}

// checkAlternative validates an alternative: an absolute path on this
// server or an absolute http(s) URL.
func checkAlternative(alt string) error {
	if alt == "" {
		return nil
	}
	if len(alt) > MaxAlternativeLength || !validText(alt) || strings.ContainsAny(alt, " \\") {
		return invalid("alternative", "must be a path or http(s) URL of at most 2048 bytes")
	}
	for i := 0; i < len(alt); i++ {
		// It goes into Link: <…>; a < > " or another byte no URI holds
		// could end the target and add a link of the writer's choosing
		// (rel=stylesheet, another origin). Non-ASCII text is escaped
		// where the header is written (answer.LinkValue).
		if c := alt[i]; c < 0x80 && !uriByte(c) {
			return invalid("alternative", "must be a path or http(s) URL: percent-encode "+string(c)+" and any of < > \" { } | ^ `")
		}
	}
	u, err := url.Parse(alt)
	if err != nil {
		return invalid("alternative", "must be a path or http(s) URL")
	}
	if u.Scheme == "" && u.Host == "" && strings.HasPrefix(alt, "/") && !strings.HasPrefix(alt, "//") {
		return nil
	}
	if (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return nil
	}
	return invalid("alternative", "must be a path starting with / or an http(s) URL")
}

func invalid(field, problem string) *Error {
	return &Error{Code: EINVALID, Message: "Invalid " + field + ": " + problem + ".", Fields: map[string]string{field: problem}}
}
