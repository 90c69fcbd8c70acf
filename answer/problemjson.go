package answer

import (
	"strconv"
	"unicode/utf8"
)

// appendProblem appends p as encoding/json would marshal it, byte for byte,
// without reflection: every 404 and 410 of a read carries a problem, and
// json.Marshal was about a third of a cached 404's own cost. A problem with
// field errors (a map, rare and never on the read path) goes through
// json.Marshal; TestAppendProblemMatchesMarshal compares the two on every
// member and on awkward strings, so a member added to Problem without
// being added here fails that test.
func appendProblem(b []byte, p *Problem) []byte {
	b = append(b, `{"type":`...)
	b = appendJSONString(b, p.Type)
	b = append(b, `,"title":`...)
	b = appendJSONString(b, p.Title)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(p.Status), 10)
	b = append(b, `,"detail":`...)
	b = appendJSONString(b, p.Detail)
	b = append(b, `,"instance":`...)
	b = appendJSONString(b, p.Instance)
	b = append(b, `,"error":`...)
	b = appendJSONString(b, p.Error)
	b = append(b, `,"message":`...)
	b = appendJSONString(b, p.Message)
	b = appendOptional(b, `,"deletedAt":`, p.DeletedAt)
	b = appendOptional(b, `,"expiredAt":`, p.ExpiredAt)
	b = appendOptional(b, `,"reason":`, p.Reason)
	b = appendOptional(b, `,"alternative":`, p.Alternative)
	b = appendOptional(b, `,"suggestion":`, p.Suggestion)
	b = appendOptional(b, `,"state":`, string(p.State))
	b = appendOptional(b, `,"movedTo":`, p.MovedTo)
	b = appendOptional(b, `,"restorableUntil":`, p.RestorableUntil)
	if p.RetryAfter != 0 {
		b = append(b, `,"retryAfter":`...)
		b = strconv.AppendInt(b, int64(p.RetryAfter), 10)
	}
	b = appendOptional(b, `,"availableAt":`, p.AvailableAt)
	b = appendOptional(b, `,"requestId":`, p.RequestID)
	b = appendOptional(b, `,"tokenState":`, string(p.TokenState))
	b = appendOptional(b, `,"revokedAt":`, p.RevokedAt)
	return append(b, '}')
}

// appendOptional appends an omitempty string member.
func appendOptional(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	return appendJSONString(append(b, key...), v)
}

// appendJSONString appends s as a JSON string escaped as encoding/json
// escapes it by default: <, > and & as \u003c, \u003e and \u0026 (HTML
// safe), U+2028 and U+2029 escaped, invalid UTF-8 replaced by \ufffd.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
