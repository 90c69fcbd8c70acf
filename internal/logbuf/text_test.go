package logbuf

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"
)

// The fast path writes exactly what slog.TextHandler writes.
func TestTextHandlerMatchesSlog(t *testing.T) {
	strs := []string{"", "plain", "GET /api/{collection}/{id}", "a=b", `quo"te`, `back\slash`, "tab\there", "nl\n",
		"ünïcödé", "nbsp\u00a0x", "\x00", "\x7f", "bad\xffutf8", "line\u2028sep", "emoji 🎉", "<html>&amp;", "=", " "}
	levels := []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError, slog.LevelInfo + 2}
	times := []time.Time{time.Date(2026, 11, 23, 1, 2, 3, 456789000, time.UTC), time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)), {}}
	n := 0
	for i, s := range strs {
		for j, lv := range levels {
			tm := times[(i+j)%len(times)]
			r := slog.NewRecord(tm, lv, strs[(i+j)%len(strs)], 0)
			r.AddAttrs(slog.String("request_id", s), slog.String(s+"k", "v"), slog.Int("status", i*j-3),
				slog.Duration("duration", time.Duration(i*j)*1234567), slog.Bool("ok", i%2 == 0), slog.Uint64("u", uint64(j)))
			compare(t, r)
			n++
		}
	}
	// Kinds the fast path leaves to slog come out the same too.
	r := slog.NewRecord(times[0], slog.LevelWarn, "store lookup failed", 0)
	r.AddAttrs(slog.Any("err", errors.New("disk on fire")), slog.Float64("f", 1.5), slog.Group("g", slog.Int("a", 1)))
	compare(t, r)
}

func compare(t *testing.T, r slog.Record) {
	t.Helper()
	var want, got bytes.Buffer
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	if err := slog.NewTextHandler(&want, opts).Handle(context.Background(), r.Clone()); err != nil {
		t.Fatal(err)
	}
	if err := NewTextHandler(&got, opts).Handle(context.Background(), r.Clone()); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("fast path differs from slog:\n got %q\nwant %q", got.String(), want.String())
	}
}

func TestTextHandlerLevel(t *testing.T) {
	h := NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn})
	if h.Enabled(context.Background(), slog.LevelInfo) || !h.Enabled(context.Background(), slog.LevelWarn) {
		t.Errorf("Enabled does not follow the level")
	}
}

func BenchmarkTextHandler(b *testing.B) {
	for name, h := range map[string]slog.Handler{"slog": slog.NewTextHandler(io.Discard, nil), "logbuf": NewTextHandler(io.Discard, nil)} {
		b.Run(name, func(b *testing.B) {
			l := slog.New(h)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				l.LogAttrs(ctx, slog.LevelInfo, "request",
					slog.String("request_id", "0123456789abcdef"), slog.String("method", "GET"), slog.String("path", "/api/users/u0012345"),
					slog.String("route", "GET /api/{collection}/{id}"), slog.Int("status", 200), slog.Duration("duration", 12345*time.Nanosecond),
					slog.String("caller", ""))
			}
		})
	}
}

func BenchmarkHandle(b *testing.B) {
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "request", 0)
	r.AddAttrs(slog.String("request_id", "0123456789abcdef"), slog.String("method", "GET"), slog.String("path", "/api/users/u0012345"),
		slog.String("route", "GET /api/{collection}/{id}"), slog.Int("status", 200), slog.Duration("duration", 12345*time.Nanosecond),
		slog.String("caller", ""))
	for name, h := range map[string]slog.Handler{"slog": slog.NewTextHandler(io.Discard, nil), "logbuf": NewTextHandler(io.Discard, nil)} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				h.Handle(context.Background(), r)
			}
		})
	}
}
