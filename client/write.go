package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// Put creates or replaces a resource with in (a JSON object, or any value
// that marshals to one) and reports whether it was created. out, when not
// nil, receives the stored representation. It returns ErrConflict for an
// id that is in the trash, retired or moved, and ErrPrecondition when an
// option (IfMatch, IfNoneMatch, IfUnmodifiedSince) does not hold.
//
// A Put is retried on 429, and on 503 or a network error only with IfMatch
// or IfNoneMatch: then a retry of a write that did land fails its
// precondition (412) instead of overwriting what someone wrote since.
func (c *Client) Put(ctx context.Context, collection, id string, in, out any, opts ...WriteOption) (created bool, err error) {
	resp, err := c.write(ctx, http.MethodPut, resourcePath(collection, id), "application/json", in, out, opts)
	return err == nil && resp.status == http.StatusCreated, err
}

// Patch applies in as a JSON merge patch (RFC 7396) to a live resource.
// out, when not nil, receives the result.
func (c *Client) Patch(ctx context.Context, collection, id string, patch, out any, opts ...WriteOption) error {
	_, err := c.write(ctx, http.MethodPatch, resourcePath(collection, id), "application/merge-patch+json", patch, out, opts)
	return err
}

// DeleteOptions are the parameters of Delete.
type DeleteOptions struct {
	// Permanent deletes for good where the collection would soft-delete.
	Permanent bool
	// Reason is a reason code from the server's catalog, or free text.
	Reason string
	// Alternative is a path or URL callers should use instead.
	Alternative string
}

// Delete soft-deletes a resource where its collection has a restore
// window, and deletes it for good otherwise (or with Permanent). It
// returns the resource's lifecycle after the change. DELETE is retried on
// 503 and network errors: deleting twice leaves the same tombstone.
func (c *Client) Delete(ctx context.Context, collection, id string, opt DeleteOptions, opts ...WriteOption) (*Lifecycle, error) {
	q := url.Values{}
	if opt.Permanent {
		q.Set("permanent", "true")
	}
	if opt.Reason != "" {
		q.Set("reason", opt.Reason)
	}
	if opt.Alternative != "" {
		q.Set("alternative", opt.Alternative)
	}
	path := resourcePath(collection, id)
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var l Lifecycle
	_, err := c.writeAt(ctx, http.MethodDelete, path, resourcePath(collection, id), "", nil, &l, opts)
	if err != nil {
		return nil, err
	}
	return &l, nil
}

// Restore brings a soft-deleted resource back from the trash.
func (c *Client) Restore(ctx context.Context, collection, id string, opts ...WriteOption) (*Lifecycle, error) {
	var l Lifecycle
	_, err := c.writeAt(ctx, http.MethodPost, resourcePath(collection, id)+"/restore", resourcePath(collection, id), "", nil, &l, opts)
	if err != nil {
		return nil, err
	}
	return &l, nil
}

// Move renames a live resource to the id to; the old id answers 308 to
// the new one from then on, and this client goes there directly.
func (c *Client) Move(ctx context.Context, collection, id, to string, opts ...WriteOption) (*Lifecycle, error) {
	var l Lifecycle
	from := resourcePath(collection, id)
	_, err := c.writeAt(ctx, http.MethodPost, from+"/move", from, "application/json", map[string]string{"to": to}, &l, opts)
	if err != nil {
		return nil, err
	}
	dst := resourcePath(collection, to)
	c.mem.invalidate(dst)
	c.mem.storeMove(from, dst)
	return &l, nil
}

// SetLifecycle changes a resource's expiry, availability, deprecation or
// alternative. Fields left unset are not changed.
func (c *Client) SetLifecycle(ctx context.Context, collection, id string, change LifecycleChange, opts ...WriteOption) (*Lifecycle, error) {
	var l Lifecycle
	p := resourcePath(collection, id)
	_, err := c.writeAt(ctx, http.MethodPatch, p+"/lifecycle", p, "application/json", change, &l, opts)
	if err != nil {
		return nil, err
	}
	return &l, nil
}

func (c *Client) write(ctx context.Context, method, path, contentType string, in, out any, opts []WriteOption) (*response, error) {
	return c.writeAt(ctx, method, path, path, contentType, in, out, opts)
}

// writeAt sends a write to path that changes the resource at target, and
// forgets everything the client knew about target, whatever the answer:
// a write that failed on the way back may still have happened.
func (c *Client) writeAt(ctx context.Context, method, path, target, contentType string, in, out any, opts []WriteOption) (*response, error) {
	req := &request{method: method, url: c.urlFor(path), contentType: contentType, header: http.Header{}}
	for _, o := range opts {
		o(req.header)
	}
	if in != nil {
		b, err := marshal(in)
		if err != nil {
			return nil, fmt.Errorf("gone client: encoding the %s body: %w", method, err)
		}
		req.body = b
	}
	resp, err := c.send(ctx, req)
	if method == http.MethodDelete {
		// A DELETE never brings an id back to 200, so a 410 learned while
		// it ran (the change feed's gone event) stays true; forgetting it
		// would make OnGone hear of the id a second time.
		c.mem.purge(target)
		c.mem.forgetMove(target)
	} else {
		c.mem.invalidate(target)
	}
	if err != nil {
		return nil, err
	}
	c.noticeFrom(method, resp)
	if resp.status < 200 || resp.status > 299 {
		e := newError(method, req.url, resp, c.now())
		if resp.status == http.StatusGone {
			c.mem.storeGone(target, e)
		}
		return resp, e
	}
	if out != nil && len(resp.body) > 0 {
		if err := json.Unmarshal(resp.body, out); err != nil {
			return resp, fmt.Errorf("gone client: decoding the %s answer: %w", method, err)
		}
	}
	return resp, nil
}

// marshal encodes a body; bytes and json.RawMessage are sent as they are.
func marshal(v any) ([]byte, error) {
	switch b := v.(type) {
	case json.RawMessage:
		return b, nil
	case []byte:
		return b, nil
	}
	return json.Marshal(v)
}
