package client

// Cached reports whether the client holds a representation of the
// resource, so tests can see a 410 purge it.
func (c *Client) Cached(collection, id string) bool {
	return c.mem.cached(c.mem.resolve(resourcePath(collection, id))) != nil
}
