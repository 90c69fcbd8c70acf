package gonehttp

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/gonehttp/gone/httpapi"
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
<dt>{{.L.path}}</dt><dd><code>{{.P.Instance}}</code></dd>
{{- with .P.DeletedAt}}
<dt>{{$.L.deletedAt}}</dt><dd><time datetime="{{.}}">{{$.Date .}}</time></dd>
{{- end}}
{{- with .P.ExpiredAt}}
<dt>{{$.L.expiredAt}}</dt><dd><time datetime="{{.}}">{{$.Date .}}</time></dd>
{{- end}}
{{- with .P.Reason}}
<dt>{{$.L.reason}}</dt><dd>{{.}}</dd>
{{- end}}
{{- with .P.AvailableAt}}
<dt>{{$.L.availableAt}}</dt><dd><time datetime="{{.}}">{{$.Date .}}</time></dd>
{{- end}}
{{- with .P.RetryAfter}}
<dt>{{$.L.retry}}</dt><dd>{{.}} s</dd>
{{- end}}
</dl>
{{- with .P.Alternative}}
<p><a href="{{.}}">{{$.L.alternative}}</a></p>
{{- end}}
{{- with .P.Suggestion}}
<p><a href="{{.}}">{{.}}</a></p>
{{- end}}
<p><a href="/">{{.L.home}}</a></p>
</main>
</body>
</html>
`))

// pageText are the page's labels by language.
var pageText = map[string]map[string]string{
	"en": {
		"path": "Address", "deletedAt": "Removed on", "expiredAt": "Expired on",
		"reason": "Why", "availableAt": "Available again on", "retry": "Try again in", "alternative": "Go to the replacement", "home": "Home page",
	},
	"es": {
		"path": "Dirección", "deletedAt": "Eliminada el", "expiredAt": "Expiró el",
		"reason": "Motivo", "availableAt": "Disponible de nuevo el", "retry": "Vuelve a intentarlo en", "alternative": "Ir a la página que la sustituye", "home": "Página de inicio",
	},
}

type pageData struct {
	Lang string
	P    *httpapi.Problem
	L    map[string]string
}

// Date shows an RFC 3339 time as a date and time in UTC.
func (pageData) Date(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// renderHTML renders p as the HTML page and sets its headers in h, which
// already holds the problem's own (Cache-Control, Retry-After, Link).
func renderHTML(h http.Header, lng string, p *httpapi.Problem) []byte {
	var b bytes.Buffer
	// The template only reads strings and numbers: it cannot fail.
	_ = page.Execute(&b, pageData{Lang: lng, P: p, L: pageText[lng]})
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", lng)
	h.Add("Vary", "Accept-Language")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	return b.Bytes()
}
