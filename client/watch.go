package client

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// FeedChange is one change from the server's change feed (GET /api/changes).
type FeedChange struct {
	Seq        int64     `json:"seq"`
	Type       string    `json:"type"`
	Collection string    `json:"collection"`
	ID         string    `json:"id"`
	Path       string    `json:"path"`
	At         time.Time `json:"at"`
	// Reason, Message and Alternative are those of the 410, on gone
	// (Reason and Message on expired too).
	Reason      string `json:"reason"`
	Message     string `json:"message"`
	Alternative string `json:"alternative"`
	// MovedTo and Location name the new id of a moved one.
	MovedTo          string    `json:"movedTo"`
	Location         string    `json:"location"`
	ExpiresAt        time.Time `json:"expiresAt"`
	UnavailableUntil time.Time `json:"unavailableUntil"`
	// Actor is the token that made the change; admins only.
	Actor string `json:"actor"`
}

// WatchOptions says where the feed starts and who hears of each change.
type WatchOptions struct {
	// Since is the sequence to continue after. Zero starts at the end of
	// the log (changes from now on), unless FromStart is set.
	Since int64
	// FromStart replays the whole log when Since is zero.
	FromStart bool
	// Collection limits the feed to one collection.
	Collection string
	// OnChange is called for each change, after the client applied it.
	OnChange func(FeedChange)
}

// Watch follows the server's change feed until ctx ends, applying each
// change to the client's memory: deleted, gone, expired and moved drop
// the cached representation; gone and expired also remember the id as
// gone, so the next Get fails with ErrGone without a request (and OnGone
// is called); moved remembers the new location. The feed needs a token.
//
// Watch reconnects after errors with the retry policy's backoff, resuming
// after the last change it saw. It returns ctx's error when ctx ends, or
// the *Error of an answer that waiting will not mend (400, 401, 403, 404).
func (c *Client) Watch(ctx context.Context, opt WatchOptions) error {
	// A stream outlives any whole-request timeout the caller's
	// http.Client may set.
	hc := *c.hc
	hc.Timeout = 0
	since := strconv.FormatInt(opt.Since, 10)
	if opt.Since == 0 && !opt.FromStart {
		since = "now" // the stream's first id says where now was
	}
	for failures := 0; ; {
		err := c.watchOnce(ctx, &hc, opt, &since)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var ge *Error
		if errors.As(err, &ge) && ge.Status >= 400 && ge.Status < 500 && ge.Status != http.StatusTooManyRequests {
			return err
		}
		if err != nil {
			failures++
		} else {
			failures = 0 // the stream ended cleanly (a restart): come back soon
		}
		if serr := c.sleep(ctx, c.retry.backoff(min(failures+1, 8), c.jitter())); serr != nil {
			return ctx.Err()
		}
	}
}

func (c *Client) watchOnce(ctx context.Context, hc *http.Client, opt WatchOptions, since *string) error {
	q := url.Values{"since": {*since}}
	if opt.Collection != "" {
		q.Set("collection", opt.Collection)
	}
	u := c.urlFor("/api/changes?" + q.Encode())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("gone client: %w", err)
	}
	req.Header.Set("Accept", "text/event-stream")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b := make([]byte, 64<<10)
		n, _ := resp.Body.Read(b)
		return newError(http.MethodGet, u, &response{status: resp.StatusCode, header: resp.Header, body: b[:n], url: u}, c.now())
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var id, event, data string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "" && event == "end":
			// The server ended the stream (its life, or the token was
			// revoked or expired): reconnect, and the next request says
			// whether the token still holds.
			return nil
		case line == "":
			if data != "" {
				var ch FeedChange
				if err := json.Unmarshal([]byte(data), &ch); err != nil {
					return fmt.Errorf("gone client: change feed: %w", err)
				}
				c.applyChange(ch)
				if opt.OnChange != nil {
					opt.OnChange(ch)
				}
			}
			if _, err := strconv.ParseInt(id, 10, 64); err == nil {
				*since = id
			}
			id, event, data = "", "", ""
		case strings.HasPrefix(line, "event:"):
			event = strings.TrimSpace(line[6:])
		case strings.HasPrefix(line, "id:"):
			id = strings.TrimSpace(line[3:])
		case strings.HasPrefix(line, "data:"):
			data += strings.TrimPrefix(line[5:], " ")
		}
	}
	return sc.Err()
}

// applyChange updates the client's memory with one change.
func (c *Client) applyChange(ch FeedChange) {
	path := resourcePath(ch.Collection, ch.ID)
	switch ch.Type {
	case "deleted":
		c.mem.purge(path)
	case "gone", "expired":
		e := &Error{
			Method: http.MethodGet, URL: c.urlFor(path), Status: http.StatusGone, Title: "Gone",
			ErrorName: "Gone", Message: ch.Message, Reason: ch.Reason, Alternative: ch.Alternative, Instance: path,
		}
		if ch.Type == "gone" {
			e.DeletedAt = ch.At
		} else {
			e.ExpiredAt = ch.ExpiresAt
		}
		if c.mem.storeGone(path, e) && c.onGone != nil {
			c.onGone(ch.Collection, ch.ID, e.clone())
		}
	case "moved":
		if ch.MovedTo != "" {
			c.mem.storeMove(path, resourcePath(ch.Collection, ch.MovedTo))
		} else {
			c.mem.purge(path)
		}
	case "created", "restored":
		// A remembered 404 (or a reused id's 410) no longer holds.
		c.mem.invalidate(path)
	}
}
