package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Get reads one resource into v (decoded from JSON; nil skips decoding).
//
// It returns an *Error matching ErrGone for a resource that is gone for
// good, ErrNotFound for one the server does not know, and ErrUnavailable
// for one that is briefly withheld (with its RetryAfter). A 410 is
// remembered: later Gets of the id fail at once, without a request.
//
// An id in the trash is ErrNotFound for every caller, an admin too: the
// resource URL answers only the representation or a problem. An admin
// reads the trash with Lifecycle, or List with State "deleted".
func (c *Client) Get(ctx context.Context, collection, id string, v any) error {
	body, err := c.read(ctx, http.MethodGet, collection, id)
	if err != nil || v == nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("gone client: decoding %s/%s: %w", collection, id, err)
	}
	return nil
}

// GetRaw is Get returning the representation's bytes.
func (c *Client) GetRaw(ctx context.Context, collection, id string) (json.RawMessage, error) {
	return c.read(ctx, http.MethodGet, collection, id)
}

// Head checks that a resource lives, with the errors of Get.
func (c *Client) Head(ctx context.Context, collection, id string) error {
	_, err := c.read(ctx, http.MethodHead, collection, id)
	return err
}

// read is the one read path: remembered moves and answers first, then the
// network, following redirects and recording what each answer teaches.
func (c *Client) read(ctx context.Context, method, collection, id string) ([]byte, error) {
	path := c.mem.resolve(resourcePath(collection, id))
	for hops := 0; ; hops++ {
		if e := c.mem.local(path, c.now()); e != nil {
			e.Method = method
			return nil, e
		}
		req := &request{method: method, url: c.urlFor(path)}
		var stored *cached
		if method == http.MethodGet {
			if stored = c.mem.cached(path); stored != nil {
				req.header = http.Header{}
				if stored.etag != "" {
					req.header.Set("If-None-Match", stored.etag)
				}
				if stored.lastModified != "" {
					req.header.Set("If-Modified-Since", stored.lastModified)
				}
			}
		}
		resp, err := c.send(ctx, req)
		if err != nil {
			return nil, err
		}
		c.noticeFrom(method, resp)
		switch resp.status {
		case http.StatusOK:
			c.remember(method, path, resp)
			return resp.body, nil
		case http.StatusNotModified:
			if stored != nil {
				return stored.body, nil
			}
		case http.StatusMovedPermanently, http.StatusPermanentRedirect,
			http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect:
			next, err := c.location(resp)
			if err != nil {
				return nil, err
			}
			if hops >= maxMoves {
				return nil, fmt.Errorf("gone client: %s %s: more than %d redirects", method, req.url, maxMoves)
			}
			if resp.status == http.StatusMovedPermanently || resp.status == http.StatusPermanentRedirect {
				c.mem.storeMove(path, next)
			}
			path = next
			continue
		case http.StatusGone:
			e := newError(method, req.url, resp, c.now())
			if c.mem.storeGone(path, e) && c.onGone != nil {
				c.onGone(collection, id, e.clone())
			}
			return nil, e
		case http.StatusNotFound:
			e := newError(method, req.url, resp, c.now())
			if d := freshFor(resp.header); d > 0 {
				c.mem.storeMissing(path, e, c.now().Add(d))
			}
			return nil, e
		}
		return nil, newError(method, req.url, resp, c.now())
	}
}

// remember stores a 200 with its validators, unless the server forbids it.
func (c *Client) remember(method, path string, resp *response) {
	c.mem.forgetMissing(path)
	if method != http.MethodGet {
		return
	}
	etag, lm := resp.header.Get("ETag"), resp.header.Get("Last-Modified")
	if parseCacheControl(resp.header).noStore || etag == "" && lm == "" {
		c.mem.invalidate(path)
		return
	}
	c.mem.store(path, &cached{body: resp.body, etag: etag, lastModified: lm})
}

// location resolves a redirect's Location: a path on the same server is
// kept as a path (so it is remembered like any resource), anything else
// as an absolute URL.
func (c *Client) location(resp *response) (string, error) {
	loc := resp.header.Get("Location")
	if loc == "" {
		return "", errNoLocation
	}
	from, err := url.Parse(resp.url)
	if err != nil {
		return "", fmt.Errorf("gone client: %w", err)
	}
	to, err := from.Parse(loc)
	if err != nil {
		return "", fmt.Errorf("gone client: redirect to %q: %w", loc, err)
	}
	if to.Scheme == c.base.Scheme && to.Host == c.base.Host && strings.HasPrefix(to.Path, c.base.Path) {
		p := strings.TrimPrefix(to.EscapedPath(), c.base.EscapedPath())
		if to.RawQuery != "" {
			p += "?" + to.RawQuery
		}
		return p, nil
	}
	return to.String(), nil
}
