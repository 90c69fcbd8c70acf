package gone

import (
	"strings"
	"time"
)

// Disclosure says how much a public caller learns about a retired id.
type Disclosure string

// Disclosure levels, per collection.
const (
	// DiscloseFull answers 410 with when, why and what to use instead.
	DiscloseFull Disclosure = "full"
	// DiscloseMinimal answers 410 with when and the alternative, but no reason.
	DiscloseMinimal Disclosure = "minimal"
	// DiscloseConceal answers 404 exactly as for an id that never existed,
	// for collections (such as accounts) where a 410 would confirm that
	// someone had one.
	DiscloseConceal Disclosure = "conceal"
)

// Default cache lifetimes (docs/design.md §2, honest caching).
const (
	DefaultNotFoundMaxAge = 60 * time.Second
	DefaultGoneMaxAge     = 24 * time.Hour
)

// Policy is one collection's lifecycle policy.
type Policy struct {
	Collection string
	// RestoreWindow is how long a delete stays restorable; 0 makes every
	// delete permanent.
	RestoreWindow time.Duration
	Disclosure    Disclosure
	// NotFoundMaxAge and GoneMaxAge are the Cache-Control max-age of 404
	// and 410 answers.
	NotFoundMaxAge time.Duration
	GoneMaxAge     time.Duration
	// Private collections need a token to read.
	Private bool
	// ReuseAfter is the id reuse quarantine: 0 means a retired id is never
	// reused (the default); otherwise, that long after retirement the id
	// answers 404 and may be created again.
	ReuseAfter time.Duration
	// Texts holds the collection's nouns and messages by language tag.
	Texts map[string]Texts
}

// Texts are a collection's messages in one language. Messages may use the
// placeholders {id}, {date} (YYYY-MM-DD) and {noun}.
type Texts struct {
	// Noun names one resource, capitalised as at the start of a sentence
	// ("User", "El usuario").
	Noun string `json:"noun"`
	// NotFound is the 404 message ("User with ID {id} does not exist").
	NotFound string `json:"notFound"`
	// Deleted is the 410 message for a deleted resource.
	Deleted string `json:"deleted"`
	// Expired is the 410 message for an expired resource.
	Expired string `json:"expired"`
}

// defaultTexts fills what a collection's config leaves out.
var defaultTexts = map[string]Texts{
	"en": {
		Noun:     "Resource",
		NotFound: "{noun} with ID {id} does not exist",
		Deleted:  "This resource was permanently deleted on {date}",
		Expired:  "This resource has expired and is no longer available",
	},
	"es": {
		Noun:     "El recurso",
		NotFound: "{noun} con ID {id} no existe",
		Deleted:  "Este recurso fue eliminado permanentemente el {date}",
		Expired:  "Este recurso ha expirado y ya no está disponible",
	},
}

// TextsFor returns the collection's texts in lang, falling back field by
// field to the defaults of lang, then to English.
func (p Policy) TextsFor(lang string) Texts {
	t := p.Texts[lang]
	def, ok := defaultTexts[lang]
	if !ok {
		def = defaultTexts["en"]
	}
	fill := func(s *string, d string) {
		if *s == "" {
			*s = d
		}
	}
	fill(&t.Noun, def.Noun)
	fill(&t.NotFound, def.NotFound)
	fill(&t.Deleted, def.Deleted)
	fill(&t.Expired, def.Expired)
	return t
}

// Expand fills a message's placeholders.
// It runs on every 404 and 410, so it scans msg once instead of building a
// strings.Replacer per call.
func (t Texts) Expand(msg, id string, date time.Time) string {
	var b strings.Builder
	b.Grow(len(msg) + len(id) + 8)
	for {
		i := strings.IndexByte(msg, '{')
		if i < 0 {
			b.WriteString(msg)
			return b.String()
		}
		b.WriteString(msg[:i])
		msg = msg[i:]
		switch {
		case strings.HasPrefix(msg, "{id}"):
			b.WriteString(id)
			msg = msg[len("{id}"):]
		case strings.HasPrefix(msg, "{noun}"):
			b.WriteString(t.Noun)
			msg = msg[len("{noun}"):]
		case strings.HasPrefix(msg, "{date}"):
			b.WriteString(date.UTC().Format(time.DateOnly))
			msg = msg[len("{date}"):]
		default:
			b.WriteByte('{')
			msg = msg[1:]
		}
	}
}

// ReusableAt reports whether a retired record's id may be reused at now
// under the policy's quarantine.
func (p Policy) ReusableAt(r *Record, now time.Time) bool {
	return p.ReuseAfter > 0 && r.Retired(now) && !now.Before(r.RetiredAt().Add(p.ReuseAfter))
}
