package config

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
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
	c, err := parse(strings.NewReader(fullConfig))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got, want := strings.Join(c.Names(), ","), "posts,promotions,users"; got != want {
		t.Errorf("Names() = %s, want %s", got, want)
	}
	users, ok := c.Policy("users")
	if !ok {
		t.Fatal(`Policy("users") not found`)
	}
	if users.Collection != "users" || users.RestoreWindow != 30*24*time.Hour || users.Disclosure != gone.DiscloseConceal ||
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
	if posts.Disclosure != gone.DiscloseMinimal || posts.RestoreWindow != 90*time.Minute {
		t.Errorf("posts policy = %+v", posts)
	}
	// Cache lifetimes left out take docs/design.md's defaults.
	if posts.NotFoundMaxAge != gone.DefaultNotFoundMaxAge || posts.GoneMaxAge != gone.DefaultGoneMaxAge {
		t.Errorf("posts cache = %v, %v; want defaults %v, %v", posts.NotFoundMaxAge, posts.GoneMaxAge, gone.DefaultNotFoundMaxAge, gone.DefaultGoneMaxAge)
	}
	if gone.DefaultNotFoundMaxAge != 60*time.Second || gone.DefaultGoneMaxAge != 86400*time.Second {
		t.Errorf("defaults = %v, %v; want max-age=60 and max-age=86400", gone.DefaultNotFoundMaxAge, gone.DefaultGoneMaxAge)
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
	c, err := parse(strings.NewReader(`{"collections":[{"name":"users"}]}`))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	p, _ := c.Policy("users")
	want := gone.Policy{Collection: "users", Disclosure: gone.DiscloseFull, NotFoundMaxAge: gone.DefaultNotFoundMaxAge, GoneMaxAge: gone.DefaultGoneMaxAge}
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
			c, err := parse(strings.NewReader(tt.config))
			if err == nil {
				t.Fatalf("parse(%s) = %+v, want an error", tt.config, c)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("parse(%s) error = %q, want it to mention %q", tt.config, err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "config: ") {
				t.Errorf("error = %q, want it to start with \"config: \"", err)
			}
		})
	}
}

func TestParseConfigCORS(t *testing.T) {
	base := `{"collections":[{"name":"users"}],"cors":%s}`
	_, good, err := Parse(strings.NewReader(fmt.Sprintf(base,
		`{"origins":["https://app.example.com","http://localhost:5173","*"],"methods":["GET","DELETE"],"maxAge":"1h"}`)))
	if err != nil {
		t.Fatal(err)
	}
	if len(good.Origins) != 3 || good.MaxAge != time.Hour || len(good.AllowedMethods()) != 2 {
		t.Errorf("CORS = %+v", good)
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
		if _, err := parse(strings.NewReader(fmt.Sprintf(base, bad))); err == nil {
			t.Errorf("cors %s: accepted, want an error", bad)
		}
	}
	if o, err := answer.ParseOrigins(" https://a.example , *,https://a.example"); err != nil || len(o) != 2 {
		t.Errorf("ParseOrigins = %v, %v", o, err)
	}
	if _, err := answer.ParseOrigins("https://a.example/x"); err == nil {
		t.Error("ParseOrigins accepted a path")
	}
}

// Whole lines starting with // are comments; // elsewhere is data.
func TestParseConfigComments(t *testing.T) {
	t.Parallel()
	c, err := parse(strings.NewReader("// the shop's collections\n{\n  \"collections\": [\n    // users may come back for 30 days\n\t// (tab-indented too)\r\n    {\"name\": \"users\", \"restoreWindow\": \"30d\"}\n  ],\n  \"reasons\": {\"moved_site\": {\"en\": \"see https://example.com//new\"}}\n}\n"))
	if err != nil {
		t.Fatalf("Parse with comment lines: %v", err)
	}
	if p, _ := c.Policy("users"); p.RestoreWindow != 30*24*time.Hour {
		t.Errorf("users.RestoreWindow = %v, want 720h", p.RestoreWindow)
	}
	if got, want := c.ReasonText("moved_site", "en"), "see https://example.com//new"; got != want {
		t.Errorf("reason text = %q, want %q (// inside a string is not a comment)", got, want)
	}
	if _, err := parse(strings.NewReader(`{"collections":[{"name":"users"}]} // trailing`)); err == nil {
		t.Error("a // after data on the same line parsed; want an error (only whole lines are comments)")
	}
}

// parse is Parse without the CORS policy.
func parse(r io.Reader) (*gone.Config, error) {
	c, _, err := Parse(r)
	return c, err
}
