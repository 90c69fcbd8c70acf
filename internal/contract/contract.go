// Package contract checks HTTP exchanges against the OpenAPI document gone
// serves at /openapi.json, with kin-openapi's openapi3filter, so that a
// test fails the moment the server and its document disagree: an
// undocumented route or status, a body or header of another shape, a
// request the document refuses that the server accepted.
//
// The document is OpenAPI 3.1. kin-openapi (v0.152) loads 3.1 documents
// and, for them, validates bodies with a JSON Schema 2020-12 validator, so
// the document may use 3.1 forms (type arrays, unevaluatedProperties,
// license identifier) and is checked by the same rules Redocly lints.
package contract

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// Checker validates exchanges against one OpenAPI document.
type Checker struct {
	doc    *openapi3.T
	router routers.Router
	// problem is the schema of every answer to a request that no
	// operation describes (an unknown route, a refused method).
	problem *openapi3.SchemaRef
	// passed holds the digests of exchanges already found valid: the
	// check is a pure function of the exchange, and kin-openapi compiles
	// a JSON Schema for every value it validates, so tests that repeat a
	// request (property tests read the same ids again and again) pay once.
	passed sync.Map // [sha256.Size]byte → struct{}
}

// loaded caches a Checker per document, so each test pays for a lookup,
// not for parsing and validating the document again.
var loaded sync.Map // [sha256.Size]byte → *Checker

// textDecoders lets openapi3filter read the console's files, JSON Lines
// batches, the change feed's event stream and the sitemaps, which it has
// no decoder for, as the strings their schemas say they are.
var textDecoders = sync.OnceFunc(func() {
	for _, t := range []string{"text/html", "text/css", "text/javascript", "image/svg+xml", "application/x-ndjson", "application/jsonl", "text/event-stream", "application/xml"} {
		if openapi3filter.RegisteredBodyDecoder(t) == nil {
			openapi3filter.RegisterBodyDecoder(t, openapi3filter.PlainBodyDecoder)
		}
	}
})

// Load parses and validates an OpenAPI document and returns its Checker.
func Load(spec []byte) (*Checker, error) {
	textDecoders()
	key := sha256.Sum256(spec)
	if c, ok := loaded.Load(key); ok {
		return c.(*Checker), nil
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("contract: loading openapi.json: %w", err)
	}
	// Paths are matched whatever host the test server listens on: the
	// document's only server is relative ("/").
	doc.Servers = nil
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("contract: openapi.json: %w", err)
	}
	problem := doc.Components.Schemas["Problem"]
	if problem == nil {
		return nil, errors.New("contract: openapi.json has no Problem schema")
	}
	c := &Checker{doc: doc, router: router, problem: problem}
	loaded.Store(key, c)
	return c, nil
}

// Served fetches the document h serves at /openapi.json.
func Served(h http.Handler) ([]byte, error) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
	if w.Code != http.StatusOK {
		return nil, fmt.Errorf("contract: GET /openapi.json: status %d", w.Code)
	}
	return w.Body.Bytes(), nil
}

// Exchange is one request and the answer it got.
type Exchange struct {
	Request *http.Request
	// RequestBody is the body the request carried (nil for none).
	RequestBody []byte
	Status      int
	Header      http.Header
	Body        []byte
}

// Check validates one exchange. The error names the request, the
// operation, the status and the member or header that does not match.
func (c *Checker) Check(x Exchange) error {
	key := digest(x)
	if _, ok := c.passed.Load(key); ok {
		return nil
	}
	err := c.check(x)
	if err == nil {
		c.passed.Store(key, struct{}{})
	}
	return err
}

func (c *Checker) check(x Exchange) error {
	r := x.Request
	what := fmt.Sprintf("%s %s answered %d", r.Method, r.URL.RequestURI(), x.Status)
	route, params, routeErr := c.router.FindRoute(c.requestFor(x, r.Method))
	if routeErr != nil {
		// No operation describes the request: the server may only refuse
		// it, with a problem.
		if err := c.checkUnrouted(x); err != nil {
			return fmt.Errorf("contract: %s, and no operation in openapi.json describes the request (%v): %w", what, routeErr, err)
		}
		return nil
	}
	op := route.Method + " " + route.Path
	if id := route.Operation.OperationID; id != "" {
		op = route.Operation.OperationID + " (" + op + ")"
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("contract: %s; operation %s, status %d: %s", what, op, x.Status, fmt.Sprintf(format, args...))
	}
	resp := route.Operation.Responses.Status(x.Status)
	if resp == nil {
		return fail("openapi.json does not document this status (it documents %s)", statuses(route.Operation))
	}

	ctx := context.Background()
	in := &openapi3filter.RequestValidationInput{
		Request: c.requestFor(x, r.Method), PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: bearer},
	}
	// A refused request may be anything; one the server accepted must be
	// one the document allows. (Validating only those keeps the check
	// cheap: kin-openapi compiles a JSON Schema per value it validates.)
	if x.Status < 400 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			return fail("the server accepted a request openapi.json refuses: %s", describe(err))
		}
	}

	// openapi3filter skips HEAD, 304 and redirects: check their headers
	// here, and a HEAD's status and headers (and the body its handler
	// wrote, which net/http drops) as the GET's.
	if err := requiredHeaders(resp.Value, x.Header); err != nil {
		return fail("%v", err)
	}
	if len(resp.Value.Content) == 0 && len(x.Body) > 0 && r.Method != http.MethodHead {
		return fail("a body (%d bytes) where openapi.json documents none", len(x.Body))
	}
	if r.Method == http.MethodHead {
		var err error
		route, params, err = c.router.FindRoute(c.requestFor(x, http.MethodGet))
		if err != nil {
			return fail("HEAD has no GET beside it: %v", err)
		}
		if route.Operation.Responses.Status(x.Status) == nil {
			return fail("the GET beside this HEAD does not document this status (it documents %s)", statuses(route.Operation))
		}
		in = &openapi3filter.RequestValidationInput{Request: c.requestFor(x, http.MethodGet), PathParams: params, Route: route}
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 x.Status,
		Header:                 x.Header,
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true, MultiError: true,
			ExcludeResponseBody: r.Method == http.MethodHead && len(x.Body) == 0,
		},
	}
	out.SetBodyBytes(x.Body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fail("%s", describe(err))
	}
	return nil
}

// checkUnrouted accepts only a 4xx problem for a request no operation
// describes: a route the server serves must be in the document.
func (c *Checker) checkUnrouted(x Exchange) error {
	if x.Status < 400 || x.Status > 499 {
		return fmt.Errorf("status %d: a route the server serves must be in openapi.json (paths, and the method)", x.Status)
	}
	if ct := x.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		return fmt.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	if x.Request.Method == http.MethodHead && len(x.Body) == 0 {
		return nil
	}
	v, err := decodeJSON(x.Body)
	if err != nil {
		return err
	}
	if err := c.problem.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.MultiErrors(), openapi3.VisitAsResponse()); err != nil {
		return fmt.Errorf("body is not a Problem: %s", describe(err))
	}
	return nil
}

// digest sums everything the check reads: the request line, headers and
// body, and the status, headers and body of the answer. The request id
// differs on every answer and no operation describes it, so it is left out.
func digest(x Exchange) [sha256.Size]byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", x.Request.Method, x.Request.URL.RequestURI())
	writeHeader(h, x.Request.Header)
	fmt.Fprintf(h, "%d\n%q\n%d\n", len(x.RequestBody), x.RequestBody, x.Status)
	writeHeader(h, x.Header)
	h.Write(x.Body)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

func writeHeader(w io.Writer, h http.Header) {
	names := make([]string, 0, len(h))
	for k := range h {
		if k != "X-Request-Id" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(w, "%s: %q\n", k, h[k])
	}
}

// requestFor rebuilds the request for validation, with its body again.
func (c *Checker) requestFor(x Exchange, method string) *http.Request {
	r := x.Request.Clone(context.Background())
	r.Method = method
	r.Body = io.NopCloser(bytes.NewReader(x.RequestBody))
	r.ContentLength = int64(len(x.RequestBody))
	r.RequestURI = ""
	return r
}

// bearer satisfies a bearer requirement when the request carries a bearer
// token; whether the server knows it is the server's business.
func bearer(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	auth := in.RequestValidationInput.Request.Header.Get("Authorization")
	if in.SecuritySchemeName == "bearer" && !strings.HasPrefix(auth, "Bearer ") {
		return errors.New("no bearer token")
	}
	return nil
}

// requiredHeaders checks that every header the response requires is there.
func requiredHeaders(resp *openapi3.Response, h http.Header) error {
	names := make([]string, 0, len(resp.Headers))
	for name, ref := range resp.Headers {
		if ref.Value != nil && ref.Value.Required && h.Get(name) == "" {
			names = append(names, name)
		}
	}
	if len(names) > 0 {
		sort.Strings(names)
		return fmt.Errorf("required header %s missing", strings.Join(names, ", "))
	}
	return nil
}

// statuses lists the statuses an operation documents.
func statuses(op *openapi3.Operation) string {
	var out []string
	for code := range op.Responses.Map() {
		out = append(out, code)
	}
	slices.SortFunc(out, func(a, b string) int {
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		return x - y
	})
	return strings.Join(out, " ")
}

func decodeJSON(b []byte) (any, error) {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("body is not JSON: %w: %q", err, b)
	}
	return v, nil
}

// describe flattens kin-openapi's nested and multiple errors into one
// line per mismatch.
func describe(err error) string {
	var me openapi3.MultiError
	if errors.As(err, &me) && len(me) > 1 {
		parts := make([]string, len(me))
		for i, e := range me {
			parts[i] = describe(e)
		}
		return strings.Join(parts, "; ")
	}
	msg := strings.Join(strings.Fields(err.Error()), " ")
	// kin-openapi appends the whole schema; the operation and the member's
	// location already say which, and the value says what came.
	if i := strings.Index(msg, " Schema: "); i >= 0 {
		rest := msg[i:]
		msg = msg[:i]
		if j := strings.Index(rest, " Value: "); j >= 0 {
			msg += "; got" + rest[j+len(" Value"):]
		}
	}
	msg = strings.ReplaceAll(msg, "validation failed due to: ", "")
	if len(msg) > 500 {
		msg = msg[:500] + "…"
	}
	return msg
}

// Operation names the operation of the document that describes r, as
// "METHOD /path" (the path as the document writes it), or "" when none
// does.
func (c *Checker) Operation(r *http.Request) string {
	route, _, err := c.router.FindRoute(r)
	if err != nil {
		return ""
	}
	return route.Method + " " + route.Path
}

// Operations lists every operation of the document as "METHOD /path",
// sorted.
func (c *Checker) Operations() []string {
	var out []string
	for path, item := range c.doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, method+" "+path)
		}
	}
	sort.Strings(out)
	return out
}
