package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/client"
)

func init() {
	commands["import"] = command{"create or replace many resources from JSONL or CSV", runImport}
}

const importUsage = `import [flags] FILE

Creates or replaces one resource per line, with PUT. FILE is JSON Lines
(.jsonl, .ndjson) or CSV (.csv), or - for stdin (JSONL unless --format csv).

JSONL: one object per line: {"collection":"users","id":"42","data":{...}};
"collection" may come from --collection instead.
CSV: a header row naming an "id" column, optionally a "collection" column;
every other column becomes a string member of the resource, and the id is
kept as its "id" member too.

Each line is one atomic write: a line that fails changes nothing, and the
others still run. A line whose resource already holds the same data is
left alone, so running the same file again changes nothing. Failed lines
are listed at the end, and the exit code is then 1. Needs an admin token.`

// importLine is one resource to write.
type importLine struct {
	n          int // line number in the file, from 1
	collection string
	id         string
	data       json.RawMessage
	err        error // the line could not be read
}

func runImport(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "import", importUsage)
	r := addRemoteFlags(fs, e)
	coll := fs.String("collection", "", "collection for lines that do not name one")
	format := fs.String("format", "", "jsonl or csv (default: from the file's extension)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("import needs one FILE (or - for stdin)")
	}
	if *format == "" {
		*format = "jsonl"
		if strings.EqualFold(filepath.Ext(pos[0]), ".csv") {
			*format = "csv"
		}
	}
	if *format != "jsonl" && *format != "csv" {
		return usageError("--format must be jsonl or csv, not %q", *format)
	}
	// A person reads the summary; scripts ask for --output json.
	outputSet := false
	fs.Visit(func(f *flag.Flag) { outputSet = outputSet || f.Name == "output" })
	if !outputSet && e.getenv("GONE_OUTPUT") == "" {
		r.output = "table"
	}
	c, err := r.client(e)
	if err != nil {
		return err
	}
	var in io.Reader = e.stdin
	if pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		in = f
	}
	var lines []importLine
	if *format == "csv" {
		lines, err = readCSV(in, *coll)
	} else {
		lines, err = readJSONL(in, *coll)
	}
	if err != nil {
		return fmt.Errorf("import %s: %w", pos[0], err)
	}

	sum := importSummary{Lines: len(lines)}
	prog := newProgress(e.stderr, len(lines))
	for i, l := range lines {
		if ctx.Err() != nil {
			break
		}
		outcome, err := importOne(ctx, c, l)
		sum.add(l, outcome, err)
		prog.update(i+1, len(sum.Failed))
	}
	prog.done()
	return sum.report(e, r)
}

// importOne writes one line, unless the resource already holds its data.
func importOne(ctx context.Context, c *client.Client, l importLine) (string, error) {
	if l.err != nil {
		return "", l.err
	}
	cur, err := c.GetRaw(ctx, l.collection, l.id)
	switch {
	case err == nil && sameJSON(cur, l.data):
		return "unchanged", nil
	case err != nil && !errors.Is(err, client.ErrNotFound):
		return "", err
	}
	created, err := c.Put(ctx, l.collection, l.id, l.data, nil)
	if err != nil {
		return "", err
	}
	if created {
		return "created", nil
	}
	return "replaced", nil
}

func sameJSON(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

// checkLine fills in the collection and checks what the client can check
// before sending, so a malformed line costs no request.
func checkLine(l *importLine, defColl string) {
	if l.collection == "" {
		l.collection = defColl
	}
	switch {
	case l.err != nil:
	case l.collection == "":
		l.err = errors.New(`no collection: add a "collection" member or use --collection`)
	case l.id == "":
		l.err = errors.New(`no "id"`)
	case !gone.ValidID(l.id):
		l.err = fmt.Errorf("id %q is not valid", l.id)
	case len(l.data) == 0 || l.data[0] != '{':
		l.err = errors.New(`"data" must be a JSON object`)
	}
}

func readJSONL(in io.Reader, defColl string) ([]importLine, error) {
	all, err := io.ReadAll(in)
	if err != nil {
		return nil, err
	}
	var lines []importLine
	for i, raw := range bytes.Split(all, []byte("\n")) {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		l := importLine{n: i + 1}
		var v struct {
			Collection string          `json:"collection"`
			ID         string          `json:"id"`
			Data       json.RawMessage `json:"data"`
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil {
			l.err = fmt.Errorf("not a valid line: %w", err)
		} else {
			l.collection, l.id, l.data = v.Collection, v.ID, bytes.TrimSpace(v.Data)
		}
		checkLine(&l, defColl)
		lines = append(lines, l)
	}
	return lines, nil
}

func readCSV(in io.Reader, defColl string) ([]importLine, error) {
	cr := csv.NewReader(in)
	cr.FieldsPerRecord = -1 // a short row fails alone, not the whole file
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading the CSV header: %w", err)
	}
	idCol, collCol := -1, -1
	for i, h := range header {
		switch strings.TrimSpace(h) {
		case "id":
			idCol = i
		case "collection":
			collCol = i
		}
	}
	if idCol < 0 {
		return nil, errors.New(`the CSV header has no "id" column`)
	}
	var lines []importLine
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return lines, nil
		}
		line, _ := cr.FieldPos(0)
		l := importLine{n: line}
		switch {
		case err != nil:
			l.err = err
		case len(rec) != len(header):
			l.err = fmt.Errorf("%d fields, the header has %d", len(rec), len(header))
		default:
			data := map[string]string{}
			for i, v := range rec {
				switch i {
				case idCol:
					l.id = v
				case collCol:
					l.collection = v
				default:
					data[header[i]] = v
				}
			}
			// The id is kept in the data too, as the demo's resources do.
			data["id"] = l.id
			l.data, _ = json.Marshal(data)
		}
		checkLine(&l, defColl)
		lines = append(lines, l)
	}
}

// importSummary counts outcomes and keeps every failure with its reason.
type importSummary struct {
	Lines     int            `json:"lines"`
	Created   int            `json:"created"`
	Replaced  int            `json:"replaced"`
	Unchanged int            `json:"unchanged"`
	Failed    []importFailed `json:"failed"`
}

type importFailed struct {
	Line     int    `json:"line"`
	Resource string `json:"resource,omitempty"`
	Error    string `json:"error"`
}

func (s *importSummary) add(l importLine, outcome string, err error) {
	switch {
	case err != nil:
		res := ""
		if l.collection != "" && l.id != "" {
			res = l.collection + "/" + l.id
		}
		s.Failed = append(s.Failed, importFailed{Line: l.n, Resource: res, Error: reasonOf(err)})
	case outcome == "created":
		s.Created++
	case outcome == "replaced":
		s.Replaced++
	default:
		s.Unchanged++
	}
}

// reasonOf is an error in one line: the server's message when there is
// one, with the facts a gone or conflicting id carries.
func reasonOf(err error) string {
	var ce *client.Error
	if !errors.As(err, &ce) {
		return err.Error()
	}
	msg := fmt.Sprintf("%d %s", ce.Status, statusText(ce.Status))
	if m := ce.Message; m != "" {
		msg += ": " + m
	} else if ce.Detail != "" {
		msg += ": " + ce.Detail
	}
	if !ce.DeletedAt.IsZero() {
		msg += " (deleted " + when(ce.DeletedAt) + ")"
	}
	for f, p := range ce.Errors {
		msg += "; " + f + " " + p
	}
	return msg
}

func (s *importSummary) report(e env, r *remote) error {
	if r.output == "json" {
		if s.Failed == nil {
			s.Failed = []importFailed{}
		}
		if err := printJSON(e.stdout, s); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "%d lines: %d created, %d replaced, %d unchanged, %d failed\n",
			s.Lines, s.Created, s.Replaced, s.Unchanged, len(s.Failed))
		for _, f := range s.Failed {
			res := ""
			if f.Resource != "" {
				res = " " + f.Resource + ":"
			}
			fmt.Fprintf(e.stdout, "  line %d:%s %s\n", f.Line, res, f.Error)
		}
	}
	if len(s.Failed) > 0 {
		return &exitError{code: exitFailed, err: fmt.Errorf("import: %d of %d lines failed", len(s.Failed), s.Lines)}
	}
	return nil
}
