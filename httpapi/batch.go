package httpapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
)

// MaxBatchBytes is the largest batch body accepted (413 beyond it); a batch
// also holds at most gone.MaxBatchRows rows.
const MaxBatchBytes = 32 << 20

// batchMediaType is the media type of a batch and of its answer: JSON Lines,
// one JSON value per line.
const batchMediaType = "application/x-ndjson"

// batchLine is one line of a batch request.
type batchLine struct {
	ID   string          `json:"id"`
	Data json.RawMessage `json:"data"`
}

// batchResult is one line of a batch answer: what happened to the request
// line Line. Status is the status the same PUT would have got (201, 200, or
// the problem's); an unchanged row answers 200 with Outcome "unchanged".
type batchResult struct {
	Line    int             `json:"line"`
	ID      string          `json:"id,omitempty"`
	Status  int             `json:"status"`
	Outcome string          `json:"outcome,omitempty"`
	ETag    string          `json:"etag,omitempty"`
	Problem *answer.Problem `json:"problem,omitempty"`
}

// handleBatch creates or replaces many resources of one collection from a
// JSON Lines body, {"id":"…","data":{…}} per line. The answer is 200 with
// one result line per request line, in order, once the batch ran: a bad
// line fails alone. Problems that concern the whole batch (token,
// collection, media type, size) answer as a problem and write nothing.
func (s *server) handleBatch() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		coll, ok := s.writeTarget(w, r)
		if !ok {
			return
		}
		// JSON Lines only: a batch is not one JSON document, and a
		// missing type is taken as JSON Lines, for curl users.
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "" && mt != batchMediaType && mt != "application/jsonl" {
			s.writeError(w, r, gone.Errorf(gone.EUNSUPPORTED, "A batch must be %s (JSON Lines).", batchMediaType))
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBatchBytes))
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.writeError(w, r, gone.Errorf(gone.ETOOLARGE, "A batch body is at most %d bytes; send the rest in another batch.", MaxBatchBytes))
			return
		}
		if stalled(r, err) {
			s.writeError(w, r, errStalled)
			return
		}
		if err != nil {
			s.writeError(w, r, gone.Errorf(gone.EINVALID, "The body could not be read."))
			return
		}
		rows, lines, parseErrs := parseBatch(body)
		results, err := s.svc.PutBatch(r.Context(), callerFrom(r.Context()), coll, rows)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		lng := answer.Language(r)
		h := w.Header()
		h.Set("Content-Type", batchMediaType)
		h.Set("Cache-Control", "no-store")
		localized(w, lng)
		w.WriteHeader(http.StatusOK)
		bw := bufio.NewWriterSize(w, 64<<10)
		enc := json.NewEncoder(bw)
		// A store failure gives every row left the same error: its problem
		// is made (and, for a 500, logged) once, not once per row.
		var lastErr error
		var lastProblem answer.Problem
		for i, res := range results {
			out := batchResult{Line: lines[i], ID: rows[i].ID}
			err := res.Err
			if parseErrs[i] != nil {
				err = parseErrs[i]
			}
			switch {
			case err != nil:
				if err != lastErr || parseErrs[i] != nil {
					lastErr, lastProblem = err, *s.problemOf(r, lng, err)
				}
				p := lastProblem
				p.Instance = s.resourcePath(coll, rows[i].ID)
				out.Problem, out.Status = &p, p.Status
			case res.Outcome == gone.OutcomeCreated:
				out.Status, out.Outcome, out.ETag = http.StatusCreated, res.Outcome, res.Record.ETag()
			default:
				out.Status, out.Outcome, out.ETag = http.StatusOK, res.Outcome, res.Record.ETag()
			}
			if enc.Encode(out) != nil {
				return // the client went away; the rows are committed anyway
			}
		}
		bw.Flush()
	})
}

// parseBatch splits a JSON Lines body into rows. Blank lines are skipped; a
// line that is not {"id":…,"data":{…}} becomes a row without data and its
// error in errs: the service refuses a row without a JSON object, so it is
// never written, and every row's result keeps the request's order.
// lines holds each row's line number, from 1.
func parseBatch(body []byte) (rows []gone.BatchRow, lines []int, errs []error) {
	n := 0
	for len(body) > 0 {
		var raw []byte
		raw, body, _ = bytes.Cut(body, []byte("\n"))
		n++
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		row, err := parseBatchLine(raw)
		if err != nil {
			row = gone.BatchRow{ID: row.ID}
		}
		rows, lines, errs = append(rows, row), append(lines, n), append(errs, err)
	}
	return rows, lines, errs
}

func parseBatchLine(raw []byte) (gone.BatchRow, error) {
	var l batchLine
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return gone.BatchRow{}, gone.Errorf(gone.EINVALID, `The line must be {"id":"…","data":{…}}: %s.`, jsonProblem(err))
	}
	if dec.More() {
		return gone.BatchRow{ID: l.ID}, gone.Errorf(gone.EINVALID, "The line must hold exactly one JSON object.")
	}
	if l.Data == nil {
		return gone.BatchRow{ID: l.ID}, gone.Errorf(gone.EINVALID, `The line has no "data" object.`)
	}
	data, err := decodeObject(l.Data)
	if err != nil {
		return gone.BatchRow{ID: l.ID}, err
	}
	return gone.BatchRow{ID: l.ID, Data: data}, nil
}
