package httpapi

import (
	"bytes"
	"testing"
)

// FuzzDecodeObject holds the fast path of decodeObject to the token
// decoder's verdict: the same bodies accepted, the same bytes kept.
func FuzzDecodeObject(f *testing.F) {
	for _, s := range []string{
		`{"a":1}`, ` {"a":{"a":1},"b":[{"a":2}]} `, `{"a":1,"a":2}`, `{"a":1,"\u0061":2}`,
		`{"k\"ey":"v","k\"ey":1}`, `{"s":"a:b","t":{"a":1},"a":"{"}`, `{}`, `[]`, `{"a":1}{}`,
		`{"x":"\\","y":":"}`, `{"a" : 1, "b" :{"a":1}, "a" : 3}`, "{\"a\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fast, ferr := decodeObject(body)
		slow, serr := decodeObjectSlow(body)
		if (ferr == nil) != (serr == nil) {
			t.Fatalf("decodeObject(%q): fast error %v, slow error %v", body, ferr, serr)
		}
		if !bytes.Equal(fast, slow) {
			t.Fatalf("decodeObject(%q) = %q, slow path %q", body, fast, slow)
		}
	})
}
