// Package config reads gone's config file: the collections with their
// policies, the reason catalog, and the CORS policy of the front doors.
// The domain (gone.Config) knows nothing of the file's form.
package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
)

// file is the JSON form of a config (see README, "Configuration").
type file struct {
	Collections []collectionFile             `json:"collections"`
	Reasons     map[string]map[string]string `json:"reasons"`
	CORS        corsFile                     `json:"cors"`
}

type collectionFile struct {
	Name          string                `json:"name"`
	RestoreWindow string                `json:"restoreWindow"`
	Disclosure    gone.Disclosure       `json:"disclosure"`
	Cache         cacheFile             `json:"cache"`
	Private       bool                  `json:"private"`
	IDReuse       string                `json:"idReuse"`
	Texts         map[string]gone.Texts `json:"texts"`
}

type cacheFile struct {
	NotFound string `json:"notFound"`
	Gone     string `json:"gone"`
}

// Parse reads a JSON config: the collections and reasons, and the CORS
// policy of the front doors. Unknown fields are errors, so a typo in a
// policy is caught at start rather than silently ignored. A line whose
// first non-blank characters are // is a comment, so a config file can say
// why each setting is what it is (a JSON string cannot span lines, so such
// a line is never inside one).
func Parse(r io.Reader) (*gone.Config, answer.CORSPolicy, error) {
	var cors answer.CORSPolicy
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, cors, fmt.Errorf("config: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(blankComments(raw)))
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, cors, fmt.Errorf("config: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, cors, fmt.Errorf("config: data after the JSON object")
	}
	c := &gone.Config{Collections: map[string]gone.Policy{}, Reasons: f.Reasons}
	if c.Reasons == nil {
		c.Reasons = map[string]map[string]string{}
	}
	for code := range c.Reasons {
		if !gone.IsReasonCode(code) {
			return nil, cors, fmt.Errorf("config: reason code %q: want lower-case words joined by _, starting with a letter (see gone.IsReasonCode)", code)
		}
	}
	cors, err = f.CORS.cors()
	if err != nil {
		return nil, cors, fmt.Errorf("config: %w", err)
	}
	for i, cf := range f.Collections {
		p, err := cf.policy()
		if err != nil {
			return nil, cors, fmt.Errorf("config: collections[%d] (%s): %w", i, cf.Name, err)
		}
		if _, dup := c.Collections[p.Collection]; dup {
			return nil, cors, fmt.Errorf("config: collection %q defined twice", p.Collection)
		}
		c.Collections[p.Collection] = p
	}
	if len(c.Collections) == 0 {
		return nil, cors, fmt.Errorf("config: no collections")
	}
	return c, cors, nil
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

func (cf collectionFile) policy() (gone.Policy, error) {
	p := gone.Policy{
		Collection:     cf.Name,
		Disclosure:     cf.Disclosure,
		Private:        cf.Private,
		NotFoundMaxAge: gone.DefaultNotFoundMaxAge,
		GoneMaxAge:     gone.DefaultGoneMaxAge,
		Texts:          cf.Texts,
	}
	if !gone.ValidCollection(cf.Name) {
		return p, fmt.Errorf("invalid name %q", cf.Name)
	}
	if reservedNames[cf.Name] {
		return p, fmt.Errorf("name %q is reserved for the API's own routes", cf.Name)
	}
	switch p.Disclosure {
	case "":
		p.Disclosure = gone.DiscloseFull
	case gone.DiscloseFull, gone.DiscloseMinimal, gone.DiscloseConceal:
	default:
		return p, fmt.Errorf("disclosure %q: want full, minimal or conceal", cf.Disclosure)
	}
	var err error
	if p.RestoreWindow, err = gone.ParseDurationOr(cf.RestoreWindow, 0); err != nil {
		return p, fmt.Errorf("restoreWindow: %w", err)
	}
	if p.NotFoundMaxAge, err = gone.ParseDurationOr(cf.Cache.NotFound, gone.DefaultNotFoundMaxAge); err != nil {
		return p, fmt.Errorf("cache.notFound: %w", err)
	}
	if p.GoneMaxAge, err = gone.ParseDurationOr(cf.Cache.Gone, gone.DefaultGoneMaxAge); err != nil {
		return p, fmt.Errorf("cache.gone: %w", err)
	}
	switch cf.IDReuse {
	case "", "never":
	default:
		if p.ReuseAfter, err = gone.ParseDurationOr(cf.IDReuse, 0); err != nil || p.ReuseAfter <= 0 {
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

// reservedNames are path segments under /api/ that are routes of the API
// (httpapi/routes.go), not collections. "tokens" and "webhooks" are also the collection names
// token and subscription changes carry in the audit log.
var reservedNames = map[string]bool{"audit": true, "explain": true, "changes": true, gone.TokensCollection: true,
	gone.WebhooksCollection: true}

// corsFile is the JSON form of CORS in the config file.
type corsFile struct {
	Origins []string `json:"origins"`
	Methods []string `json:"methods"`
	MaxAge  string   `json:"maxAge"`
}

func (f corsFile) cors() (answer.CORSPolicy, error) {
	c := answer.CORSPolicy{MaxAge: answer.DefaultCORSMaxAge}
	for _, o := range f.Origins {
		if err := answer.CheckOrigin(o); err != nil {
			return c, err
		}
		c.Origins = append(c.Origins, o)
	}
	for _, m := range f.Methods {
		if err := answer.CheckMethod(m); err != nil {
			return c, err
		}
		c.Methods = append(c.Methods, m)
	}
	var err error
	if c.MaxAge, err = gone.ParseDurationOr(f.MaxAge, answer.DefaultCORSMaxAge); err != nil {
		return c, fmt.Errorf("cors maxAge: %w", err)
	}
	return c, nil
}
