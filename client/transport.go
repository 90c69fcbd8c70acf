package client

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxBody bounds how much of one answer the client reads.
const maxBody = 32 << 20

// request is one logical call; it may be sent several times.
type request struct {
	method      string
	url         string // absolute
	body        []byte
	contentType string
	header      http.Header
}

// response is an answer read in full, so a retry never races a body.
type response struct {
	status int
	header http.Header
	body   []byte
	url    string
}

// urlFor resolves a server path (which may carry a query) against the base.
func (c *Client) urlFor(path string) string {
	if !strings.HasPrefix(path, "/") {
		return path // already absolute: a redirect to another server
	}
	u := *c.base
	ref, err := url.Parse(path)
	if err != nil {
		return c.base.String() + path
	}
	u.Path = c.base.Path + ref.Path
	u.RawPath = ""
	if ref.RawPath != "" {
		u.RawPath = c.base.EscapedPath() + ref.RawPath
	}
	u.RawQuery = ref.RawQuery
	return u.String()
}

// roundTrip sends req once and reads the whole answer.
func (c *Client) roundTrip(ctx context.Context, req *request) (*response, error) {
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, req.url, body)
	if err != nil {
		return nil, fmt.Errorf("gone client: %w", err)
	}
	for k, v := range req.header {
		hr.Header[k] = v
	}
	hr.Header.Set("Accept", "application/json, application/problem+json")
	if req.contentType != "" {
		hr.Header.Set("Content-Type", req.contentType)
	}
	if c.token != "" {
		hr.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.lang != "" {
		hr.Header.Set("Accept-Language", c.lang)
	}
	hresp, err := c.hc.Do(hr)
	if err != nil {
		return nil, err
	}
	defer hresp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(hresp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	return &response{status: hresp.StatusCode, header: hresp.Header, body: b, url: req.url}, nil
}

// send sends req, retrying as the policy allows. It returns the last
// answer (which may be an error status) or the last transport error.
func (c *Client) send(ctx context.Context, req *request) (*response, error) {
	for attempt := 1; ; attempt++ {
		resp, err := c.roundTrip(ctx, req)
		if !c.retry.retryable(req, resp, err) || attempt >= c.retry.Attempts {
			return resp, c.wrapTransport(req, err)
		}
		wait := c.retry.backoff(attempt, c.jitter())
		if resp != nil {
			if ra, ok := parseRetryAfter(resp.header.Get("Retry-After"), c.now()); ok {
				if ra > c.retry.MaxRetryAfter {
					return resp, nil // longer than we wait: the caller decides
				}
				wait = ra
			}
		}
		// Never sleep past the caller's deadline only to fail: give the
		// last answer back now.
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return resp, c.wrapTransport(req, err)
		}
		if serr := c.sleep(ctx, wait); serr != nil {
			if err == nil {
				return resp, nil
			}
			return nil, c.wrapTransport(req, err)
		}
	}
}

func (c *Client) wrapTransport(req *request, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("gone client: %s %s: %w", req.method, req.url, err)
}
