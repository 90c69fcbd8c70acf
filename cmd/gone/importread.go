package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gonehttp/gone"
)

// importLine is one resource to write.
type importLine struct {
	n          int // line number in the file, from 1
	collection string
	id         string
	data       json.RawMessage
	err        error // the line could not be read; it fails alone
}

// lineReader yields the lines of an import file one at a time, so a file of
// a million lines is never held in memory. next returns io.EOF at the end,
// and any other error for a mistake that concerns the whole file, which
// stops the import at once.
type lineReader interface {
	next() (importLine, error)
}

// fileError is a mistake in the whole file: one message, and nothing more
// is read.
func fileError(format string, args ...any) error {
	return usageError(format, args...)
}

// utf8BOM is what Excel and other tools put in front of a UTF-8 CSV.
var utf8BOM = []byte("\xef\xbb\xbf")

// jsonlReader reads {"collection":…,"id":…,"data":{…}} lines.
type jsonlReader struct {
	r       *bufio.Reader
	n       int
	defColl string
}

func newJSONLReader(in io.Reader, defColl string) *jsonlReader {
	r := bufio.NewReaderSize(in, 1<<20)
	if b, err := r.Peek(3); err == nil && bytes.Equal(b, utf8BOM) {
		r.Discard(3)
	}
	return &jsonlReader{r: r, defColl: defColl}
}

func (j *jsonlReader) next() (importLine, error) {
	for {
		raw, err := j.r.ReadBytes('\n')
		if len(raw) == 0 && err != nil {
			if err == io.EOF {
				return importLine{}, io.EOF
			}
			return importLine{}, fmt.Errorf("reading line %d: %w", j.n+1, err)
		}
		j.n++
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		l := importLine{n: j.n}
		var v struct {
			Collection string          `json:"collection"`
			ID         string          `json:"id"`
			Data       json.RawMessage `json:"data"`
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil {
			if raw[0] != '{' {
				// Not one JSON object: the wrong format, not a bad line.
				return l, fileError("line %d is not a JSON object, so the file is not JSON Lines; for CSV use --format csv", j.n)
			}
			l.err = fmt.Errorf("not a valid line: %s", strings.TrimPrefix(err.Error(), "json: "))
			return l, nil
		}
		l.collection, l.id, l.data = v.Collection, v.ID, bytes.TrimSpace(v.Data)
		if l.collection == "" {
			l.collection = j.defColl
		}
		if l.collection == "" {
			return l, fileError(`line %d has no "collection": add it to every line or give --collection`, j.n)
		}
		checkLine(&l)
		return l, nil
	}
}

// csvReader reads a CSV file with a header row.
type csvReader struct {
	cr      *csv.Reader
	header  []csvColumn
	idCol   int
	collCol int
	defColl string
	infer   bool
}

// csvColumn is one header cell: a member name and, from a typed header
// such as "age:number", how to read its cells.
type csvColumn struct {
	name, typ string
}

// csvTypes are the types a header may give a column.
var csvTypes = map[string]bool{"string": true, "number": true, "boolean": true, "json": true}

func newCSVReader(in io.Reader, defColl string, infer bool) (*csvReader, error) {
	r := bufio.NewReader(in)
	if b, err := r.Peek(3); err == nil && bytes.Equal(b, utf8BOM) {
		r.Discard(3)
	}
	c := &csvReader{cr: csv.NewReader(r), idCol: -1, collCol: -1, defColl: defColl, infer: infer}
	c.cr.FieldsPerRecord = -1 // a short row fails alone, not the whole file
	c.cr.ReuseRecord = true
	header, err := c.cr.Read()
	if err == io.EOF {
		return nil, fileError("the CSV file is empty: it needs a header row with an \"id\" column")
	}
	if err != nil {
		return nil, fileError("reading the CSV header: %v", err)
	}
	for i, h := range header {
		col := csvColumn{name: strings.TrimSpace(h)}
		if name, typ, ok := strings.Cut(col.name, ":"); ok && csvTypes[typ] {
			col.name, col.typ = name, typ
		}
		switch col.name {
		case "id":
			c.idCol = i
		case "collection":
			c.collCol = i
		}
		c.header = append(c.header, col)
	}
	if c.idCol < 0 {
		return nil, fileError(`the CSV header has no "id" column (it has %s)`, strings.Join(header, ", "))
	}
	if c.collCol < 0 && defColl == "" {
		return nil, fileError(`the CSV header has no "collection" column: give --collection`)
	}
	return c, nil
}

func (c *csvReader) next() (importLine, error) {
	rec, err := c.cr.Read()
	if err == io.EOF {
		return importLine{}, io.EOF
	}
	line, _ := c.cr.FieldPos(0)
	l := importLine{n: line, collection: c.defColl}
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe):
		l.err = errors.New(strings.TrimPrefix(pe.Error(), "parse error on "))
	case err != nil:
		return l, fmt.Errorf("reading the CSV: %w", err)
	case len(rec) != len(c.header):
		l.err = fmt.Errorf("%d fields, the header has %d", len(rec), len(c.header))
	default:
		data := make(map[string]json.RawMessage, len(rec))
		for i, v := range rec {
			switch i {
			case c.idCol:
				l.id = v
			case c.collCol:
				if v != "" {
					l.collection = v
				}
			default:
				col := c.header[i]
				raw, err := cellJSON(v, col.typ, c.infer)
				if err != nil && l.err == nil {
					l.err = fmt.Errorf("column %s: %w", col.name, err)
				}
				data[col.name] = raw
			}
		}
		// The id is kept in the data too, as the demo's resources do.
		data["id"], _ = json.Marshal(l.id)
		l.data, _ = json.Marshal(data)
	}
	if l.err == nil && l.collection == "" {
		l.err = errors.New(`no collection: the "collection" cell is empty and --collection was not given`)
	}
	checkLine(&l)
	return l, nil
}

// cellJSON turns a CSV cell into a JSON value. Untyped cells are strings,
// unless infer is on: then numbers, true, false and null are JSON values.
// A typed column (age:number) must hold its type; an empty cell is null.
func cellJSON(v, typ string, infer bool) (json.RawMessage, error) {
	str := func() json.RawMessage { b, _ := json.Marshal(v); return b }
	switch typ {
	case "string":
		return str(), nil
	case "":
		if !infer {
			return str(), nil
		}
		switch {
		case v == "true" || v == "false" || v == "null":
			return json.RawMessage(v), nil
		case isJSONNumber(v):
			return json.RawMessage(v), nil
		}
		return str(), nil
	}
	if v == "" {
		return json.RawMessage("null"), nil
	}
	switch typ {
	case "number":
		if !isJSONNumber(v) {
			return nil, fmt.Errorf("%q is not a number", v)
		}
	case "boolean":
		if v != "true" && v != "false" {
			return nil, fmt.Errorf("%q is not true or false", v)
		}
	case "json":
		if !json.Valid([]byte(v)) {
			return nil, fmt.Errorf("%q is not JSON", v)
		}
		var b bytes.Buffer
		json.Compact(&b, []byte(v))
		return b.Bytes(), nil
	}
	return json.RawMessage(v), nil
}

// isJSONNumber reports whether v is a number as JSON writes it: "007",
// "+1", "1e" or "NaN" stay strings, so a zip code keeps its zeros.
func isJSONNumber(v string) bool {
	if v == "" || (v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
		return false
	}
	digits := strings.TrimPrefix(v, "-")
	if len(digits) > 1 && digits[0] == '0' && digits[1] != '.' && digits[1] != 'e' && digits[1] != 'E' {
		return false
	}
	if _, err := strconv.ParseFloat(v, 64); err != nil {
		return false
	}
	return json.Valid([]byte(v))
}

// checkLine checks what the client can check before sending, so a
// malformed line costs no request.
func checkLine(l *importLine) {
	switch {
	case l.err != nil:
	case l.id == "":
		l.err = errors.New(`no "id"`)
	case !gone.ValidID(l.id):
		l.err = fmt.Errorf("id %q is not valid (letters, digits, . _ ~ -, at most 128)", l.id)
	case len(l.data) == 0 || l.data[0] != '{':
		l.err = errors.New(`"data" must be a JSON object`)
	}
}
