package gone

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// MergePatch applies an RFC 7396 JSON merge patch to the object doc. The
// result must still be a JSON object.
func MergePatch(doc, patch json.RawMessage) (json.RawMessage, error) {
	var d, p any
	if err := decodeNumbers(doc, &d); err != nil {
		return nil, Errorf(EINTERNAL, "stored document is not JSON")
	}
	if err := decodeNumbers(patch, &p); err != nil {
		return nil, Errorf(EINVALID, "The patch must be JSON.")
	}
	out := mergeValue(d, p)
	if _, ok := out.(map[string]any); !ok {
		return nil, Errorf(EINVALID, "The patch must leave a JSON object.")
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	return b, nil
}

func mergeValue(target, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	tm, ok := target.(map[string]any)
	if !ok {
		tm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
			continue
		}
		tm[k] = mergeValue(tm[k], v)
	}
	return tm
}

// decodeNumbers decodes exactly one JSON value keeping numbers exact
// (json.Number), so a patch never rounds an untouched 64-bit id. Anything
// after the value is an error, as with json.Unmarshal.
func decodeNumbers(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}
