package rulefile

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gonehttp/gone"
)

// vercelRedirect is one entry of vercel.json's redirects, or of a bulk
// redirect file.
type vercelRedirect struct {
	Source      string `json:"source"`
	Destination string `json:"destination"`
	Permanent   *bool  `json:"permanent,omitempty"`
	StatusCode  int    `json:"statusCode,omitempty"`
	Has         any    `json:"has,omitempty"`
	Missing     any    `json:"missing,omitempty"`
}

// vercelRoute is one entry of vercel.json's legacy routes.
type vercelRoute struct {
	Src     string            `json:"src"`
	Dest    string            `json:"dest"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
}

// ReadVercel reads a vercel.json:
//
//	{"redirects": [
//	  {"source": "/old", "destination": "/new", "permanent": true},   308
//	  {"source": "/a", "destination": "/b", "statusCode": 301},       301
//	  {"source": "/docs/:path*", "destination": "/manual"}            /docs and /docs/*
//	],
//	 "routes": [{"src": "/old-page", "status": 410}]}                  410 (legacy routes)
//
// A source ending in /:path* (or /(.*)) is the path and the prefix below
// it, when the destination is one fixed path. Refused, each with its
// place (the entry's index from 1, as the line): temporary redirects,
// has/missing conditions, other patterns, and destinations that use the
// source's parameters (gone sends one fixed Location).
func ReadVercel(in io.Reader) (*Result, error) {
	var doc struct {
		Redirects []vercelRedirect `json:"redirects"`
		Routes    []vercelRoute    `json:"routes"`
	}
	if err := json.NewDecoder(in).Decode(&doc); err != nil {
		return nil, fmt.Errorf("not a vercel.json: %w", err)
	}
	res := &Result{}
	for i, r := range doc.Redirects {
		vercelRedirectRule(res, i+1, r)
	}
	for i, r := range doc.Routes {
		n := len(doc.Redirects) + i + 1
		loc := r.Headers["Location"]
		if loc == "" {
			loc = r.Headers["location"]
		}
		switch {
		case r.Status == 410 && r.Dest == "":
			vercelKeys(res, n, r.Src, func(k gone.RuleKey) gone.RuleSpec { return gone.RuleSpec{RuleKey: k, Action: gone.RuleGone} })
		case (r.Status == 301 || r.Status == 308) && loc != "":
			vercelRedirectRule(res, n, vercelRedirect{Source: r.Src, Destination: loc, StatusCode: r.Status})
		case r.Status == 0 && r.Dest != "":
			// A rewrite: routing, not a lifecycle.
		default:
			res.refuse(n, "route %s: only status 410, or 301/308 with a Location header, is supported", r.Src)
		}
	}
	return res, nil
}

func vercelRedirectRule(res *Result, n int, r vercelRedirect) {
	st := 308
	switch {
	case r.StatusCode == 301 || r.StatusCode == 308:
		st = r.StatusCode
	case r.StatusCode != 0:
		res.refuse(n, "%s: status %d is not supported: want 301 or 308", r.Source, r.StatusCode)
		return
	case r.Permanent != nil && !*r.Permanent:
		res.refuse(n, "%s: a temporary (307) redirect is not supported", r.Source)
		return
	}
	if r.Has != nil || r.Missing != nil {
		res.refuse(n, "%s: has and missing conditions are not supported", r.Source)
		return
	}
	if strings.ContainsAny(r.Destination, ":(*$") && !strings.HasPrefix(r.Destination, "http") {
		res.refuse(n, "%s → %s: parameters in the destination do not map to gone, which sends one fixed Location", r.Source, r.Destination)
		return
	}
	vercelKeys(res, n, r.Source, func(k gone.RuleKey) gone.RuleSpec { return moved(k, r.Destination, st == 301) })
}

// vercelKeys reads a source pattern: a literal path, or one ending in
// /:name*, /:name+ or /(.*).
func vercelKeys(res *Result, n int, src string, spec func(gone.RuleKey) gone.RuleSpec) {
	base, tail := src, ""
	if i := strings.LastIndex(src, "/"); i >= 0 {
		base, tail = src[:i+1], src[i+1:]
	}
	switch {
	case !strings.ContainsAny(src, ":(*?$^[]"):
		res.add(n, spec(gone.RuleKey{Path: src}))
	case strings.ContainsAny(base, ":(*?$^[]"):
		res.refuse(n, "%s: only a literal path, or one ending in /:path* or /(.*), is supported", src)
	case strings.HasPrefix(tail, ":") && strings.HasSuffix(tail, "*"):
		if base != "/" {
			res.add(n, spec(gone.RuleKey{Path: strings.TrimSuffix(base, "/")}))
		}
		res.add(n, spec(gone.RuleKey{Path: base, Prefix: true}))
	case strings.HasPrefix(tail, ":") && strings.HasSuffix(tail, "+"), tail == "(.*)", tail == "(.+)":
		res.add(n, spec(gone.RuleKey{Path: base, Prefix: true}))
	default:
		res.refuse(n, "%s: only a literal path, or one ending in /:path* or /(.*), is supported", src)
	}
}

// ReadVercelBulk reads a Vercel bulk redirect file: CSV with a header
// naming source and destination (and permanent or statusCode), or a JSON
// array of the same objects. It carries redirects only.
func ReadVercelBulk(in io.Reader) (*Result, error) {
	b, err := io.ReadAll(in)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimPrefix(bytes.TrimSpace(b), []byte("\ufeff"))
	res := &Result{}
	if bytes.HasPrefix(b, []byte("[")) {
		var rs []vercelRedirect
		if err := json.Unmarshal(b, &rs); err != nil {
			return nil, fmt.Errorf("not a Vercel bulk redirect JSON array: %w", err)
		}
		for i, r := range rs {
			vercelRedirectRule(res, i+1, r)
		}
		return res, nil
	}
	err = readHeaderCSV(b, []string{"source", "destination"}, func(line int, get func(string) string) {
		r := vercelRedirect{Source: get("source"), Destination: get("destination")}
		if p := strings.ToLower(get("permanent")); p != "" {
			v := p == "true"
			r.Permanent = &v
		}
		fmt.Sscan(get("statuscode"), &r.StatusCode)
		vercelRedirectRule(res, line, r)
	}, res)
	return res, err
}

// readHeaderCSV reads a CSV file whose first row names its columns (case
// and spaces ignored), calling row for every other row with its line.
func readHeaderCSV(b []byte, need []string, row func(line int, get func(string) string), res *Result) error {
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("reading the CSV header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, n := range need {
		if _, ok := col[n]; !ok {
			return fmt.Errorf("the CSV header has no %q column (it has %s)", n, strings.Join(header, ","))
		}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		line, _ := cr.FieldPos(0)
		if perr, ok := err.(*csv.ParseError); ok {
			res.refuse(perr.Line, "%v", perr.Err)
			continue
		}
		if err != nil {
			return err
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		row(line, func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		})
	}
}

// vercelCaps: redirects only; 301 and 308; paths and prefixes.
var vercelCaps = caps{format: FormatVercel, moved: true, prefix: true,
	prefixOK: func(p string) bool { return strings.HasSuffix(p, "/") },
	pathOK:   func(p string) bool { return !strings.ContainsAny(p, ":()*?$^[]+ ") }}

// WriteVercel writes a vercel.json with the moves as redirects (a prefix
// as /path/(.*), to one fixed destination). Vercel's redirects cannot
// answer 410; gone's 410s are left out and listed on stderr (JSON has no
// comments). ReadVercel reads it back.
func WriteVercel(w io.Writer, specs []gone.RuleSpec, now time.Time, _ WriteOptions) (*Export, error) {
	rules, e := plan(vercelCaps, specs, now)
	type out struct {
		Source      string `json:"source"`
		Destination string `json:"destination"`
		StatusCode  int    `json:"statusCode"`
	}
	doc := struct {
		Redirects []out `json:"redirects"`
	}{Redirects: []out{}}
	for _, s := range rules {
		src := s.Path
		if s.Prefix {
			src += "(.*)"
		}
		doc.Redirects = append(doc.Redirects, out{src, s.To, status(s)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return e, enc.Encode(doc)
}
