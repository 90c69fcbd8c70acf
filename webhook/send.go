package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gonehttp/gone"
)

// userAgent names gone to receivers and caches.
const userAgent = "gone-webhooks/1"

// request builds the HTTP request that delivers m to w: a signed POST of
// the event, or the purge of m.Path that w's kind of cache understands.
func request(ctx context.Context, w *gone.Webhook, m gone.WebhookMessage, now time.Time) (*http.Request, error) {
	if w.Kind == gone.WebhookJSON {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(m.Body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("webhook-id", m.ID)
		req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
		req.Header.Set("webhook-signature", Sign(w.Secret, m.ID, now, m.Body))
		req.Header.Set("User-Agent", userAgent)
		return req, nil
	}
	if w.Kind == gone.IndexNow {
		return indexNowRequest(ctx, w, m)
	}
	method, target := "PURGE", m.Path
	ban := w.Kind == gone.BanVarnish || (w.Kind == gone.PurgeVarnish && m.Prefix)
	switch {
	case ban:
		method, target = "BAN", "/"
	case w.Kind == gone.PurgeNginx && m.Prefix:
		// ngx_cache_purge's partial keys: a trailing * purges every key
		// that starts with the rest.
		target = m.Path + "*"
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(w.URL, "/")+target, nil)
	if err != nil {
		return nil, err
	}
	if ban {
		// The VCL in docs/webhooks.md bans objects whose URL matches:
		// the path itself, with or without a query, or everything
		// below a prefix.
		re := "^" + regexp.QuoteMeta(m.Path)
		if !m.Prefix {
			re += `(\?|$)`
		}
		req.Header.Set("X-Ban-Url", re)
	}
	if w.Host != "" {
		req.Host = w.Host
	}
	req.Header.Set("User-Agent", userAgent)
	return req, nil
}

// send delivers m to w once and says how it went.
func (d *Deliverer) send(ctx context.Context, w *gone.Webhook, m gone.WebhookMessage) gone.WebhookAttempt {
	start := d.now()
	a := gone.WebhookAttempt{Webhook: w.Name, Seq: m.Seq, MessageID: m.ID, At: start, Attempt: m.Attempts + 1}
	ctx, cancel := context.WithTimeout(ctx, d.timeout())
	defer cancel()
	req, err := request(ctx, w, m, start)
	if err != nil {
		a.Error = err.Error()
		return a
	}
	resp, err := d.client().Do(req)
	a.Duration = d.now().Sub(start)
	if err != nil {
		a.Error = err.Error()
		return a
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	a.Status = resp.StatusCode
	// A purge of something the cache does not hold is done as well:
	// nginx's cache_purge answers 404 then, some setups 412.
	nothingCached := w.Kind.Purges() && (resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusPreconditionFailed)
	if resp.StatusCode/100 == 2 || nothingCached {
		a.Delivered = true
		return a
	}
	a.Error = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(snippet))
	return a
}

// indexNowRequest is the IndexNow protocol's POST of one changed URL
// (https://www.indexnow.org/documentation): the site's host, its key, and
// the URL, absolute on https://host.
func indexNowRequest(ctx context.Context, w *gone.Webhook, m gone.WebhookMessage) (*http.Request, error) {
	body, err := json.Marshal(struct {
		Host    string   `json:"host"`
		Key     string   `json:"key"`
		URLList []string `json:"urlList"`
	}{w.Host, w.Secret, []string{"https://" + w.Host + m.Path}})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", userAgent)
	return req, nil
}
