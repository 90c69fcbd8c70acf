package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"
)

// TestOpenAPINoDuplicateKeys guards the hand-written document against a
// key written twice in one object (a text merge does that silently, and
// encoding/json keeps only the last one, so half a schema would vanish).
func TestOpenAPINoDuplicateKeys(t *testing.T) {
	dec := json.NewDecoder(bytes.NewReader(openAPI))
	if err := walkJSON(dec, "#"); err != nil {
		t.Fatal(err)
	}
}

// walkJSON reads one JSON value from dec and reports the first object
// that holds a key twice, by its JSON pointer.
func walkJSON(dec *json.Decoder, at string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return err
			}
			key := k.(string)
			if seen[key] {
				return &dupKeyError{at: at, key: key}
			}
			seen[key] = true
			if err := walkJSON(dec, at+"/"+key); err != nil {
				return err
			}
		}
		_, err = dec.Token()
	case json.Delim('['):
		for dec.More() {
			if err := walkJSON(dec, at+"/[]"); err != nil {
				return err
			}
		}
		_, err = dec.Token()
	}
	if err == io.EOF {
		return nil
	}
	return err
}

type dupKeyError struct{ at, key string }

func (e *dupKeyError) Error() string {
	return "openapi.json: " + e.at + " holds the key " + `"` + e.key + `"` + " twice"
}
