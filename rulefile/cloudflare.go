package rulefile

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/gonehttp/gone"
)

// cloudflareColumns is the header of a Cloudflare Bulk Redirects list.
var cloudflareColumns = []string{"source_url", "target_url", "status_code", "preserve_query_string", "include_subdomains", "subpath_matching", "preserve_path_suffix"}

// ReadCloudflare reads a Cloudflare Bulk Redirects CSV (with or without
// its header): source_url (host and path), target_url, status_code, and
// the flags. subpath_matching makes a prefix rule (the path and what is
// below it). It carries redirects only. Refused, each with its line:
// temporary codes (302, 307), preserve_path_suffix (gone sends one fixed
// Location) and query strings in the source.
func ReadCloudflare(in io.Reader) (*Result, error) {
	cr := csv.NewReader(in)
	cr.FieldsPerRecord = -1
	res := &Result{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return res, nil
		}
		line, _ := cr.FieldPos(0)
		if perr, ok := err.(*csv.ParseError); ok {
			res.refuse(perr.Line, "%v", perr.Err)
			continue
		}
		if err != nil {
			return nil, err
		}
		rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
		if line == 1 && strings.EqualFold(rec[0], "source_url") {
			continue
		}
		get := func(i int) string {
			if i < len(rec) {
				return strings.ToLower(strings.TrimSpace(rec[i]))
			}
			return ""
		}
		if len(rec) < 2 {
			res.refuse(line, "want source_url,target_url[,status_code,…]")
			continue
		}
		src := strings.TrimSpace(rec[0])
		if !strings.Contains(src, "://") {
			src = "https://" + src
		}
		u, err := url.Parse(src)
		if err != nil || u.Path == "" {
			res.refuse(line, "source_url %q: want host/path", rec[0])
			continue
		}
		if u.RawQuery != "" {
			res.refuse(line, "source_url %q: a query string cannot be matched; gone matches paths", rec[0])
			continue
		}
		code := get(2)
		if code == "" {
			code = "301"
		}
		if code != "301" && code != "308" {
			res.refuse(line, "status_code %s: only 301 and 308 are supported", code)
			continue
		}
		if get(6) == "true" {
			res.refuse(line, "preserve_path_suffix: gone sends one fixed Location, it does not carry the rest of the path over")
			continue
		}
		to := strings.TrimSpace(rec[1])
		mk := func(k gone.RuleKey) gone.RuleSpec { return moved(k, to, code == "301") }
		res.add(line, mk(gone.RuleKey{Path: u.Path}))
		if get(5) == "true" {
			p := u.Path
			if !strings.HasSuffix(p, "/") {
				p += "/"
			}
			res.add(line, mk(gone.RuleKey{Path: p, Prefix: true}))
		}
	}
}

// cloudflareCaps: redirects only (301, 308), exact paths only: Cloudflare's
// subpath matching is a path and everything below it, which is two gone
// rules, not one.
var cloudflareCaps = caps{format: FormatCloudflare, moved: true, pathOK: func(p string) bool { return !strings.ContainsAny(p, ",\" ") }}

// WriteCloudflare writes a Bulk Redirects CSV for opt.Host (source URLs
// name their host). A move to a path becomes a URL on the same host.
// Cloudflare cannot answer 410 from a list; gone's 410s are left out and
// listed on stderr (the CSV has no comments).
func WriteCloudflare(w io.Writer, specs []gone.RuleSpec, now time.Time, opt WriteOptions) (*Export, error) {
	if opt.Host == "" {
		return nil, fmt.Errorf("cloudflare: source URLs need the site's host: give --host example.com")
	}
	rules, e := plan(cloudflareCaps, specs, now)
	cw := csv.NewWriter(w)
	cw.Write(cloudflareColumns)
	for _, s := range rules {
		to := s.To
		if strings.HasPrefix(to, "/") {
			to = "https://" + opt.Host + to
		}
		cw.Write([]string{opt.Host + s.Path, to, fmt.Sprint(status(s)), "false", "false", "false", "false"})
	}
	cw.Flush()
	return e, cw.Error()
}
