package client

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// ListOptions select what List returns.
type ListOptions struct {
	// State is "live" (the default), "deleted" (the trash) or "gone"
	// (retired ids); the last two need an admin token.
	State string
	// PageSize is how many items each request asks for; 0 lets the
	// server choose.
	PageSize int
}

// Item is one resource of a listing. Lifecycle is set when listing the
// trash or retired ids: the server answers those as their lifecycle facts
// (the document's LifecycleItem), live resources as {id, data} (LiveItem).
type Item struct {
	ID        string          `json:"id"`
	Data      json.RawMessage `json:"data,omitempty"`
	Lifecycle *Lifecycle      `json:"lifecycle,omitempty"`
}

// List iterates over a collection, requesting page after page as the loop
// goes; breaking out of the loop stops it. An error ends the iteration
// with one last (zero Item, err) pair.
func (c *Client) List(ctx context.Context, collection string, opt ListOptions) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		cursor := ""
		for {
			q := url.Values{}
			if opt.State != "" {
				q.Set("state", opt.State)
			}
			if opt.PageSize > 0 {
				q.Set("limit", strconv.Itoa(opt.PageSize))
			}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			var page struct {
				Items []json.RawMessage `json:"items"`
				Next  string            `json:"next"`
			}
			if err := c.getJSON(ctx, "/api/"+url.PathEscape(collection), q, &page); err != nil {
				yield(Item{}, err)
				return
			}
			for _, raw := range page.Items {
				it, err := decodeItem(raw, opt.State)
				if !yield(it, err) || err != nil {
					return
				}
			}
			if page.Next == "" || page.Next == cursor {
				return
			}
			cursor = page.Next
		}
	}
}

func decodeItem(raw json.RawMessage, state string) (Item, error) {
	var it Item
	if state == "" || state == "live" {
		err := json.Unmarshal(raw, &it)
		return it, wrapDecode(err)
	}
	var l Lifecycle
	if err := json.Unmarshal(raw, &l); err != nil {
		return it, wrapDecode(err)
	}
	return Item{ID: l.ID, Data: l.Data, Lifecycle: &l}, nil
}

func wrapDecode(err error) error {
	if err != nil {
		return fmt.Errorf("gone client: decoding a list item: %w", err)
	}
	return nil
}

// AuditQuery filters the audit log; empty fields match everything.
type AuditQuery struct {
	Collection string
	ID         string
	// PageSize is how many events each request asks for (1 to 1000).
	PageSize int
}

// Audit iterates over the audit log, oldest first, following the cursor.
// It needs an admin token.
func (c *Client) Audit(ctx context.Context, aq AuditQuery) iter.Seq2[AuditEvent, error] {
	return func(yield func(AuditEvent, error) bool) {
		after := ""
		for {
			q := url.Values{}
			if aq.Collection != "" {
				q.Set("collection", aq.Collection)
			}
			if aq.ID != "" {
				q.Set("id", aq.ID)
			}
			if aq.PageSize > 0 {
				q.Set("limit", strconv.Itoa(aq.PageSize))
			}
			if after != "" {
				q.Set("after", after)
			}
			var page struct {
				Events []AuditEvent `json:"events"`
				Next   string       `json:"next"`
			}
			if err := c.getJSON(ctx, "/api/audit", q, &page); err != nil {
				yield(AuditEvent{}, err)
				return
			}
			for _, e := range page.Events {
				if !yield(e, nil) {
					return
				}
			}
			if page.Next == "" || page.Next == after {
				return
			}
			after = page.Next
		}
	}
}

// Explain asks the server how it decides collection/id: the branches
// taken, the state, and the public and admin answers. It needs an admin
// token.
func (c *Client) Explain(ctx context.Context, collection, id string) (*Explanation, error) {
	var ex Explanation
	q := url.Values{"path": {resourcePath(collection, id)}}
	if err := c.getJSON(ctx, "/api/explain", q, &ex); err != nil {
		return nil, err
	}
	return &ex, nil
}

// Lifecycle returns a resource's lifecycle with its history, in whatever
// state it is. It needs an admin token.
func (c *Client) Lifecycle(ctx context.Context, collection, id string) (*Lifecycle, error) {
	var l Lifecycle
	if err := c.getJSON(ctx, resourcePath(collection, id)+"/lifecycle", nil, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// getJSON reads an uncached JSON answer, such as a listing page.
func (c *Client) getJSON(ctx context.Context, path string, q url.Values, v any) error {
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	req := &request{method: http.MethodGet, url: c.urlFor(path)}
	resp, err := c.send(ctx, req)
	if err != nil {
		return err
	}
	if resp.status != http.StatusOK {
		return newError(req.method, req.url, resp, c.now())
	}
	if err := json.Unmarshal(resp.body, v); err != nil {
		return fmt.Errorf("gone client: decoding %s: %w", req.url, err)
	}
	return nil
}
