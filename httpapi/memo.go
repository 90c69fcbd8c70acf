package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
	"github.com/gonehttp/gone/edge"
)

// The read path's memo: the answer to an anonymous GET or HEAD of one id is
// kept, as the whole handler chain sent it, beside the id's record in the
// read cache (Memos), and sent again byte for byte to the next such
// request, without the chain, until the record changes (a write drops both)
// or the decision's time runs out (gone.Decision.Until). It is memoization
// of the full path and never a second way to answer: what it sends is what
// the full path sent for the same request shape.

// Memos keeps, beside a record held in memory, what the API derived from
// it (the bytes of its answer), and forgets both together when the id
// changes or memory stops being trusted: readcache.Store is one. The
// answer lives beside the record so that whatever drops the record (a
// write here, another instance's write, a lost feed) drops the answer
// with it, with no second invalidation to keep right.
//
// Memo returns what is kept for the id (nil if nothing), whether the id's
// record is in memory at all, and a generation to pass to KeepMemo.
// KeepMemo replaces the kept value with update's result, only if the id is
// still in memory and nothing that could have changed it happened since
// Memo returned gen; a derivation from a record that a write replaced
// meanwhile is dropped.
type Memos interface {
	Memo(collection, id string) (memo any, held bool, gen uint64)
	KeepMemo(collection, id string, gen uint64, update func(old any) any)
}

// WithMemos keeps the answers of plain reads in m, beside the records of
// the service's read cache (m must be that cache: what invalidates a
// record must invalidate its answer).
func WithMemos(m Memos) Option { return func(s *server) { s.memos = m } }

// memoBodyLimit bounds the body a memo keeps; a larger answer is built
// anew every time.
const memoBodyLimit = 16 << 10

// answerMemo is one answer the chain sent. It is kept small: the cache
// holds one beside every hot id.
type answerMemo struct {
	status  int
	fields  []headerField // every header the chain set, but X-Request-Id
	body    []byte
	until   time.Time   // gone.Decision.Until
	answer  gone.Answer // for gone_decisions_total
	pattern string      // the route pattern, for the log and metrics
	// vary are the request headers the answer's Vary names, but
	// Accept-Language (the memo's slot is the negotiated language): the
	// answer was kept for a request with none of them, and is replayed
	// only to such requests (see varies).
	vary []string
}

// headerField is one header of a memo. vals is the slice the chain put in
// its header map (clipped, so no append can reach into it): values such as
// "no-cache" are shared by every memo rather than copied into each.
type headerField struct {
	key  string
	vals []string
}

// Size is about what the memo holds in memory, for the cache's bound.
func (a *answerMemo) Size() int {
	n := 160 + len(a.body)
	for _, f := range a.fields {
		n += 40
		for _, v := range f.vals {
			n += len(v)
		}
	}
	return n
}

// memoSet holds an id's memos, one per catalog language and method (GET,
// HEAD), indexed as answer.Languages.
type memoSet [][2]*answerMemo

// Size is about what the set holds in memory, for the cache's bound.
func (m *memoSet) Size() int {
	n := 32
	for _, byMethod := range *m {
		for _, a := range byMethod {
			if a != nil {
				n += a.Size()
			}
		}
	}
	return n
}

// memoSlot says which memo of a set answers a request in the catalog
// language l with method.
func memoSlot(method string) (m int) {
	if method == http.MethodHead {
		m = 1
	}
	return m
}

// pendingMemo is how handleRead tells replay that its answer may be kept:
// the decision's validity and the status that goes with it.
type pendingMemo struct {
	until  time.Time
	status int
	answer gone.Answer
}

// noteMemo records, for replay, that the answer to this read is d's.
func noteMemo(r *http.Request, d gone.Decision) {
	if p := infoFrom(r.Context()).memo; p != nil && !d.Until.IsZero() {
		*p = pendingMemo{until: d.Until, status: answer.StatusOfAnswer(d.Answer), answer: d.Answer}
	}
}

// keep is the API's outermost layer. It makes the request's reqInfo;
// it answers a plain read from its memo when one is current, and keeps
// what the chain next sent when the answer may be replayed; after a write
// that went through it wakes this instance's change streams. A replayed
// answer costs no context and no copy of the request.
func (s *server) keep(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		collection, id, ok := s.memoizable(r)
		if !ok {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), reqInfoKey{}, new(reqInfo))))
			if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions {
				if st := edge.InfoOf(r.Context()).Status; st != 0 && st < 300 {
					// A write went through: this instance's change
					// streams hear of it now rather than at the next poll.
					s.hub.nudge()
				}
			}
			return
		}
		s.serveRead(w, r, collection, id, next)
	})
}

// serveRead serves a memoizable read of collection/id: from its memo when
// one is current, and otherwise through next, keeping what it sent when
// that may be replayed.
func (s *server) serveRead(w http.ResponseWriter, r *http.Request, collection, id string, next http.Handler) {
	m := s.memos
	l, mt := answer.LanguageIndex(r), memoSlot(r.Method)
	kept, held, gen := m.Memo(collection, id)
	if set, _ := kept.(*memoSet); set != nil {
		if a := (*set)[l][mt]; a != nil && !carriesAny(r, a.vary) && s.svc.Now().Before(a.until) {
			edge.InfoOf(r.Context()).Route = a.pattern
			s.metrics.decision(gone.Decision{Answer: a.answer})
			s.metrics.replay()
			a.send(w)
			return
		}
	}
	info := new(reqInfo)
	r = r.WithContext(context.WithValue(r.Context(), reqInfoKey{}, info))
	if !held {
		// The first read of an id since it entered the cache keeps
		// nothing: under a sweep of many ids (a crawler, a uniform mix)
		// most are read once, and capturing their answers would cost time
		// and memory for nothing. The second read keeps it.
		next.ServeHTTP(w, r)
		return
	}
	p := new(pendingMemo)
	info.memo = p
	cw := &captureWriter{ResponseWriter: w}
	next.ServeHTTP(cw, r)
	info.memo = nil
	if p.until.IsZero() || cw.status != p.status || cw.tooBig {
		return
	}
	vary, ok := varies(cw.fields)
	if !ok || carriesAny(r, vary) {
		// The answer depends on something of the request's beyond the
		// id, the time and the language (a token, an origin): it is that
		// caller's, not the next one's.
		return
	}
	a := &answerMemo{status: cw.status, fields: cw.fields, body: cw.body, until: p.until, answer: p.answer,
		pattern: edge.InfoOf(r.Context()).Route, vary: vary}
	m.KeepMemo(collection, id, gen, func(old any) any {
		set := make(memoSet, answer.LanguageCount())
		if o, ok := old.(*memoSet); ok {
			copy(set, *o)
		}
		set[l][mt] = a
		return &set
	})
}

// memoizable reports whether memos are kept at all and r may be a read of
// one id whose answer depends on nothing but the id, the time and the
// language: a GET or HEAD of a clean /api/{collection}/{id} path with no
// query, not conditional, and ordinary framing and size. Whether the
// answer depends on more (a token, an origin) its Vary says: see varies.
// It returns the collection and id.
func (s *server) memoizable(r *http.Request) (collection, id string, ok bool) {
	if s.memos == nil || r.Method != http.MethodGet && r.Method != http.MethodHead {
		return "", "", false
	}
	rest, ok := strings.CutPrefix(r.URL.Path, s.prefix+"/")
	if !ok || r.URL.RawQuery != "" || r.URL.RawPath != "" || r.ContentLength != 0 || len(r.TransferEncoding) > 0 {
		return "", "", false
	}
	collection, id, ok = strings.Cut(rest, "/")
	if !ok || collection == "" || id == "" || strings.IndexByte(id, '/') >= 0 {
		return "", "", false
	}
	if carriesAny(r, conditionalHeaders[:]) {
		return "", "", false
	}
	return collection, id, true
}

// carriesAny reports whether r has any of the headers names.
func carriesAny(r *http.Request, names []string) bool {
	for _, k := range names {
		if _, set := r.Header[k]; set {
			return true
		}
	}
	return false
}

// varies returns the request headers the Vary of an answer (its fields)
// names, but Accept-Language, in canonical form; false when the answer
// varies on everything ("*") and so may not be kept. The kept answers obey
// the answer's own Vary, as a shared cache must (RFC 9111 §4.1), rather
// than a list of their own of what the layers consult: a layer that makes
// the answer depend on a new header says so in Vary, and the memo then
// serves no request carrying it.
func varies(fields []headerField) ([]string, bool) {
	var names []string
	for _, f := range fields {
		if f.key != "Vary" {
			continue
		}
		for _, v := range f.vals {
			for name := range strings.SplitSeq(v, ",") {
				name = http.CanonicalHeaderKey(strings.TrimSpace(name))
				switch name {
				case "*":
					return nil, false
				case "", "Accept-Language":
					continue
				}
				if !slices.Contains(names, name) {
					names = append(names, name)
				}
			}
		}
	}
	return names, true
}

// send writes the memo. The header values are shared between answers;
// net/http only reads them.
func (a *answerMemo) send(w http.ResponseWriter) {
	h := w.Header()
	for _, f := range a.fields {
		h[f.key] = f.vals
	}
	w.WriteHeader(a.status)
	w.Write(a.body)
}

// captureWriter keeps a copy of what the chain sends: the headers as they
// were when the status went out, and the body up to memoBodyLimit.
type captureWriter struct {
	http.ResponseWriter
	status int
	fields []headerField
	body   []byte
	tooBig bool
}

func (w *captureWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		h := w.ResponseWriter.Header()
		w.fields = make([]headerField, 0, len(h))
		for k, v := range h {
			if k != "X-Request-Id" {
				w.fields = append(w.fields, headerField{k, slices.Clip(v)})
			}
		}
		// Every read answer states its length: the body is kept in a
		// slice of exactly that size.
		if n, err := strconv.Atoi(h.Get("Content-Length")); err == nil && n <= memoBodyLimit {
			w.body = make([]byte, 0, n)
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *captureWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if len(w.body)+len(b) > memoBodyLimit {
		w.tooBig = true
	} else if !w.tooBig {
		w.body = append(w.body, b...)
	}
	return w.ResponseWriter.Write(b)
}

func (w *captureWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
