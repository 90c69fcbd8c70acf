package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/edge"
)

// writeJSON sends v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// readObject reads a request body that must be one JSON object of at most
// MaxBodyBytes, with a JSON media type. It returns the compacted bytes.
func readObject(r *http.Request, mediaTypes ...string) (json.RawMessage, error) {
	if err := checkMediaType(r, mediaTypes...); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, gone.Errorf(gone.ETOOLARGE, "The body exceeds the limit of %d bytes.", MaxBodyBytes)
	}
	if stalled(r, err) {
		return nil, errStalled
	}
	if err != nil {
		return nil, gone.Errorf(gone.EINVALID, "The body could not be read.")
	}
	return decodeObject(body)
}

// errStalled answers a request whose body stopped arriving (408).
var errStalled = gone.Errorf(gone.ETIMEOUT, "The request body stopped arriving for longer than the server waits; send the request again.")

// stalled reports whether err, from reading r's body, is the edge's idle
// bound on it (edge.Config.BodyIdleTimeout): the client went quiet, and is
// answered 408, not told its body was malformed.
func stalled(r *http.Request, err error) bool {
	return err != nil && (errors.Is(err, edge.ErrBodyStalled) || edge.BodyStalled(r))
}

// decodeObject checks that body is exactly one JSON object (no trailing
// data, no duplicate keys at the top level) and compacts it.
func decodeObject(body []byte) (json.RawMessage, error) {
	// The common case, a valid object, is checked by the fast scanner;
	// anything else takes the token decoder below, which names the problem.
	if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '{' && utf8.Valid(body) && json.Valid(body) {
		if key, dup := repeatedMember(trimmed); dup {
			return nil, gone.Errorf(gone.EINVALID, "The body repeats the member %q.", key)
		}
		var out bytes.Buffer
		out.Grow(len(body))
		if err := json.Compact(&out, body); err != nil {
			return nil, gone.Errorf(gone.EINVALID, "The body is not valid JSON.")
		}
		return out.Bytes(), nil
	}
	return decodeObjectSlow(body)
}

// repeatedMember finds a member name that appears twice at the top level
// of obj, a valid JSON object (json.Valid said so, so the scan need not
// check syntax).
func repeatedMember(obj []byte) (string, bool) {
	seen := make(map[string]struct{}, 16)
	depth := 0
	for i := 0; i < len(obj); i++ {
		switch c := obj[i]; c {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		case '"':
			start := i
			escaped := false
			for i++; obj[i] != '"'; i++ {
				if obj[i] == '\\' {
					escaped = true
					i++
				}
			}
			if depth != 1 {
				continue
			}
			// A string at depth 1 is a member name when a colon follows.
			j := i + 1
			for j < len(obj) && (obj[j] == ' ' || obj[j] == '\t' || obj[j] == '\r' || obj[j] == '\n') {
				j++
			}
			if j == len(obj) || obj[j] != ':' {
				continue
			}
			key := string(obj[start+1 : i])
			if escaped {
				json.Unmarshal(obj[start:i+1], &key)
			}
			if _, dup := seen[key]; dup {
				return key, true
			}
			seen[key] = struct{}{}
		}
	}
	return "", false
}

// decodeObjectSlow is decodeObject with the token decoder, which says what
// is wrong with a body that is not one valid object.
func decodeObjectSlow(body []byte) (json.RawMessage, error) {
	if !utf8.Valid(body) {
		return nil, gone.Errorf(gone.EINVALID, "The body must be UTF-8.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, gone.Errorf(gone.EINVALID, "The body must be a JSON object: %s.", jsonProblem(err))
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, gone.Errorf(gone.EINVALID, "The body must be a JSON object.")
	}
	seen := map[string]bool{}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, gone.Errorf(gone.EINVALID, "The body is not valid JSON: %s.", jsonProblem(err))
		}
		key := k.(string)
		if seen[key] {
			return nil, gone.Errorf(gone.EINVALID, "The body repeats the member %q.", key)
		}
		seen[key] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, gone.Errorf(gone.EINVALID, "The body is not valid JSON: %s.", jsonProblem(err))
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, gone.Errorf(gone.EINVALID, "The body is not valid JSON: %s.", jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, gone.Errorf(gone.EINVALID, "The body must hold exactly one JSON object.")
	}
	var out bytes.Buffer
	if err := json.Compact(&out, body); err != nil {
		return nil, gone.Errorf(gone.EINVALID, "The body is not valid JSON.")
	}
	return out.Bytes(), nil
}

// decodeStrict decodes a small JSON control body (move, lifecycle) into v,
// refusing unknown fields and trailing data.
func decodeStrict(r *http.Request, v any) error {
	if err := checkMediaType(r); err != nil {
		return err
	}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return gone.Errorf(gone.ETOOLARGE, "The body is too large.")
		}
		if stalled(r, err) {
			return errStalled
		}
		return gone.Errorf(gone.EINVALID, "The body is not valid: %s.", jsonProblem(err))
	}
	if dec.More() {
		return gone.Errorf(gone.EINVALID, "The body must hold exactly one JSON object.")
	}
	return nil
}

// checkMediaType accepts application/json and the given extra types; a
// missing Content-Type is taken as JSON, for curl users.
func checkMediaType(r *http.Request, extra ...string) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && mt == "application/json" {
		return nil
	}
	for _, e := range extra {
		if err == nil && mt == e {
			return nil
		}
	}
	return gone.Errorf(gone.EUNSUPPORTED, "The body must be application/json.")
}

// jsonProblem describes a decoding error without echoing the input.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "it ends too early"
	case errors.As(err, &syn):
		return "syntax error at byte " + strconv.FormatInt(syn.Offset, 10)
	case errors.As(err, &typ):
		return "member " + strconv.Quote(typ.Field) + " has the wrong type"
	default:
		return err.Error()
	}
}
