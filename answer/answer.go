// Package answer is how gone says a decision over HTTP, for every front
// door alike (gone serve's API, gone proxy and the gonehttp middleware):
// the one table from an answer or an error code to its status, problem type
// and documentation (table.go); RFC 9457 problems and their JSON and HTML
// encodings; the language catalog and its negotiation; and CORS.
//
// To know when gone sends 410, read gone.Decide and table.go.
package answer
