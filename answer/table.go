package answer

import (
	"net/http"

	"github.com/gonehttp/gone"
)

// row is one line of the table: a status, the decision answers and error
// codes that are said with it, and the problem type that documents it.
type row struct {
	status  int
	answers []gone.Answer
	codes   []string
	// typ names the problem type (Base+typ), documented at
	// GET /problems/{typ} on every front door; "" for a status that is
	// never a problem (200, 308).
	typ string
	doc string
}

// table is the one table of gone's answers. Cache policy: a 404 or 410 of
// a decision carries the collection's (or rule's) max-age, a 308 no-cache,
// a 200 no-cache with validators; every other problem is no-store, and a
// 503 also carries a capped Retry-After (ForDecision, Encode).
var table = []row{
	{status: http.StatusOK, answers: []gone.Answer{gone.AnswerOK}},
	{status: http.StatusPermanentRedirect, answers: []gone.Answer{gone.AnswerMoved}},
	{status: http.StatusBadRequest, codes: []string{gone.EINVALID}, typ: "invalid",
		doc: "The request is malformed; errors names the fields. Nothing was changed."},
	{status: http.StatusUnauthorized, answers: []gone.Answer{gone.AnswerUnauthorized}, codes: []string{gone.EUNAUTHORIZED}, typ: "unauthorized",
		doc: "A valid bearer token is required. tokenState says why a token was refused: unknown, revoked (revokedAt) or expired (expiredAt)."},
	{status: http.StatusForbidden, codes: []string{gone.EFORBIDDEN}, typ: "forbidden",
		doc: "The token may not do this: it lacks the scope, or is restricted to other collections."},
	{status: http.StatusNotFound, answers: []gone.Answer{gone.AnswerNotFound}, codes: []string{gone.ENOTFOUND}, typ: "not-found",
		doc: "The server does not know this resource or endpoint. It may exist later: check the URL; you may retry after the Cache-Control max-age."},
	{status: http.StatusMethodNotAllowed, typ: "method-not-allowed",
		doc: "The route does not support this method; Allow lists those it does."},
	{status: http.StatusRequestTimeout, codes: []string{gone.ETIMEOUT}, typ: "request-timeout",
		doc: "The request body stopped arriving: no bytes for longer than the server waits (30 s unless configured otherwise). Nothing was changed, and the connection was closed; send the request again."},
	{status: http.StatusConflict, codes: []string{gone.ECONFLICT}, typ: "conflict",
		doc: "The request conflicts with the resource's lifecycle (for example, creating under a retired id). Nothing was changed."},
	{status: http.StatusGone, answers: []gone.Answer{gone.AnswerGone}, codes: []string{gone.EGONE}, typ: "gone",
		doc: "The resource existed and was permanently removed. It will never return: do not retry, and purge it from caches and bookmarks. deletedAt or expiredAt say when, reason why, alternative what to use instead."},
	{status: http.StatusPreconditionFailed, codes: []string{gone.EPRECONDITION}, typ: "precondition-failed",
		doc: "A precondition of the write did not hold: If-Match did not match the current ETag, the resource was modified after If-Unmodified-Since, or If-None-Match matched (If-None-Match: * makes a PUT create-only). The ETag header holds the current ETag. Nothing was changed."},
	{status: http.StatusRequestEntityTooLarge, codes: []string{gone.ETOOLARGE}, typ: "too-large",
		doc: "The request body is larger than the server accepts (1 MiB). Nothing was changed."},
	{status: http.StatusRequestURITooLong, typ: "uri-too-long",
		doc: "The request target (path and query) is longer than the server accepts (16 KiB). Nothing was changed."},
	{status: http.StatusUnsupportedMediaType, codes: []string{gone.EUNSUPPORTED}, typ: "unsupported-media-type",
		doc: "The request body must be application/json. Nothing was changed."},
	{status: http.StatusTooManyRequests, codes: []string{gone.ETOOMANY}, typ: "too-many-requests",
		doc: "Too many requests from this client address failed to authenticate. Retry after the Retry-After delay. Requests with a valid token are not counted, and a token that already succeeded from this address is not refused."},
	{status: http.StatusRequestHeaderFieldsTooLarge, typ: "headers-too-large",
		doc: "The request line and headers are larger than the server accepts (64 KiB). Nothing was changed."},
	{status: http.StatusInternalServerError, codes: []string{gone.EINTERNAL}, typ: "internal",
		doc: "The server failed. The requestId member identifies the failure in the server's log."},
	{status: http.StatusNotImplemented, typ: "not-implemented",
		doc: "The request uses a transfer coding the server does not implement (only chunked is). The request was refused and its connection closed."},
	{status: http.StatusBadGateway, typ: "upstream",
		doc: "The site behind gone proxy did not answer, or answered with something that is not HTTP. Retry after the Retry-After delay; the path itself was not judged missing."},
	{status: http.StatusServiceUnavailable, answers: []gone.Answer{gone.AnswerUnavailable}, codes: []string{gone.EUNAVAILABLE}, typ: "unavailable",
		doc: "The resource or the server is temporarily unavailable. Retry after the Retry-After delay."},
	{status: http.StatusGatewayTimeout, typ: "upstream",
		doc: "The site behind gone proxy did not answer, or answered with something that is not HTTP. Retry after the Retry-After delay; the path itself was not judged missing."},
}

// The table's indexes, built once.
var (
	byCode   = map[string]int{}
	byAnswer = map[gone.Answer]int{}
	byStatus = map[int]string{}
	docs     = map[string]string{}
)

func init() {
	for _, r := range table {
		for _, c := range r.codes {
			byCode[c] = r.status
		}
		for _, a := range r.answers {
			byAnswer[a] = r.status
		}
		if r.typ != "" {
			byStatus[r.status] = r.typ
			docs[r.typ] = r.doc
		}
	}
}

// StatusOf is the status of an error code; 500 for a code the table does
// not know.
func StatusOf(code string) int {
	if s, ok := byCode[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// StatusOfAnswer is the status a decision's answer is given with.
func StatusOfAnswer(a gone.Answer) int { return byAnswer[a] }

// TypeOf is the problem type name of a status ("gone" for 410); "" when
// the table has none.
func TypeOf(status int) string { return byStatus[status] }

// WriteDoc answers a request for the documentation of the problem type
// name: the page every front door serves at its problem base (GET
// /problems/{name} on serve, below the admin prefix on the proxy, and in
// the middleware). It returns false, having written nothing, for a name
// the table does not document.
func WriteDoc(w http.ResponseWriter, name string) bool {
	doc, ok := docs[name]
	if !ok {
		return false
	}
	w.Header().Set("Cache-Control", "max-age=86400")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(doc + "\n"))
	return true
}

// Types lists every problem type name the table documents.
func Types() []string {
	var names []string
	for name := range docs {
		names = append(names, name)
	}
	return names
}
