package client

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Webhook is a webhook subscription or cache-purge target as the server
// shows it. Secret is set only in the answer to CreateWebhook.
type Webhook struct {
	Name         string    `json:"name"`
	Kind         string    `json:"kind"` // webhook, varnish, varnish-ban or nginx
	URL          string    `json:"url"`
	Host         string    `json:"host,omitempty"`
	Collections  []string  `json:"collections,omitempty"`
	PathPrefix   string    `json:"pathPrefix,omitempty"`
	Types        []string  `json:"types,omitempty"`
	CreatedAt    time.Time `json:"createdAt"`
	CreatedBy    string    `json:"createdBy"`
	Failures     int       `json:"failures"`
	PausedAt     time.Time `json:"pausedAt,omitzero"`
	PausedReason string    `json:"pausedReason,omitempty"`
	Secret       string    `json:"secret,omitempty"`
	// Queued and Deliveries are only in the answer of Webhook.
	Queued     *int              `json:"queued,omitempty"`
	Deliveries []WebhookDelivery `json:"deliveries,omitempty"`
}

// WebhookDelivery is one line of a subscription's delivery log.
type WebhookDelivery struct {
	MessageID  string    `json:"messageId"`
	At         time.Time `json:"at"`
	Attempt    int       `json:"attempt"`
	Status     int       `json:"status,omitempty"`
	Error      string    `json:"error,omitempty"`
	DurationMS int64     `json:"durationMs"`
	Delivered  bool      `json:"delivered"`
}

// WebhookRequest describes a subscription to create, or (every field
// optional) a change to one.
type WebhookRequest struct {
	Name        string   `json:"name,omitempty"`
	Kind        string   `json:"kind,omitempty"`
	URL         string   `json:"url,omitempty"`
	Secret      string   `json:"secret,omitempty"`
	Host        string   `json:"host,omitempty"`
	Collections []string `json:"collections,omitempty"`
	PathPrefix  string   `json:"pathPrefix,omitempty"`
	Types       []string `json:"types,omitempty"`
	Paused      *bool    `json:"paused,omitempty"`
}

// CreateWebhook adds a subscription; the answer holds its secret, once.
func (c *Client) CreateWebhook(ctx context.Context, wr WebhookRequest) (*Webhook, error) {
	var w Webhook
	if _, err := c.write(ctx, http.MethodPost, "/webhooks", "application/json", wr, &w, nil); err != nil {
		return nil, err
	}
	return &w, nil
}

// Webhooks lists every subscription.
func (c *Client) Webhooks(ctx context.Context) ([]Webhook, error) {
	var page struct {
		Webhooks []Webhook `json:"webhooks"`
	}
	if err := c.getJSON(ctx, "/webhooks", nil, &page); err != nil {
		return nil, err
	}
	return page.Webhooks, nil
}

// Webhook returns one subscription with its queue length and its newest
// deliveries.
func (c *Client) Webhook(ctx context.Context, name string) (*Webhook, error) {
	var w Webhook
	if err := c.getJSON(ctx, "/webhooks/"+url.PathEscape(name), nil, &w); err != nil {
		return nil, err
	}
	return &w, nil
}

// UpdateWebhook changes a subscription; fields left empty keep their
// values. Paused false resumes it.
func (c *Client) UpdateWebhook(ctx context.Context, name string, wr WebhookRequest) (*Webhook, error) {
	var w Webhook
	if _, err := c.write(ctx, http.MethodPatch, "/webhooks/"+url.PathEscape(name), "application/json", wr, &w, nil); err != nil {
		return nil, err
	}
	return &w, nil
}

// DeleteWebhook removes a subscription with its queue and log.
func (c *Client) DeleteWebhook(ctx context.Context, name string) error {
	_, err := c.write(ctx, http.MethodDelete, "/webhooks/"+url.PathEscape(name), "", nil, nil, nil)
	return err
}
