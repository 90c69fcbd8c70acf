package gone

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

const fullConfig = `{
  "collections": [
    {
      "name": "users",
      "restoreWindow": "30d",
      "disclosure": "conceal",
      "cache": {"notFound": "30s", "gone": "168h"},
      "private": true,
      "idReuse": "never",
      "texts": {
        "en": {"noun": "User", "deleted": "This user account was permanently deleted on {date}"},
        "es": {"noun": "El usuario", "deleted": "Esta cuenta de usuario fue eliminada permanentemente el {date}"}
      }
    },
    {
      "name": "promotions",
      "disclosure": "full",
      "idReuse": "365d",
      "texts": {"en": {"expired": "This promotion has expired and is no longer available"}}
    },
    {"name": "posts", "disclosure": "minimal", "restoreWindow": "90m"}
  ],
  "reasons": {
    "user_request": {"en": "User requested account deletion", "es": "El usuario solicitó la eliminación de la cuenta"},
    "legal_takedown_2": {"en": "Removed on legal request"}
  }
}`

func TestParseConfigFull(t *testing.T) {
	c, err := ParseConfig(strings.NewReader(fullConfig))
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	if got, want := strings.Join(c.Names(), ","), "posts,promotions,users"; got != want {
		t.Errorf("Names() = %s, want %s", got, want)
	}
	users, ok := c.Policy("users")
	if !ok {
		t.Fatal(`Policy("users") not found`)
	}
	if users.Collection != "users" || users.RestoreWindow != 30*24*time.Hour || users.Disclosure != DiscloseConceal ||
		users.NotFoundMaxAge != 30*time.Second || users.GoneMaxAge != 168*time.Hour || !users.Private || users.ReuseAfter != 0 {
		t.Errorf("users policy = %+v", users)
	}
	if got, want := users.TextsFor("es").Noun, "El usuario"; got != want {
		t.Errorf("users es noun = %q, want %q", got, want)
	}
	promotions, _ := c.Policy("promotions")
	if promotions.ReuseAfter != 365*24*time.Hour || promotions.RestoreWindow != 0 || promotions.Private {
		t.Errorf("promotions policy = %+v", promotions)
	}
	posts, _ := c.Policy("posts")
	if posts.Disclosure != DiscloseMinimal || posts.RestoreWindow != 90*time.Minute {
		t.Errorf("posts policy = %+v", posts)
	}
	// Cache lifetimes left out take docs/design.md's defaults.
	if posts.NotFoundMaxAge != DefaultNotFoundMaxAge || posts.GoneMaxAge != DefaultGoneMaxAge {
		t.Errorf("posts cache = %v, %v; want defaults %v, %v", posts.NotFoundMaxAge, posts.GoneMaxAge, DefaultNotFoundMaxAge, DefaultGoneMaxAge)
	}
	if DefaultNotFoundMaxAge != 60*time.Second || DefaultGoneMaxAge != 86400*time.Second {
		t.Errorf("defaults = %v, %v; want max-age=60 and max-age=86400", DefaultNotFoundMaxAge, DefaultGoneMaxAge)
	}
	if _, ok := c.Policy("usres"); ok {
		t.Error(`Policy("usres") found, want none`)
	}
	for _, tt := range []struct{ reason, lang, want string }{
		{"user_request", "en", "User requested account deletion"},
		{"user_request", "es", "El usuario solicitó la eliminación de la cuenta"},
		{"user_request", "fr", "User requested account deletion"},
		{"legal_takedown_2", "es", "Removed on legal request"},
		{"Spam, reported twice", "es", "Spam, reported twice"},
		{"unknown_code", "en", "unknown_code"},
	} {
		if got := c.ReasonText(tt.reason, tt.lang); got != tt.want {
			t.Errorf("ReasonText(%q, %q) = %q, want %q", tt.reason, tt.lang, got, tt.want)
		}
	}
}

func TestParseConfigMinimal(t *testing.T) {
	c, err := ParseConfig(strings.NewReader(`{"collections":[{"name":"users"}]}`))
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	p, _ := c.Policy("users")
	want := Policy{Collection: "users", Disclosure: DiscloseFull, NotFoundMaxAge: DefaultNotFoundMaxAge, GoneMaxAge: DefaultGoneMaxAge}
	if p.Collection != want.Collection || p.Disclosure != want.Disclosure || p.NotFoundMaxAge != want.NotFoundMaxAge ||
		p.GoneMaxAge != want.GoneMaxAge || p.RestoreWindow != 0 || p.ReuseAfter != 0 || p.Private {
		t.Errorf("policy = %+v, want %+v", p, want)
	}
	if c.Reasons == nil {
		t.Error("Reasons = nil, want an empty catalog")
	}
}

func TestParseConfigRejects(t *testing.T) {
	col := func(fields string) string {
		return `{"collections":[{"name":"users"` + fields + `}]}`
	}
	tests := []struct {
		name, config, want string
	}{
		{"not JSON", `{`, "config"},
		{"empty", ``, "config"},
		{"trailing document", col(``) + col(``), "after"},
		{"unknown top-level field", `{"collections":[{"name":"users"}],"colections":[]}`, "colections"},
		{"unknown collection field", col(`,"restorWindow":"30d"`), "restorWindow"},
		// encoding/json matches field names case-insensitively, so only a
		// misspelling (not a case variant) is an unknown field.
		{"unknown cache field", col(`,"cache":{"notFond":"1s"}`), "notFond"},
		{"unknown texts field", col(`,"texts":{"en":{"nuon":"User"}}`), "nuon"},
		{"no collections", `{"collections":[]}`, "no collections"},
		{"no collections at all", `{}`, "no collections"},
		{"duplicate collection", `{"collections":[{"name":"users"},{"name":"posts"},{"name":"users"}]}`, "twice"},
		{"bad name", col(`,"name":"Users"`), "invalid name"},
		{"empty name", `{"collections":[{"name":""}]}`, "invalid name"},
		{"traversal name", `{"collections":[{"name":".."}]}`, "invalid name"},
		{"reserved name audit", `{"collections":[{"name":"audit"}]}`, "reserved"},
		{"reserved name explain", `{"collections":[{"name":"explain"}]}`, "reserved"},
		{"reserved name tokens", `{"collections":[{"name":"tokens"}]}`, "reserved"},
		{"bad disclosure", col(`,"disclosure":"partial"`), "disclosure"},
		{"disclosure case", col(`,"disclosure":"Full"`), "disclosure"},
		{"bad restoreWindow", col(`,"restoreWindow":"30 days"`), "restoreWindow"},
		{"negative restoreWindow", col(`,"restoreWindow":"-1h"`), "restoreWindow"},
		{"negative days", col(`,"restoreWindow":"-3d"`), "restoreWindow"},
		{"fractional days", col(`,"restoreWindow":"1.5d"`), "restoreWindow"},
		{"bare d", col(`,"restoreWindow":"d"`), "restoreWindow"},
		{"upper-case D", col(`,"restoreWindow":"30D"`), "restoreWindow"},
		{"days overflow", col(`,"restoreWindow":"999999999d"`), "restoreWindow"},
		{"days overflow into positive", col(`,"restoreWindow":"213503982336d"`), "restoreWindow"},
		{"hours overflow", col(`,"restoreWindow":"9999999999h"`), "restoreWindow"},
		{"number restoreWindow", col(`,"restoreWindow":30`), "config"},
		{"bad cache.notFound", col(`,"cache":{"notFound":"1 minute"}`), "cache.notFound"},
		{"bad cache.gone", col(`,"cache":{"gone":"forever"}`), "cache.gone"},
		{"idReuse zero", col(`,"idReuse":"0d"`), "idReuse"},
		{"idReuse word", col(`,"idReuse":"always"`), "idReuse"},
		{"idReuse negative", col(`,"idReuse":"-1d"`), "idReuse"},
		{"bad language tag", col(`,"texts":{"en_US":{"noun":"User"}}`), "language tag"},
		{"empty language tag", col(`,"texts":{"":{"noun":"User"}}`), "language tag"},
		{"reason code capital", col(``)[:len(col(``))-1] + `,"reasons":{"User_request":{"en":"x"}}}`, "reason code"},
		{"reason code with a capital", col(``)[:len(col(``))-1] + `,"reasons":{"Spam":{"en":"x"}}}`, "reason code"},
		{"reason code leading _", col(``)[:len(col(``))-1] + `,"reasons":{"_spam":{"en":"x"}}}`, "reason code"},
		{"reason code space", col(``)[:len(col(``))-1] + `,"reasons":{"user request":{"en":"x"}}}`, "reason code"},
		{"reason code double _", col(``)[:len(col(``))-1] + `,"reasons":{"user__request":{"en":"x"}}}`, "reason code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseConfig(strings.NewReader(tt.config))
			if err == nil {
				t.Fatalf("ParseConfig(%s) = %+v, want an error", tt.config, c)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseConfig(%s) error = %q, want it to mention %q", tt.config, err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "config: ") {
				t.Errorf("error = %q, want it to start with \"config: \"", err)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 42 * time.Second},
		{"30d", 30 * 24 * time.Hour},
		{"0d", 0},
		{"1d", 24 * time.Hour},
		{"365d", 365 * 24 * time.Hour},
		{"90s", 90 * time.Second},
		{"720h", 720 * time.Hour},
		{"1h30m", 90 * time.Minute},
		{"0", 0},
		{"106751d", 106751 * 24 * time.Hour},
	}
	for _, tt := range tests {
		got, err := parseDuration(tt.in, 42*time.Second)
		if err != nil || got != tt.want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"30", "d", "30days", "1.5d", "-1d", "-1s", "106752d", "x", " 30d", "30d ", "3 0d"} {
		if got, err := parseDuration(in, 0); err == nil {
			t.Errorf("parseDuration(%q) = %v, want an error", in, got)
		}
	}
}

func TestTextsFor(t *testing.T) {
	p := Policy{Texts: map[string]Texts{
		"en": {Noun: "User"},
		"es": {Noun: "El usuario", NotFound: "{noun} con ID {id} no existe"},
		"de": {Noun: "Benutzer"},
	}}
	tests := []struct {
		lang string
		want Texts
	}{
		{"en", Texts{Noun: "User", NotFound: "{noun} with ID {id} does not exist", Deleted: defaultTexts["en"].Deleted, Expired: defaultTexts["en"].Expired}},
		{"es", Texts{Noun: "El usuario", NotFound: "{noun} con ID {id} no existe", Deleted: defaultTexts["es"].Deleted, Expired: defaultTexts["es"].Expired}},
		// A language without defaults falls back to English field by field.
		{"de", Texts{Noun: "Benutzer", NotFound: defaultTexts["en"].NotFound, Deleted: defaultTexts["en"].Deleted, Expired: defaultTexts["en"].Expired}},
		{"fr", defaultTexts["en"]},
	}
	for _, tt := range tests {
		if got := p.TextsFor(tt.lang); got != tt.want {
			t.Errorf("TextsFor(%q) = %+v, want %+v", tt.lang, got, tt.want)
		}
	}
	en := p.TextsFor("en")
	if got, want := en.Expand(en.NotFound, "999", time.Time{}), "User with ID 999 does not exist"; got != want {
		t.Errorf("Expand(NotFound) = %q, want the seeds' %q", got, want)
	}
	if got, want := en.Expand("deleted on {date}", "1", time.Date(2026, 1, 5, 23, 30, 0, 0, time.FixedZone("UTC-5", -5*3600))), "deleted on 2026-01-06"; got != want {
		t.Errorf("Expand({date}) = %q, want the UTC date %q", got, want)
	}
	es := p.TextsFor("es")
	if got, want := es.Expand(es.NotFound, "999", time.Time{}), "El usuario con ID 999 no existe"; got != want {
		t.Errorf("Expand(es NotFound) = %q, want the seeds' %q", got, want)
	}
}

func TestParseConfigCORS(t *testing.T) {
	base := `{"collections":[{"name":"users"}],"cors":%s}`
	good, err := ParseConfig(strings.NewReader(fmt.Sprintf(base,
		`{"origins":["https://app.example.com","http://localhost:5173","*"],"methods":["GET","DELETE"],"maxAge":"1h"}`)))
	if err != nil {
		t.Fatal(err)
	}
	if len(good.CORS.Origins) != 3 || good.CORS.MaxAge != time.Hour || len(good.CORS.AllowedMethods()) != 2 {
		t.Errorf("CORS = %+v", good.CORS)
	}
	for _, bad := range []string{
		`{"origins":["https://app.example.com/"]}`,
		`{"origins":["app.example.com"]}`,
		`{"origins":["https://App.example.com"]}`,
		`{"origins":["https://app.example.com/path"]}`,
		`{"methods":["TRACE"]}`,
		`{"maxAge":"soon"}`,
		`{"origin":["*"]}`,
	} {
		if _, err := ParseConfig(strings.NewReader(fmt.Sprintf(base, bad))); err == nil {
			t.Errorf("cors %s: accepted, want an error", bad)
		}
	}
	if o, err := ParseOrigins(" https://a.example , *,https://a.example"); err != nil || len(o) != 2 {
		t.Errorf("ParseOrigins = %v, %v", o, err)
	}
	if _, err := ParseOrigins("https://a.example/x"); err == nil {
		t.Error("ParseOrigins accepted a path")
	}
}

// Whole lines starting with // are comments; // elsewhere is data.
func TestParseConfigComments(t *testing.T) {
	t.Parallel()
	c, err := ParseConfig(strings.NewReader("// the shop's collections\n{\n  \"collections\": [\n    // users may come back for 30 days\n\t// (tab-indented too)\r\n    {\"name\": \"users\", \"restoreWindow\": \"30d\"}\n  ],\n  \"reasons\": {\"moved_site\": {\"en\": \"see https://example.com//new\"}}\n}\n"))
	if err != nil {
		t.Fatalf("ParseConfig with comment lines: %v", err)
	}
	if p, _ := c.Policy("users"); p.RestoreWindow != 30*24*time.Hour {
		t.Errorf("users.RestoreWindow = %v, want 720h", p.RestoreWindow)
	}
	if got, want := c.ReasonText("moved_site", "en"), "see https://example.com//new"; got != want {
		t.Errorf("reason text = %q, want %q (// inside a string is not a comment)", got, want)
	}
	if _, err := ParseConfig(strings.NewReader(`{"collections":[{"name":"users"}]} // trailing`)); err == nil {
		t.Error("a // after data on the same line parsed; want an error (only whole lines are comments)")
	}
}
