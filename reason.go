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

// IsReasonCode reports whether s has the shape of a reason code: lower-case
// words joined by "_" ("user_request"). A reason of that shape must be a
// known code; anything else (it has a space, a capital, punctuation) is free
// text. So a mistyped code is an error rather than a silent free-text reason.
func IsReasonCode(s string) bool {
	if !strings.Contains(s, "_") || strings.HasPrefix(s, "_") || strings.HasSuffix(s, "_") || strings.Contains(s, "__") {
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
			return invalid("reason", "unknown reason code "+reason)
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
