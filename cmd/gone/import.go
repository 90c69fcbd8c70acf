package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/gonehttp/gone/client"
)

const importUsage = `import [flags] FILE

Creates or replaces one resource per line. FILE is JSON Lines (.jsonl,
.ndjson) or CSV (.csv), or - for stdin (JSON Lines unless --format csv).

JSON Lines: one object per line: {"collection":"users","id":"42","data":{...}};
"collection" may come from --collection instead.
CSV: a header row naming an "id" column, and a "collection" column or
--collection; every other column becomes a member of the resource (a string,
unless --infer-types or a typed header such as age:number, active:boolean,
tags:json), and the id is kept as its "id" member too. A UTF-8 BOM and CRLF
line ends are fine.

Lines go to the server in batches (POST /api/{collection}/_batch), each
checked and audited like a single PUT: a line that fails changes nothing and
the others still run. A line whose resource already holds the same data is
left alone, so running the same file again changes nothing, and an import
that was interrupted finishes when run again. Failed lines are listed at the
end, and the exit code is then 1. Needs a token with the write scope.`

// maxShownFailures bounds the failures a table summary lists; --output json
// lists them all.
const maxShownFailures = 50

func runImport(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "import", importUsage)
	r := addRemoteFlags(fs, e)
	// A person reads the summary; scripts ask for --output json.
	r.output = envOr(e, "GONE_OUTPUT", "table")
	fs.Lookup("output").DefValue = r.output
	coll := fs.String("collection", "", "collection for lines that do not name one")
	format := fs.String("format", "", "jsonl or csv (default: from the file's extension)")
	dryRun := fs.Bool("dry-run", false, "read and check every line, write nothing")
	infer := fs.Bool("infer-types", false, "CSV: cells that read as numbers, true, false or null become JSON values, not strings")
	batchSize := fs.Int("batch-size", 5000, "lines per request (at most 10000)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("import needs one FILE (or - for stdin)")
	}
	if *batchSize < 1 || *batchSize > 10000 {
		return usageError("--batch-size must be between 1 and 10000")
	}
	if *format == "" {
		switch ext := strings.ToLower(filepath.Ext(pos[0])); {
		case pos[0] == "-" || ext == ".jsonl" || ext == ".ndjson":
			*format = "jsonl"
		case ext == ".csv":
			*format = "csv"
		default:
			return usageError("cannot tell the format of %s from its extension: give --format jsonl or --format csv", pos[0])
		}
	}
	if *format != "jsonl" && *format != "csv" {
		return usageError("--format must be jsonl or csv, not %q", *format)
	}
	c, err := r.client(e)
	if err != nil {
		return err
	}
	if !*dryRun && r.token == "" {
		return usageError("import writes resources, which needs a token with the write scope: give --token or set GONE_TOKEN")
	}
	var in io.Reader = e.stdin
	var size int64
	if pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		in = f
	}
	counted := &countingReader{r: in}
	var lr lineReader
	if *format == "csv" {
		if lr, err = newCSVReader(counted, *coll, *infer); err != nil {
			return fmt.Errorf("import %s: %w", pos[0], err)
		}
	} else {
		lr = newJSONLReader(counted, *coll)
	}

	im := &importer{ctx: ctx, e: e, r: r, c: c, dryRun: *dryRun, batchSize: *batchSize}
	im.prog = newProgress(e.stderr, size, counted)
	err = im.run(lr)
	im.prog.done(im.sum.Lines, len(im.sum.Failed))
	if err != nil {
		if im.sum.written() > 0 {
			fmt.Fprintf(e.stderr, "gone: import stopped after %d lines were written; run the same command again to finish: lines already written are left alone.\n", im.sum.written())
		}
		return err
	}
	return im.sum.report(e, r, *dryRun)
}

// importer sends the lines of one file in batches and counts the outcomes.
// One batch is in flight while the next is read, so the CLI's reading and
// the server's writing overlap: neither waits for the other.
type importer struct {
	ctx       context.Context
	e         env
	r         *remote
	c         *client.Client
	dryRun    bool
	batchSize int
	prog      *progress

	// mu guards sum and fatal: the reader and the sender both count.
	mu    sync.Mutex
	sum   importSummary
	fatal error // the first error that stops the import

	// batch is the batch being read: lines of one collection.
	batch []importLine
}

func (im *importer) run(lr lineReader) error {
	ctx, cancel := context.WithCancel(im.ctx)
	defer cancel()
	jobs := make(chan []importLine, 1)
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for job := range jobs {
			if ctx.Err() == nil {
				if err := im.send(ctx, job); err != nil {
					im.stop(err)
					cancel()
				}
			}
		}
	}()
	err := im.read(ctx, lr, jobs)
	close(jobs)
	<-sent
	if err != nil {
		im.stop(err)
	}
	im.mu.Lock()
	defer im.mu.Unlock()
	return im.fatal
}

// stop records the first error that ends the import.
func (im *importer) stop(err error) {
	im.mu.Lock()
	defer im.mu.Unlock()
	if im.fatal == nil {
		im.fatal = err
	}
}

// read turns lines into batches for the sender until the file ends, a
// whole-file mistake, or the sender stopped.
func (im *importer) read(ctx context.Context, lr lineReader, jobs chan<- []importLine) error {
	flush := func() error {
		if len(im.batch) == 0 {
			return nil
		}
		job := im.batch
		im.batch = make([]importLine, 0, im.batchSize)
		if im.dryRun {
			im.mu.Lock()
			im.sum.Checked += len(job)
			im.mu.Unlock()
			im.progress()
			return nil
		}
		select {
		case jobs <- job:
			return nil
		case <-ctx.Done():
			return nil // the sender stopped, and says why
		}
	}
	for {
		if ctx.Err() != nil {
			return im.ctx.Err() // nil when the sender stopped
		}
		l, err := lr.next()
		if err == io.EOF {
			return flush()
		}
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		im.mu.Lock()
		im.sum.Lines++
		if l.err != nil {
			im.sum.fail(l, l.err.Error())
		}
		im.mu.Unlock()
		if l.err != nil {
			continue
		}
		if len(im.batch) > 0 && im.batch[0].collection != l.collection {
			if err := flush(); err != nil {
				return err
			}
		}
		im.batch = append(im.batch, l)
		if len(im.batch) >= im.batchSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
}

func (im *importer) progress() {
	im.mu.Lock()
	lines, failed := im.sum.Lines, len(im.sum.Failed)
	im.mu.Unlock()
	im.prog.update(lines, failed)
}

// send writes one batch. An error that concerns every line (token,
// collection, server) stops the import with one message.
func (im *importer) send(ctx context.Context, batch []importLine) error {
	defer im.progress()
	coll := batch[0].collection
	rows := make([]client.BatchRow, len(batch))
	for i, l := range batch {
		rows[i] = client.BatchRow{ID: l.id, Data: l.data}
	}
	results, err := im.c.PutBatch(ctx, coll, rows)
	var ce *client.Error
	if errors.As(err, &ce) && ce.Status == 404 && isGoneProblem(ce) {
		return fmt.Errorf("import: the server has no collection %q (line %d)", coll, batch[0].n)
	}
	if err != nil && len(results) == 0 {
		return fail(im.e, im.r, "import", err)
	}
	im.mu.Lock()
	for i, res := range results {
		l := batch[i]
		switch {
		case res.Err != nil:
			im.sum.fail(l, reasonOf(res.Err))
		case res.Outcome == "created":
			im.sum.Created++
		case res.Outcome == "replaced":
			im.sum.Replaced++
		default:
			im.sum.Unchanged++
		}
	}
	im.mu.Unlock()
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	return nil
}

// countingReader counts the bytes read, for the progress bar's ETA.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// importSummary counts outcomes and keeps every failure with its reason.
type importSummary struct {
	Lines     int            `json:"lines"`
	Created   int            `json:"created"`
	Replaced  int            `json:"replaced"`
	Unchanged int            `json:"unchanged"`
	Checked   int            `json:"checked,omitempty"` // --dry-run: lines that would be sent
	Failed    []importFailed `json:"failed"`
}

type importFailed struct {
	Line     int    `json:"line"`
	Resource string `json:"resource,omitempty"`
	Error    string `json:"error"`
}

func (s *importSummary) written() int { return s.Created + s.Replaced }

func (s *importSummary) fail(l importLine, reason string) {
	res := ""
	if l.collection != "" && l.id != "" {
		res = l.collection + "/" + l.id
	}
	s.Failed = append(s.Failed, importFailed{Line: l.n, Resource: res, Error: reason})
}

// reasonOf is a line's error from the server: its message, with the facts
// a gone or conflicting id carries.
func reasonOf(ce *client.Error) string {
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

func (s *importSummary) report(e env, r *remote, dryRun bool) error {
	// Lines refused before sending and lines refused by the server come in
	// two streams; the reader wants them in file order.
	slices.SortStableFunc(s.Failed, func(a, b importFailed) int { return cmp.Compare(a.Line, b.Line) })
	if r.output == "json" {
		if s.Failed == nil {
			s.Failed = []importFailed{}
		}
		if err := printJSON(e.stdout, s); err != nil {
			return err
		}
	} else {
		if dryRun {
			fmt.Fprintf(e.stdout, "%d lines: %d ready to send, %d failed (dry run: nothing was written)\n", s.Lines, s.Checked, len(s.Failed))
		} else {
			fmt.Fprintf(e.stdout, "%d lines: %d created, %d replaced, %d unchanged, %d failed\n",
				s.Lines, s.Created, s.Replaced, s.Unchanged, len(s.Failed))
		}
		for i, f := range s.Failed {
			if i == maxShownFailures {
				fmt.Fprintf(e.stdout, "  … and %d more failed lines (--output json lists them all)\n", len(s.Failed)-i)
				break
			}
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
