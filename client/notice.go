package client

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Notice tells the caller that a resource it read is going away: it has a
// Sunset (RFC 8594), after which it will be gone, or a Deprecation (RFC
// 9745).
type Notice struct {
	Method string
	URL    string
	// Sunset is when the resource stops answering; zero when not set.
	Sunset time.Time
	// Deprecation is when the resource was (or will be) deprecated; zero
	// when not set.
	Deprecation time.Time
	// Link is the Link header, which points at the sunset policy or an
	// alternative.
	Link string
}

// noticeFrom passes an answer's Sunset and Deprecation to the handler.
func (c *Client) noticeFrom(method string, resp *response) {
	sunset, dep := resp.header.Get("Sunset"), resp.header.Get("Deprecation")
	if sunset == "" && dep == "" {
		return
	}
	n := Notice{Method: method, URL: resp.url, Link: resp.header.Get("Link")}
	n.Sunset, _ = http.ParseTime(sunset)
	n.Deprecation = parseDeprecation(dep)
	c.notice(n)
}

// parseDeprecation reads RFC 9745's "@<unix seconds>", and the HTTP-date
// of the drafts before it.
func parseDeprecation(v string) time.Time {
	if s, ok := strings.CutPrefix(strings.TrimSpace(v), "@"); ok {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	t, _ := http.ParseTime(v)
	return t
}

// logNoticeOnce is the default notice handler: one warning per URL, so a
// loop that reads a sunsetting resource does not flood the log.
func (c *Client) logNoticeOnce(n Notice) {
	c.noticedMu.Lock()
	_, seen := c.noticed.get(n.URL)
	if !seen {
		c.noticed.put(n.URL, struct{}{})
	}
	c.noticedMu.Unlock()
	if seen {
		return
	}
	args := []any{"url", n.URL}
	if !n.Sunset.IsZero() {
		args = append(args, "sunset", n.Sunset.Format(time.RFC3339))
	}
	if !n.Deprecation.IsZero() {
		args = append(args, "deprecation", n.Deprecation.Format(time.RFC3339))
	}
	if n.Link != "" {
		args = append(args, "link", n.Link)
	}
	c.log.Warn("gone: resource is deprecated or scheduled to go away", args...)
}
