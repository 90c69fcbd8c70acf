package gone

import (
	"sort"
)

// Config is the server's collections and reason catalog. Its file format
// is package config's.
type Config struct {
	// Collections by name.
	Collections map[string]Policy
	// Reasons maps a reason code to its text by language tag.
	Reasons map[string]map[string]string
}

// Policy returns the named collection's policy.
func (c *Config) Policy(name string) (Policy, bool) {
	p, ok := c.Collections[name]
	return p, ok
}

// Names returns the collection names, sorted.
func (c *Config) Names() []string {
	names := make([]string, 0, len(c.Collections))
	for n := range c.Collections {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ReasonText returns the localized text of a reason code, or the reason
// itself when it is free text or has no text in lang.
func (c *Config) ReasonText(reason, lang string) string {
	texts, ok := c.Reasons[reason]
	if !ok {
		return reason
	}
	if t, ok := texts[lang]; ok {
		return t
	}
	if t, ok := texts["en"]; ok {
		return t
	}
	return reason
}
