package rulefile

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gonehttp/gone"
)

// ReadCSV reads a CSV file with a header naming at least path and status:
//
//	path,status,reason,alternative,at
//	/blog/2019/*,410,The 2019 posts were retired,/blog/,2026-01-05
//	/products/old-name,308,,/products/new-name,
//	/api/reports/*,503,,,2026-12-01T06:00:00Z
//
// A path ending in "*" is a prefix. status is 410 (at is when the path
// went, or, in the future, when it expires), 301 or 308 (alternative is
// the new path or URL), 503 (at is the end of the maintenance) or 404
// (soft-removed, restorable). at is RFC 3339 or a date (midnight UTC).
// A byte-order mark (Excel's) and CRLF line ends are fine. A file whose
// header lacks path or status is an error; a bad row is refused alone.
func ReadCSV(in io.Reader) (*Result, error) {
	br := bufio.NewReader(in)
	if b, _ := br.Peek(3); string(b) == "\ufeff" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading the CSV header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range []string{"path", "status"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("the CSV header has no %q column (want path,status,reason,alternative,at)", need)
		}
	}
	res := &Result{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return res, nil
		}
		line, _ := cr.FieldPos(0)
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			res.refuse(perr.Line, "%v", perr.Err)
			continue
		}
		if err != nil {
			return nil, err
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if len(rec) != len(header) {
			res.refuse(line, "%d fields, the header has %d", len(rec), len(header))
			continue
		}
		csvRow(res, line, get)
	}
}

func csvRow(res *Result, line int, get func(string) string) {
	path := get("path")
	spec := gone.RuleSpec{Reason: get("reason")}
	if p, ok := strings.CutSuffix(path, "*"); ok {
		path, spec.Prefix = p, true
	}
	spec.Path = path
	if s := get("at"); s != "" {
		t, err := parseAt(s)
		if err != nil {
			res.refuse(line, "at %q: want RFC 3339 (2026-01-05T10:30:00Z) or a date (2026-01-05)", s)
			return
		}
		spec.At = t
	}
	switch st := get("status"); st {
	case "410":
		spec.Action, spec.Alternative = gone.RuleGone, get("alternative")
	case "301", "308":
		spec.Action, spec.To = gone.RuleMoved, get("alternative")
		if st == "301" {
			spec.Status = 301
		}
		if spec.To == "" {
			res.refuse(line, "status %s needs the new path or URL in alternative", st)
			return
		}
	case "503":
		spec.Action, spec.Alternative = gone.RuleUnavailable, get("alternative")
		if spec.At.IsZero() {
			res.refuse(line, "status 503 needs at: when the maintenance ends")
			return
		}
	case "404":
		spec.Action, spec.Alternative = gone.RuleRemoved, get("alternative")
	default:
		res.refuse(line, "status %q: want 410, 301, 308, 503 or 404", st)
		return
	}
	res.add(line, spec)
}

func parseAt(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, s)
}

// csvCaps: gone's own columns carry everything.
var csvCaps = caps{format: FormatCSV, gone: true, removed: true, moved: true, prefix: true, unavailable: true, future: true}

// WriteCSV writes gone's own columns, which ReadCSV reads back to the same
// rules: path (with "*" after a prefix), status, reason, alternative (the
// new path of a move) and at. It has no header comment (CSV has none):
// it carries every rule.
func WriteCSV(w io.Writer, specs []gone.RuleSpec, now time.Time, _ WriteOptions) (*Export, error) {
	rules, e := plan(csvCaps, specs, now)
	cw := csv.NewWriter(w)
	cw.Write([]string{"path", "status", "reason", "alternative", "at"})
	for _, s := range rules {
		row := []string{s.RuleKey.String(), "410", s.Reason, s.Alternative, ""}
		switch s.Action {
		case gone.RuleMoved:
			row[1], row[3] = fmt.Sprint(status(s)), s.To
		case gone.RuleUnavailable:
			row[1] = "503"
		case gone.RuleRemoved:
			row[1] = "404"
		}
		if !s.At.IsZero() {
			row[4] = s.At.UTC().Format(time.RFC3339)
		}
		cw.Write(row)
	}
	cw.Flush()
	return e, cw.Error()
}
