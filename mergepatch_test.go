package gone

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// jsonEqual reports whether a and b are the same JSON value, comparing
// numbers by their text.
func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := decodeNumbers(a, &va); err != nil {
		t.Fatalf("decode %s: %v", a, err)
	}
	if err := decodeNumbers(b, &vb); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return reflect.DeepEqual(va, vb)
}

// TestMergePatchRFC7396 runs the examples of RFC 7396, Appendix A. The
// examples whose result is not an object are refused: a resource stays a
// JSON object.
func TestMergePatchRFC7396(t *testing.T) {
	tests := []struct {
		name, doc, patch, want string
	}{
		{"replace member", `{"a":"b"}`, `{"a":"c"}`, `{"a":"c"}`},
		{"add member", `{"a":"b"}`, `{"b":"c"}`, `{"a":"b","b":"c"}`},
		{"remove member", `{"a":"b"}`, `{"a":null}`, `{}`},
		{"remove one of two", `{"a":"b","b":"c"}`, `{"a":null}`, `{"b":"c"}`},
		{"array replaced by string", `{"a":["b"]}`, `{"a":"c"}`, `{"a":"c"}`},
		{"string replaced by array", `{"a":"c"}`, `{"a":["b"]}`, `{"a":["b"]}`},
		{"nested merge and remove", `{"a":{"b":"c"}}`, `{"a":{"b":"d","c":null}}`, `{"a":{"b":"d"}}`},
		{"array of objects replaced", `{"a":[{"b":"c"}]}`, `{"a":[1]}`, `{"a":[1]}`},
		{"array target replaced", `["a","b"]`, `["c","d"]`, ""},
		{"object replaced by array", `{"a":"b"}`, `["c"]`, ""},
		{"object replaced by null", `{"a":"foo"}`, `null`, ""},
		{"object replaced by string", `{"a":"foo"}`, `"bar"`, ""},
		{"target null kept", `{"e":null}`, `{"a":1}`, `{"e":null,"a":1}`},
		{"array target becomes object", `[1,2]`, `{"a":"b","c":null}`, `{"a":"b"}`},
		{"deep null in new member", `{}`, `{"a":{"bb":{"ccc":null}}}`, `{"a":{"bb":{}}}`},
		// Beyond the appendix.
		{"empty patch changes nothing", `{"a":1,"b":[1,2]}`, `{}`, `{"a":1,"b":[1,2]}`},
		{"remove absent member", `{"a":1}`, `{"z":null}`, `{"a":1}`},
		{"scalar member becomes object", `{"a":1}`, `{"a":{"b":null,"c":2}}`, `{"a":{"c":2}}`},
		{"unicode keys", `{"ñ":"a"}`, `{"ñ":"b","日本":true}`, `{"ñ":"b","日本":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MergePatch(json.RawMessage(tt.doc), json.RawMessage(tt.patch))
			if tt.want == "" {
				if code := ErrorCode(err); code != EINVALID {
					t.Fatalf("MergePatch(%s, %s) = %s, %v; want code %q", tt.doc, tt.patch, got, err, EINVALID)
				}
				return
			}
			if err != nil {
				t.Fatalf("MergePatch(%s, %s): %v", tt.doc, tt.patch, err)
			}
			if !jsonEqual(t, got, []byte(tt.want)) {
				t.Errorf("MergePatch(%s, %s) = %s, want %s", tt.doc, tt.patch, got, tt.want)
			}
		})
	}
}

func TestMergePatchKeepsNumbers(t *testing.T) {
	doc := `{"id":12345678901234567890,"small":-0.1000000000000000055511151231257827,"big":1e400,"n":1}`
	got, err := MergePatch(json.RawMessage(doc), json.RawMessage(`{"n":2,"m":98765432109876543210.5}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"id":12345678901234567890`, `"small":-0.1000000000000000055511151231257827`, `"big":1e400`, `"n":2`, `"m":98765432109876543210.5`} {
		if !strings.Contains(string(got), want) {
			t.Errorf("MergePatch = %s, want it to contain %s", got, want)
		}
	}
}

func TestMergePatchErrors(t *testing.T) {
	tests := []struct {
		name, doc, patch, code string
	}{
		{"patch not JSON", `{}`, `{`, EINVALID},
		{"patch empty", `{}`, ``, EINVALID},
		{"patch with trailing data", `{}`, `{"a":1} {"b":2}`, EINVALID},
		{"patch with trailing garbage", `{}`, `{"a":1}x`, EINVALID},
		{"stored document not JSON", `{`, `{}`, EINTERNAL},
		{"stored document with trailing data", `{"a":1}{}`, `{}`, EINTERNAL},
		{"result is a number", `{}`, `1`, EINVALID},
		{"result is true", `{"a":1}`, `true`, EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MergePatch(json.RawMessage(tt.doc), json.RawMessage(tt.patch))
			if code := ErrorCode(err); code != tt.code {
				t.Errorf("MergePatch(%q, %q) = %s, %v; want code %q", tt.doc, tt.patch, got, err, tt.code)
			}
		})
	}
}

// TestMergePatchDoesNotAlias: the result shares no memory with its inputs.
func TestMergePatchDoesNotAlias(t *testing.T) {
	doc := json.RawMessage(`{"a":{"b":1}}`)
	patch := json.RawMessage(`{"a":{"c":2}}`)
	docCopy, patchCopy := bytes.Clone(doc), bytes.Clone(patch)
	if _, err := MergePatch(doc, patch); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, docCopy) || !bytes.Equal(patch, patchCopy) {
		t.Errorf("MergePatch changed its inputs: doc %s, patch %s", doc, patch)
	}
}

// FuzzMergePatch: MergePatch never panics; it returns a JSON object or an
// error, and applying the same patch twice changes nothing more (RFC 7396
// patches are idempotent).
func FuzzMergePatch(f *testing.F) {
	seeds := [][2]string{
		{`{"a":"b"}`, `{"a":"c"}`},
		{`{"a":{"b":"c"}}`, `{"a":{"b":"d","c":null}}`},
		{`[1,2]`, `{"a":"b","c":null}`},
		{`{}`, `{"a":{"bb":{"ccc":null}}}`},
		{`{"a":"foo"}`, `null`},
		{`{"id":12345678901234567890}`, `{"n":1e400}`},
		{`{"a":1}`, `{"a":1}{"b":2}`},
		{`{"a":"\ud800"}`, `{"\u0000":"\xff"}`},
		{`{"a":1,"a":2}`, `{"a":{"x":null},"a":null}`},
		{``, ``},
		{`{"a":` + strings.Repeat(`[`, 200) + strings.Repeat(`]`, 200) + `}`, `{"b":` + strings.Repeat(`{"c":`, 100) + `1` + strings.Repeat(`}`, 101)},
	}
	for _, s := range seeds {
		f.Add([]byte(s[0]), []byte(s[1]))
	}
	f.Fuzz(func(t *testing.T, doc, patch []byte) {
		got, err := MergePatch(doc, patch)
		if err != nil {
			if code := ErrorCode(err); code != EINVALID && code != EINTERNAL {
				t.Fatalf("MergePatch(%q, %q): error %v, want code %q or %q", doc, patch, err, EINVALID, EINTERNAL)
			}
			return
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(got, &obj); err != nil || obj == nil {
			t.Fatalf("MergePatch(%q, %q) = %s, want a JSON object (%v)", doc, patch, got, err)
		}
		again, err := MergePatch(got, patch)
		if err != nil {
			t.Fatalf("MergePatch(result, patch): %v", err)
		}
		if !jsonEqual(t, got, again) {
			t.Fatalf("patch %q is not idempotent: once %s, twice %s", patch, got, again)
		}
	})
}
