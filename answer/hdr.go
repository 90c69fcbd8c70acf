package answer

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Header values answers carry, as shared one-element slices set straight
// into the header map under their canonical key: h.Set would canonicalize
// the key and allocate a slice per header per request. The slices are
// never written in place: net/http and every layer of gone only replace a
// value (Set) or append to it (Add, AppendHeader), and an append to a full
// slice copies it.
var (
	hdrProblemJSON = []string{"application/problem+json"}
	// NoStore and NoCache are Cache-Control values.
	NoStore = []string{"no-store"}
	NoCache = []string{"no-cache"}
	// VaryAcceptLanguage and VaryAuthorization are Vary values.
	VaryAcceptLanguage = []string{"Accept-Language"}
	VaryAuthorization  = []string{"Authorization"}
	// varyBoth is a localized answer's Vary once Authorization is added.
	varyBoth = []string{"Accept-Language", "Authorization"}
)

// AppendHeader is h.Add of a shared value: the shared slice itself when
// the header had no value yet, else a copy with the value appended (never
// an append into the shared slice).
func AppendHeader(vs, add []string) []string {
	if len(vs) == 0 {
		return add
	}
	if len(vs) == 1 && &vs[0] == &VaryAcceptLanguage[0] && &add[0] == &VaryAuthorization[0] {
		return varyBoth
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

// ContentLength is the Content-Length value for a body of n bytes.
func ContentLength(n int) []string {
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

// MaxAge is the Cache-Control value "max-age=N" for a lifetime.
func MaxAge(d time.Duration) []string {
	if v, ok := maxAgeValues.Load(d); ok {
		return v.([]string)
	}
	v := []string{"max-age=" + strconv.Itoa(int(d/time.Second))}
	if maxAgeValuesLen.Load() < maxAgeValuesCap && maxAgeValuesLen.Add(1) <= maxAgeValuesCap {
		maxAgeValues.Store(d, v)
	}
	return v
}
