package httpapi

import (
	"encoding/base64"
	"net/http"
	"strconv"

	"github.com/gonehttp/gone"
)

// pageLimit reads a listing's limit: 0 when absent (the default), a
// positive integer, else EINVALID. The maximum is the service's to check.
func pageLimit(r *http.Request) (int, error) {
	l := r.URL.Query().Get("limit")
	if l == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(l)
	if err != nil || n < 1 {
		return 0, gone.Errorf(gone.EINVALID, "limit must be a positive integer.")
	}
	return n, nil
}

// pageCursor reads a listing's cursor: the key of the last item of the
// previous page, base64url so that it stays opaque and fits in a query.
func pageCursor(r *http.Request) (string, error) {
	c := r.URL.Query().Get("cursor")
	if c == "" {
		return "", nil
	}
	after, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", gone.Errorf(gone.EINVALID, "cursor is not a cursor this server gave.")
	}
	return string(after), nil
}

// nextCursor is the cursor of the page after the one ending at key; ""
// (no next member) when nothing follows.
func nextCursor(key string) string {
	if key == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(key))
}
