package answer

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// awkward are strings whose JSON escaping differs between encoders that
// are almost right: HTML characters, control bytes, quotes and
// backslashes, the JavaScript line separators, invalid UTF-8, and text
// beyond ASCII.
var awkward = []string{
	"", "plain", `"quoted" \back\slash/`, "<a href='x'>&amp;</a>",
	"tab\tnew\nline\rret\bback\fform\x00nul\x1fus\x7fdel",
	"sep\u2028para\u2029end", "bad\xffutf8\xc3", "\xe2\x80", "Zoë, 東京, 🙂",
	"/api/users/u-42.~_x", "Die Ressource {id} wurde am 2026-01-02 gelöscht.",
}

// TestAppendProblemMatchesMarshal checks appendProblem against
// json.Marshal: each string member in turn set to each awkward string,
// then every member set at once. Setting members by reflection means a
// member added to Problem later is covered (and fails here until
// appendProblem writes it).
func TestAppendProblemMatchesMarshal(t *testing.T) {
	check := func(p *Problem) {
		t.Helper()
		want, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendProblem(nil, p); !bytes.Equal(got, want) {
			t.Fatalf("appendProblem:\n got %s\nwant %s", got, want)
		}
	}
	typ := reflect.TypeFor[Problem]()
	full := &Problem{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Name == "Errors" {
			continue // maps go through json.Marshal (see writeProblem)
		}
		for _, s := range awkward {
			p := &Problem{Status: 404}
			setMember(t, reflect.ValueOf(p).Elem().Field(i), s, 7)
			check(p)
		}
		setMember(t, reflect.ValueOf(full).Elem().Field(i), awkward[i%len(awkward)], 410)
	}
	check(full)
	check(&Problem{})
	check(&Problem{Status: -3, RetryAfter: -1})
}

func setMember(t *testing.T, v reflect.Value, s string, n int) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int:
		v.SetInt(int64(n))
	default:
		t.Fatalf("Problem has a member of kind %s that appendProblem does not write", v.Kind())
	}
}

// FuzzAppendJSONString compares appendJSONString with encoding/json on
// arbitrary bytes.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range awkward {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("%q:\n got %s\nwant %s", s, got, want)
		}
	})
}
