package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// BatchRow is one line of a batch: a resource id and its representation.
type BatchRow struct {
	ID   string          `json:"id"`
	Data json.RawMessage `json:"data"`
}

// BatchResult is the server's answer for one row of a batch. Status is what
// the same PUT would have answered; Outcome is "created", "replaced" or
// "unchanged" for a row that succeeded, and Err describes a refused one
// (errors.Is works with ErrConflict, ErrInvalid and the other sentinels).
type BatchResult struct {
	Line    int    `json:"line"`
	ID      string `json:"id"`
	Status  int    `json:"status"`
	Outcome string `json:"outcome"`
	ETag    string `json:"etag"`
	Err     *Error `json:"-"`
}

// PutBatch creates or replaces rows of one collection in one request
// (POST /api/{collection}/_batch). Each row is checked and audited by the
// server like a PUT, and a row whose resource already holds the same data
// is left alone, so sending the same rows again changes nothing. The
// results come in the order of rows. A refused row fails alone; the error
// is only for a batch refused whole (token, collection, size) or not
// answered. A batch is not retried: the server may have applied part of it,
// and sending it again is safe, so the caller decides.
func (c *Client) PutBatch(ctx context.Context, collection string, rows []BatchRow) ([]BatchResult, error) {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			return nil, fmt.Errorf("gone client: encoding batch row %q: %w", r.ID, err)
		}
	}
	req := &request{
		method: http.MethodPost, url: c.urlFor("/api/" + url.PathEscape(collection) + "/_batch"),
		body: body.Bytes(), contentType: "application/x-ndjson",
	}
	resp, err := c.roundTrip(ctx, req)
	// The rows may have been written whatever the answer: forget them.
	for _, r := range rows {
		c.mem.invalidate(resourcePath(collection, r.ID))
	}
	if err != nil {
		return nil, c.wrapTransport(req, err)
	}
	if resp.status != http.StatusOK {
		return nil, newError(req.method, req.url, resp, c.now())
	}
	results := make([]BatchResult, 0, len(rows))
	sc := bufio.NewScanner(bytes.NewReader(resp.body))
	sc.Buffer(nil, maxBody)
	for sc.Scan() {
		var line struct {
			BatchResult
			Problem json.RawMessage `json:"problem"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return results, fmt.Errorf("gone client: decoding the batch answer: %w", err)
		}
		r := line.BatchResult
		if len(line.Problem) > 0 {
			r.Err = newError(req.method, c.urlFor(resourcePath(collection, r.ID)), &response{status: r.Status, body: line.Problem}, c.now())
		}
		results = append(results, r)
	}
	if len(results) != len(rows) {
		return results, fmt.Errorf("gone client: the batch answer has %d results for %d rows", len(results), len(rows))
	}
	return results, nil
}
