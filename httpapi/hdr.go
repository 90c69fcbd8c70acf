package httpapi

import (
	"github.com/gonehttp/gone"
)

// hdrJSON is the Content-Type of a representation, as a shared
// one-element slice set straight into the header map (see answer/hdr.go).
var hdrJSON = []string{"application/json"}

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
