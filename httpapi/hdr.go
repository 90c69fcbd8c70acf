package httpapi

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gonehttp/gone"
)

// Header values every read answer carries, as shared one-element slices
// set straight into the header map under their canonical key: h.Set would
// canonicalize the key and allocate a slice per header per request. The
// slices are never written in place: net/http and every layer here only
// replace a value (Set) or append to it (Add), and an append to a full
// slice copies it (see appendHeader).
var (
	hdrProblemJSON    = []string{"application/problem+json"}
	hdrJSON           = []string{"application/json"}
	hdrNoStore        = []string{"no-store"}
	hdrNoCache        = []string{"no-cache"}
	hdrAcceptLanguage = []string{"Accept-Language"}
	hdrAuthorization  = []string{"Authorization"}
	// hdrVaryBoth is a localized answer's Vary once sharedCacheSafe
	// added Authorization.
	hdrVaryBoth = []string{"Accept-Language", "Authorization"}
)

// langValues holds a Content-Language value per language the catalog
// speaks, so a localized answer does not allocate one.
var langValues = func() map[string][]string {
	m := make(map[string][]string, len(catalog))
	for l := range catalog {
		m[l] = []string{l}
	}
	return m
}()

// langValue is the Content-Language value for lng.
func langValue(lng string) []string {
	if v, ok := langValues[lng]; ok {
		return v
	}
	return []string{lng}
}

// appendHeader is h.Add of a shared value: the shared slice itself when
// the header had no value yet, else a copy with the value appended (never
// an append into the shared slice).
func appendHeader(vs, add []string) []string {
	if len(vs) == 0 {
		return add
	}
	if len(vs) == 1 && &vs[0] == &hdrAcceptLanguage[0] && &add[0] == &hdrAuthorization[0] {
		return hdrVaryBoth
	}
	return append(vs[:len(vs):len(vs)], add...)
}

// contentLengths holds the Content-Length values of bodies shorter than
// 4 KiB (about 100 KiB in all), the size of nearly every read answer.
var contentLengths = func() [][]string {
	v := make([][]string, 4096)
	for n := range v {
		v[n] = []string{strconv.Itoa(n)}
	}
	return v
}()

// contentLength is the Content-Length value for a body of n bytes.
func contentLength(n int) []string {
	if n < len(contentLengths) {
		return contentLengths[n]
	}
	return []string{strconv.Itoa(n)}
}

// maxAgeValues holds the Cache-Control values of 404s and 410s: their
// lifetimes come from the collections' policies, so there are few. At
// most maxAgeValuesCap are kept; past that each answer builds its own.
var (
	maxAgeValues    sync.Map // time.Duration → []string
	maxAgeValuesLen atomic.Int32
)

const maxAgeValuesCap = 256

// maxAgeValue is the Cache-Control value "max-age=N" for a lifetime.
func maxAgeValue(d time.Duration) []string {
	if v, ok := maxAgeValues.Load(d); ok {
		return v.([]string)
	}
	v := []string{maxAge(d)}
	if maxAgeValuesLen.Add(1) <= maxAgeValuesCap {
		maxAgeValues.Store(d, v)
	}
	return v
}

// etags holds the entity tags of versions below 1024 (most records are
// written a few times), as gone.Record.ETag spells them.
var etags = func() []string {
	v := make([]string, 1024)
	for n := range v {
		v[n] = (&gone.Record{Version: int64(n)}).ETag()
	}
	return v
}()

// etagValue is gone.Record.ETag for a version.
func etagValue(version int64) string {
	if version >= 0 && version < int64(len(etags)) {
		return etags[version]
	}
	return (&gone.Record{Version: version}).ETag()
}
