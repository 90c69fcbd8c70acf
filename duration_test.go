package gone

import (
	"testing"
	"time"
)

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
		got, err := ParseDurationOr(tt.in, 42*time.Second)
		if err != nil || got != tt.want {
			t.Errorf("ParseDurationOr(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"30", "d", "30days", "1.5d", "-1d", "-1s", "106752d", "x", " 30d", "30d ", "3 0d"} {
		if got, err := ParseDurationOr(in, 0); err == nil {
			t.Errorf("ParseDurationOr(%q) = %v, want an error", in, got)
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
