package gone

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config is the server's collections and reason catalog.
type Config struct {
	// Collections by name.
	Collections map[string]Policy
	// Reasons maps a reason code to its text by language tag.
	Reasons map[string]map[string]string
	// CORS says which browser origins may call the API.
	CORS CORS
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

// configFile is the JSON form of Config (see README, "Configuration").
type configFile struct {
	Collections []collectionFile             `json:"collections"`
	Reasons     map[string]map[string]string `json:"reasons"`
	CORS        corsFile                     `json:"cors"`
}

type collectionFile struct {
	Name          string           `json:"name"`
	RestoreWindow string           `json:"restoreWindow"`
	Disclosure    Disclosure       `json:"disclosure"`
	Cache         cacheFile        `json:"cache"`
	Private       bool             `json:"private"`
	IDReuse       string           `json:"idReuse"`
	Texts         map[string]Texts `json:"texts"`
}

type cacheFile struct {
	NotFound string `json:"notFound"`
	Gone     string `json:"gone"`
}

// ParseConfig reads a JSON config. Unknown fields are errors, so a typo in a
// policy is caught at start rather than silently ignored. A line whose
// first non-blank characters are // is a comment, so a config file can say
// why each setting is what it is (a JSON string cannot span lines, so such
// a line is never inside one).
func ParseConfig(r io.Reader) (*Config, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(blankComments(raw)))
	dec.DisallowUnknownFields()
	var f configFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("config: data after the JSON object")
	}
	c := &Config{Collections: map[string]Policy{}, Reasons: f.Reasons}
	if c.Reasons == nil {
		c.Reasons = map[string]map[string]string{}
	}
	for code := range c.Reasons {
		if !IsReasonCode(code) {
			return nil, fmt.Errorf("config: reason code %q: want lower-case words joined by _, starting with a letter (see gone.IsReasonCode)", code)
		}
	}
	if c.CORS, err = f.CORS.cors(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	for i, cf := range f.Collections {
		p, err := cf.policy()
		if err != nil {
			return nil, fmt.Errorf("config: collections[%d] (%s): %w", i, cf.Name, err)
		}
		if _, dup := c.Collections[p.Collection]; dup {
			return nil, fmt.Errorf("config: collection %q defined twice", p.Collection)
		}
		c.Collections[p.Collection] = p
	}
	if len(c.Collections) == 0 {
		return nil, fmt.Errorf("config: no collections")
	}
	return c, nil
}

// blankComments returns raw with each comment line's bytes replaced by
// spaces, so the decoder's offsets still point into the file as written.
func blankComments(raw []byte) []byte {
	out := bytes.Clone(raw)
	for start := 0; start < len(out); {
		end := bytes.IndexByte(out[start:], '\n')
		if end < 0 {
			end = len(out)
		} else {
			end += start
		}
		if bytes.HasPrefix(bytes.TrimLeft(out[start:end], " \t"), []byte("//")) {
			for i := start; i < end; i++ {
				if out[i] != '\r' {
					out[i] = ' '
				}
			}
		}
		start = end + 1
	}
	return out
}

func (cf collectionFile) policy() (Policy, error) {
	p := Policy{
		Collection:     cf.Name,
		Disclosure:     cf.Disclosure,
		Private:        cf.Private,
		NotFoundMaxAge: DefaultNotFoundMaxAge,
		GoneMaxAge:     DefaultGoneMaxAge,
		Texts:          cf.Texts,
	}
	if !ValidCollection(cf.Name) {
		return p, fmt.Errorf("invalid name %q", cf.Name)
	}
	if reservedNames[cf.Name] {
		return p, fmt.Errorf("name %q is reserved for the API's own routes", cf.Name)
	}
	switch p.Disclosure {
	case "":
		p.Disclosure = DiscloseFull
	case DiscloseFull, DiscloseMinimal, DiscloseConceal:
	default:
		return p, fmt.Errorf("disclosure %q: want full, minimal or conceal", cf.Disclosure)
	}
	var err error
	if p.RestoreWindow, err = parseDuration(cf.RestoreWindow, 0); err != nil {
		return p, fmt.Errorf("restoreWindow: %w", err)
	}
	if p.NotFoundMaxAge, err = parseDuration(cf.Cache.NotFound, DefaultNotFoundMaxAge); err != nil {
		return p, fmt.Errorf("cache.notFound: %w", err)
	}
	if p.GoneMaxAge, err = parseDuration(cf.Cache.Gone, DefaultGoneMaxAge); err != nil {
		return p, fmt.Errorf("cache.gone: %w", err)
	}
	switch cf.IDReuse {
	case "", "never":
	default:
		if p.ReuseAfter, err = parseDuration(cf.IDReuse, 0); err != nil || p.ReuseAfter <= 0 {
			return p, fmt.Errorf("idReuse %q: want \"never\" or a quarantine such as \"365d\"", cf.IDReuse)
		}
	}
	for lang := range cf.Texts {
		if lang == "" || strings.ContainsAny(lang, " _") {
			return p, fmt.Errorf("texts: bad language tag %q", lang)
		}
	}
	return p, nil
}

// reservedNames are path segments under /api/ that are routes, not
// collections. "tokens" is also the collection name token changes carry
// in the audit log.
var reservedNames = map[string]bool{"audit": true, "explain": true, "changes": true, TokensCollection: true}

// ParseDuration reads a duration as the config does: a Go duration
// ("90s", "720h") or whole days ("30d"); never negative.
func ParseDuration(s string) (time.Duration, error) { return parseDuration(s, 0) }

// parseDuration accepts Go durations ("90s", "720h") and whole days ("30d").
// An empty string gives def.
func parseDuration(s string, def time.Duration) (time.Duration, error) {
	if s == "" {
		return def, nil
	}
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		// Refuse rather than wrap: 213503982336d would otherwise come out
		// as 33 hours.
		if day := int64(24 * time.Hour); int64(n) > math.MaxInt64/day || int64(n) < -math.MaxInt64/day {
			return 0, fmt.Errorf("duration %q is too long", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("bad duration %q", s)
		}
	}
	if d < 0 {
		return 0, fmt.Errorf("negative duration %q", s)
	}
	return d, nil
}
