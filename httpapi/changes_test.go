package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/edge"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/internal/demotest"
)

var adminCaller = gone.Caller{Name: "admin", Scopes: []gone.Scope{gone.ScopeAdmin}}

type changePage struct {
	Changes []struct {
		Seq                      int64
		Type, Collection, ID     string
		Reason, Actor, Location  string
		Path, MovedTo, ExpiresAt string
		Message                  string
	}
	Last int64
	More bool
}

func (e *env) changes(token, query string) (changePage, *httptestRecorder) {
	e.t.Helper()
	w := e.do(req{path: "/api/changes" + query, token: token})
	var p changePage
	if w.Code == 200 {
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
			e.t.Fatalf("GET /api/changes%s: %v", query, err)
		}
	}
	return p, w
}

type httptestRecorder = httptest.ResponseRecorder

func TestChangesPage(t *testing.T) {
	e := newEnv(t)
	start, _ := e.changes(readerToken, "?limit=1000")
	if start.More || start.Last == 0 {
		t.Fatalf("the demo's log: last = %d, more = %v", start.Last, start.More)
	}
	ctx := context.Background()
	steps := []func() error{
		func() error {
			_, err := e.svc.Delete(ctx, adminCaller, "users", "42", gone.DeleteOptions{Reason: "user_request"}, gone.Preconditions{})
			return err
		},
		func() error {
			_, _, err := e.svc.Put(ctx, adminCaller, "accounts", "secret-7", []byte(`{"a":1}`), gone.Preconditions{})
			return err
		},
		func() error {
			_, err := e.svc.Delete(ctx, adminCaller, "accounts", "secret-7", gone.DeleteOptions{Permanent: true, Reason: "user_request"}, gone.Preconditions{})
			return err
		},
		func() error {
			_, err := e.svc.Delete(ctx, adminCaller, "users", "42", gone.DeleteOptions{Permanent: true, Reason: "user_request"}, gone.Preconditions{})
			return err
		},
		func() error {
			_, _, err := e.svc.Put(ctx, adminCaller, "promotions", "spring", []byte(`{}`), gone.Preconditions{})
			return err
		},
		func() error {
			_, err := e.svc.Move(ctx, adminCaller, "promotions", "spring", "spring-2027", gone.Preconditions{})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	q := "?since=" + strconv.FormatInt(start.Last, 10)

	p, w := e.changes(readerToken, q)
	var got []string
	for _, c := range p.Changes {
		got = append(got, c.Type+" "+c.Collection+"/"+c.ID)
		if c.Actor != "" {
			t.Errorf("a reader sees the actor %q", c.Actor)
		}
	}
	want := []string{"deleted users/42", "gone users/42", "created promotions/spring", "moved promotions/spring", "created promotions/spring-2027"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("reader's changes = %v, want %v", got, want)
	}
	// A concealed collection says nothing a 404 would not: no trace at all.
	for _, leak := range []string{"accounts", "secret-7"} {
		if strings.Contains(w.Body.String(), leak) {
			t.Errorf("reader's feed mentions %q: %s", leak, w.Body)
		}
	}
	if p.Changes[1].Message != "This user account was permanently deleted on 2026-11-22" {
		t.Errorf("gone: message = %q", p.Changes[1].Message)
	}
	if p.Changes[0].Reason != "" || p.Changes[1].Reason != "User requested account deletion" {
		t.Errorf("reasons = %q, %q; want none for the trash and the text for gone (full disclosure)", p.Changes[0].Reason, p.Changes[1].Reason)
	}
	if p.Changes[3].Location != "/api/promotions/spring-2027" {
		t.Errorf("moved: location = %q", p.Changes[3].Location)
	}
	if p.Last <= p.Changes[len(p.Changes)-1].Seq-1 || p.More {
		t.Errorf("last = %d, more = %v", p.Last, p.More)
	}
	// since=now starts at the end.
	if now, _ := e.changes(readerToken, "?since=now"); len(now.Changes) != 0 || now.Last != p.Last {
		t.Errorf("since=now: %d changes, last %d; want none and %d", len(now.Changes), now.Last, p.Last)
	}
	// Resuming after the last change is empty.
	if again, _ := e.changes(readerToken, "?since="+strconv.FormatInt(p.Last, 10)); len(again.Changes) != 0 {
		t.Errorf("since=last: %d changes, want none", len(again.Changes))
	}

	// The admin sees everything, with actors.
	a, _ := e.changes(adminToken, q)
	if len(a.Changes) != 7 || a.Changes[1].Collection != "accounts" || a.Changes[1].Actor != "admin" {
		t.Errorf("admin's changes = %+v, want 7 with the accounts and their actor", a.Changes)
	}
	// Paging: limit 2 reads two events at a time, hidden ones included.
	var seen []int64
	for since, n := start.Last, 0; n < 10; n++ {
		pg, _ := e.changes(readerToken, fmt.Sprintf("?limit=2&since=%d", since))
		for _, c := range pg.Changes {
			seen = append(seen, c.Seq)
		}
		since = pg.Last
		if !pg.More {
			break
		}
	}
	if len(seen) != 5 {
		t.Errorf("paged with limit=2: seqs %v, want the 5 visible changes", seen)
	}

	// HEAD answers a page's headers, never a stream.
	if w := e.do(req{method: "HEAD", path: "/api/changes", token: readerToken, header: map[string]string{"Accept": "text/event-stream"}}); w.Code != 200 || w.Header().Get("Content-Type") != "application/json" {
		t.Errorf("HEAD /api/changes: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	for _, tc := range []struct {
		name, token, query string
		want               int
	}{
		{"anonymous", "", "", 401},
		{"concealed collection by name", readerToken, "?collection=accounts", 403},
		{"concealed collection, admin", adminToken, "?collection=accounts", 200},
		{"unknown collection", readerToken, "?collection=nope", 404},
		{"bad since", readerToken, "?since=abc", 400},
		{"bad limit", readerToken, "?limit=0", 400},
	} {
		if _, w := e.changes(tc.token, tc.query); w.Code != tc.want {
			t.Errorf("%s: status = %d, want %d (%s)", tc.name, w.Code, tc.want, w.Body)
		}
	}
}

// feedServer is the demo world behind a real HTTP server with quick feed
// timings.
func feedServer(t *testing.T, ft httpapi.FeedSettings, opts ...httpapi.Option) (*demotest.World, *httptest.Server) {
	t.Helper()
	w := demotest.New(t)
	srv := httptest.NewServer(w.Handler(nil, append(opts, httpapi.WithFeed(ft))...))
	t.Cleanup(srv.Close)
	return w, srv
}

// sseEvent is one Server-Sent Event, or a comment.
type sseEvent struct {
	id, event, data, comment string
}

func openStream(t *testing.T, url, query, token string, header map[string]string) (*http.Response, <-chan sseEvent) {
	t.Helper()
	r, _ := http.NewRequest("GET", url+"/api/changes"+query, nil)
	r.Header.Set("Accept", "text/event-stream")
	r.Header.Set("Authorization", "Bearer "+token)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	ch := make(chan sseEvent, 100)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev != (sseEvent{}) {
					ch <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, ":"):
				ch <- sseEvent{comment: strings.TrimSpace(line[1:])}
			default:
				k, v, _ := strings.Cut(line, ": ")
				switch k {
				case "id":
					ev.id = v
				case "event":
					ev.event = v
				case "data":
					ev.data = v
				}
			}
		}
	}()
	return resp, ch
}

// nextEvent returns the next event that is not a comment or retry line.
func nextEvent(t *testing.T, ch <-chan sseEvent) sseEvent {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatal("stream ended")
			}
			if ev.event != "" {
				return ev
			}
		case <-deadline:
			t.Fatal("no event within 5s")
		}
	}
}

func TestChangesStream(t *testing.T) {
	w, srv := feedServer(t, httpapi.FeedSettings{Poll: 20 * time.Millisecond, Keepalive: 50 * time.Millisecond})
	ctx := context.Background()
	events, _ := w.Store.Audit(ctx, gone.AuditQuery{})
	head := events[len(events)-1].Seq
	_, ch := openStream(t, srv.URL, "", readerToken, map[string]string{"Last-Event-ID": strconv.FormatInt(head, 10)})

	// A keepalive comment while nothing happens.
	sawKeepalive := false
	for !sawKeepalive {
		select {
		case ev := <-ch:
			sawKeepalive = ev.comment == "keepalive"
		case <-time.After(5 * time.Second):
			t.Fatal("no keepalive within 5s")
		}
	}
	if _, err := w.Service.Delete(ctx, adminCaller, "users", "42", gone.DeleteOptions{Permanent: true}, gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.Service.Put(ctx, adminCaller, "accounts", "hidden-1", []byte(`{}`), gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Service.Patch(ctx, adminCaller, "users", "123x", []byte(`{}`), gone.Preconditions{}); err == nil {
		t.Fatal("patch of an unknown id succeeded")
	}
	if _, _, err := w.Service.Put(ctx, adminCaller, "promotions", "spring", []byte(`{}`), gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	first := nextEvent(t, ch)
	if first.event != "gone" || !strings.Contains(first.data, `"path":"/api/users/42"`) || first.id != strconv.FormatInt(head+1, 10) {
		t.Errorf("first event = %+v, want gone /api/users/42 with id %d", first, head+1)
	}
	second := nextEvent(t, ch)
	if second.event != "created" || !strings.Contains(second.data, "spring") {
		t.Errorf("second event = %+v, want created promotions/spring (the account is hidden)", second)
	}

	// Resuming with Last-Event-ID gives what came after, once.
	_, again := openStream(t, srv.URL, "", readerToken, map[string]string{"Last-Event-ID": first.id})
	if ev := nextEvent(t, again); ev.id != second.id {
		t.Errorf("resumed after %s: first event %+v, want id %s", first.id, ev, second.id)
	}
}

func TestChangesStreamEndsOnShutdown(t *testing.T) {
	stop := make(chan struct{})
	_, srv := feedServer(t, httpapi.FeedSettings{Keepalive: time.Hour}, httpapi.WithShutdown(stop))
	_, ch := openStream(t, srv.URL, "", readerToken, map[string]string{"Last-Event-ID": "100000"})
	close(stop)
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("the stream stayed open after shutdown began")
		}
	}
}

// TestChangesDropsStalledReader opens a stream that never reads past its
// headers, through a tiny receive buffer, and writes many changes: the
// server must drop it once a write stalls for WriteTimeout, holding no
// queue for it meanwhile.
func TestChangesDropsStalledReader(t *testing.T) {
	w := demotest.New(t)
	srv := httptest.NewUnstartedServer(w.Handler(nil, httpapi.WithFeed(httpapi.FeedSettings{
		Poll: 10 * time.Millisecond, Keepalive: 50 * time.Millisecond, WriteTimeout: 300 * time.Millisecond})))
	// Small socket buffers on both ends, as a slow link would have, so a
	// few hundred events fill them.
	srv.Listener = smallBuffers{srv.Listener}
	srv.Start()
	t.Cleanup(srv.Close)
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 2048) })
	}}
	conn, err := d.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /api/changes HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nAuthorization: Bearer %s\r\n\r\n", readerToken)
	time.Sleep(100 * time.Millisecond) // the stream is open and has sent the demo's history
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	// 2000 events of about 600 bytes each: 1.2 MB that nobody reads.
	ctx := context.Background()
	reason := strings.Repeat("x", 400)
	for batch := range 4 {
		err := w.Store.Update(ctx, func(tx gone.Tx) error {
			for i := range 500 {
				e := gone.AuditEvent{At: demotest.Now, Actor: "admin", Action: gone.ActionDelete,
					Collection: "users", ID: fmt.Sprintf("u%d-%d", batch, i), Reason: reason}
				if err := tx.AppendAudit(ctx, e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(time.Second) // well past WriteTimeout
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	grew := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("heap grew by %d KiB while the reader stalled through 2000 changes", grew/1024)
	if grew > 4<<20 {
		t.Errorf("heap grew by %d KiB with one stalled reader", grew>>10)
	}
	// Now read: a dropped stream ends (EOF) once its buffered bytes are
	// read; a live one would go on with the rest and keepalives.
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64<<10)
	n := 0
	for {
		k, err := conn.Read(buf)
		n += k
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("the stalled stream was never dropped (read %d bytes, still open)", n)
			}
			if n > 1<<20 {
				t.Errorf("read %d bytes: the stream was not dropped before it sent everything", n)
			}
			t.Logf("stream dropped after %d bytes: %v", n, err)
			return
		}
	}
}

// smallBuffers gives accepted connections a small send buffer.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(4096)
	}
	return c, err
}

// TestChangesStreamFromNow: since=now starts at the end of the log and
// says where, so a reconnection before any change loses nothing.
func TestChangesStreamFromNow(t *testing.T) {
	w, srv := feedServer(t, httpapi.FeedSettings{Poll: 20 * time.Millisecond})
	events, _ := w.Store.Audit(context.Background(), gone.AuditQuery{})
	head := strconv.FormatInt(events[len(events)-1].Seq, 10)
	_, ch := openStream(t, srv.URL, "?since=now", readerToken, nil)
	select {
	case first := <-ch:
		if first.id != head || first.event != "" {
			t.Errorf("first block = %+v, want only id %s", first, head)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no first block")
	}
	if _, _, err := w.Service.Put(context.Background(), adminCaller, "promotions", "later", []byte(`{}`), gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, ch); ev.event != "created" || !strings.Contains(ev.data, `"id":"later"`) {
		t.Errorf("event after now = %+v, want created promotions/later", ev)
	}
}

// TestChangesRestrictedToken: a token restricted to some collections
// watches only those, and may not ask for another by name.
func TestChangesRestrictedToken(t *testing.T) {
	e := newEnv(t)
	w := e.admin("POST", "/api/tokens", `{"name":"promo-reader","scopes":["read"],"collections":["promotions"]}`)
	var tok struct{ Secret string }
	if err := json.Unmarshal(w.Body.Bytes(), &tok); err != nil || tok.Secret == "" {
		t.Fatalf("creating a token: %d %s", w.Code, w.Body)
	}
	p, w := e.changes(tok.Secret, "?limit=1000")
	if w.Code != 200 || len(p.Changes) == 0 {
		t.Fatalf("restricted token's feed: %d, %d changes", w.Code, len(p.Changes))
	}
	for _, c := range p.Changes {
		if c.Collection != "promotions" {
			t.Errorf("a token for promotions sees %s %s/%s", c.Type, c.Collection, c.ID)
		}
	}
	if _, w := e.changes(tok.Secret, "?collection=users"); w.Code != 403 {
		t.Errorf("?collection=users with a promotions token: status %d, want 403", w.Code)
	}
}

// TestChangesStreamsAreBounded: past MaxStreams a stream request is a 503
// with Retry-After (pages still answer), and a closed stream frees its
// place.
func TestChangesStreamsAreBounded(t *testing.T) {
	_, srv := feedServer(t, httpapi.FeedSettings{MaxStreams: 1})
	ctx, cancel := context.WithCancel(context.Background())
	r, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/changes?since=now", nil)
	r.Header.Set("Accept", "text/event-stream")
	r.Header.Set("Authorization", "Bearer "+readerToken)
	first, err := http.DefaultClient.Do(r)
	if err != nil || first.StatusCode != 200 {
		t.Fatalf("first stream: %v %v", first, err)
	}
	second := func() *http.Response {
		r, _ := http.NewRequest("GET", srv.URL+"/api/changes?since=now", nil)
		r.Header.Set("Accept", "text/event-stream")
		r.Header.Set("Authorization", "Bearer "+readerToken)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := second()
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("a stream past the bound: %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	page, _ := http.NewRequest("GET", srv.URL+"/api/changes?since=now", nil)
	page.Header.Set("Authorization", "Bearer "+readerToken)
	if resp, err := http.DefaultClient.Do(page); err != nil || resp.StatusCode != 200 {
		t.Errorf("a JSON page past the stream bound: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	cancel()
	first.Body.Close()
	for i := 0; ; i++ {
		resp := second()
		resp.Body.Close()
		if resp.StatusCode == 200 {
			break
		}
		if i == 100 {
			t.Fatal("a closed stream never freed its place")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestChangesStreamsAreNotShed: open streams hold no shedding slot, so
// watchers never crowd out reads.
func TestChangesStreamsAreNotShed(t *testing.T) {
	w := demotest.New(t)
	srv := httptest.NewServer(w.EdgeHandler(edge.Config{Shedding: edge.Shedding{MaxInFlight: 1, QueueWait: time.Millisecond}}))
	t.Cleanup(srv.Close)
	for range 3 {
		_, ch := openStream(t, srv.URL, "?since=now", readerToken, nil)
		<-ch // the stream is open and has said where it starts
	}
	resp, err := http.Get(srv.URL + "/api/users/42")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET with three streams open and one in-flight slot: %d, want 200", resp.StatusCode)
	}
}
