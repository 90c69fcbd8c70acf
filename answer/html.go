package answer

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
	"time"
)

// page is the HTML answer a browser gets instead of problem+json: the same
// status, headers and facts, in words.
var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.P.Status}} {{.P.Title}}</title>
<style>body{font:1.125rem/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b;background:#fff}h1{font-size:1.75rem}dt{font-weight:600}dd{margin:0 0 .75rem}a{color:#0b57d0}code{overflow-wrap:anywhere}</style>
</head>
<body>
<main>
<h1>{{.P.Title}}</h1>
<p>{{.P.Detail}}</p>
<dl>
<dt>{{.T "page.path"}}</dt><dd><code>{{.P.Instance}}</code></dd>
{{- with .P.DeletedAt}}
<dt>{{$.T "page.deleted_at"}}</dt><dd><time datetime="{{.}}">{{$.Date .}}</time></dd>
{{- end}}
{{- with .P.ExpiredAt}}
<dt>{{$.T "page.expired_at"}}</dt><dd><time datetime="{{.}}">{{$.Date .}}</time></dd>
{{- end}}
{{- with .P.Reason}}
<dt>{{$.T "page.reason"}}</dt><dd>{{.}}</dd>
{{- end}}
{{- with .P.AvailableAt}}
<dt>{{$.T "page.available_at"}}</dt><dd><time datetime="{{.}}">{{$.Date .}}</time></dd>
{{- end}}
{{- with .P.RetryAfter}}
<dt>{{$.T "page.retry"}}</dt><dd>{{.}} s</dd>
{{- end}}
</dl>
{{- with .P.Alternative}}
<p><a href="{{.}}">{{$.T "page.alternative"}}</a></p>
{{- end}}
{{- with .P.Suggestion}}
<p><a href="{{.}}">{{.}}</a></p>
{{- end}}
<p><a href="/">{{.T "page.home"}}</a></p>
</main>
</body>
</html>
`))

type pageData struct {
	Lang string
	P    *Problem
}

// T is the catalog's text for key in the page's language.
func (d pageData) T(key string) string { return Text(d.Lang, key) }

// Date shows an RFC 3339 time as a date and time in UTC.
func (pageData) Date(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// pageSecurity are the headers every HTML answer page carries: it runs no
// script, loads nothing but its own inline style, may not be framed (no
// clickjacking of a "Go to the replacement" link), is never sniffed as
// another type, and is not indexed (a cache that turned a 404 or 410 page
// into a 200 would otherwise make it a soft 404 in a search index).
var pageSecurity = map[string][]string{
	"Content-Security-Policy": {"default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"},
	"X-Content-Type-Options":  {"nosniff"},
	"X-Frame-Options":         {"DENY"},
	"X-Robots-Tag":            {"noindex"},
	"Referrer-Policy":         {"no-referrer"},
}

// HTML renders p as the accessible HTML page a browser gets instead of
// problem+json, with the same status, headers and facts, and sets its
// headers in h, which already holds the problem's own (Cache-Control,
// Retry-After, Link).
func HTML(h http.Header, lng string, p *Problem) []byte {
	var b bytes.Buffer
	// The template only reads strings and numbers: it cannot fail.
	_ = page.Execute(&b, pageData{Lang: lng, P: p})
	for k, v := range pageSecurity {
		h[k] = v
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", lng)
	h.Add("Vary", "Accept-Language")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	return b.Bytes()
}
