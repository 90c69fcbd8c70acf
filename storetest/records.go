package storetest

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

// full is a record with every field set to a distinct value, so a column
// mix-up shows.
func full(collection, id string) *gone.Record {
	return &gone.Record{
		Collection:       collection,
		ID:               id,
		Data:             json.RawMessage(`{ "name": "Ada",  "tags": ["x", "y"], "n": 1.50 }`),
		Version:          1 << 40,
		CreatedAt:        t0.Add(-72 * time.Hour),
		UpdatedAt:        t0.Add(-48 * time.Hour),
		DeletedAt:        t0.Add(-24 * time.Hour),
		RestorableUntil:  t0.Add(24 * time.Hour),
		Reason:           "Eliminación solicitada por el usuario — «ñ» 🗑",
		Alternative:      "/api/users/456?x=1&y=2",
		DeletedBy:        "admin-token",
		ExpiresAt:        t0.Add(90 * 24 * time.Hour),
		MovedTo:          "new-id.2",
		UnavailableUntil: t0.Add(time.Hour),
		DeprecatedAt:     t0.Add(-time.Hour),
	}
}

func testRecords(t *testing.T, newStore func(t *testing.T) gone.Store) {
	t.Run("GetUnknown", func(t *testing.T) {
		s := open(t, newStore)
		r, err := s.Get(ctx(t), "users", "999")
		wantNotFound(t, `Get("users", "999") on an empty store`, r, err)

		// Ids are scoped by collection.
		put(t, s, &gone.Record{Collection: "posts", ID: "999", Data: json.RawMessage(`{}`), Version: 1, CreatedAt: t0, UpdatedAt: t0})
		r, err = s.Get(ctx(t), "users", "999")
		wantNotFound(t, `Get("users", "999") with only posts/999 stored`, r, err)
		r, err = s.Get(ctx(t), "posts", "9999")
		wantNotFound(t, `Get("posts", "9999") with only posts/999 stored`, r, err)
	})

	t.Run("RoundTripEveryField", func(t *testing.T) {
		s := open(t, newStore)
		want := full("users", "123")
		put(t, s, want)
		checkRecord(t, "Get after Put", mustGet(t, s, "users", "123"), want)
	})

	t.Run("RoundTripZeroValues", func(t *testing.T) {
		// A tombstone: nil Data, zero times, empty strings stay so.
		s := open(t, newStore)
		want := &gone.Record{Collection: "users", ID: "t", Version: 0}
		put(t, s, want)
		checkRecord(t, "Get after Put of a bare record", mustGet(t, s, "users", "t"), want)
	})

	t.Run("RoundTripLargeData", func(t *testing.T) {
		s := open(t, newStore)
		big := `{"blob":"` + strings.Repeat("0123456789abcdef", 64<<10/16) + `"}`
		want := &gone.Record{Collection: "files", ID: "big", Data: json.RawMessage(big), Version: 1, CreatedAt: t0, UpdatedAt: t0}
		put(t, s, want)
		checkRecord(t, "Get after Put of 64 KiB", mustGet(t, s, "files", "big"), want)
	})

	t.Run("TimesComeBackInUTC", func(t *testing.T) {
		s := open(t, newStore)
		cet := time.FixedZone("CET", 3600)
		in := &gone.Record{Collection: "users", ID: "z", Data: json.RawMessage(`{}`), Version: 1,
			CreatedAt: t0.In(cet), UpdatedAt: t0.In(cet), ExpiresAt: t0.Add(time.Hour).In(cet)}
		put(t, s, in)
		want := *in
		want.CreatedAt, want.UpdatedAt, want.ExpiresAt = t0, t0, t0.Add(time.Hour)
		checkRecord(t, "Get after Put of CET times", mustGet(t, s, "users", "z"), &want)
	})

	t.Run("GetReturnsACopy", func(t *testing.T) {
		s := open(t, newStore)
		want := full("users", "c")
		put(t, s, want.Clone())
		got := mustGet(t, s, "users", "c")
		got.Data[0], got.Reason = 'X', "changed"
		checkRecord(t, "Get after mutating a previous Get's result", mustGet(t, s, "users", "c"), want)
	})

	t.Run("PutReplaces", func(t *testing.T) {
		s := open(t, newStore)
		put(t, s, full("users", "r"))
		// The replacement clears fields rather than merging them.
		want := &gone.Record{Collection: "users", ID: "r", Data: json.RawMessage(`{"v":2}`), Version: 2, CreatedAt: t0, UpdatedAt: t0.Add(time.Second)}
		put(t, s, want)
		checkRecord(t, "Get after the second Put", mustGet(t, s, "users", "r"), want)

		// Erasing: nil Data replaces a payload.
		erased := want.Clone()
		erased.Data, erased.Version, erased.DeletedAt = nil, 3, t0.Add(2*time.Second)
		put(t, s, erased)
		checkRecord(t, "Get after Put with nil Data", mustGet(t, s, "users", "r"), erased)
	})

	t.Run("DataBytesExact", func(t *testing.T) {
		s := open(t, newStore)
		cases := map[string]string{
			"spaces":  `{ "b" : 2 ,"a":1 }`,
			"escapes": `{"s":"\u00e9\n\"q\"","k":"</script>"}`,
			"dupkeys": `{"a":1,"a":2}`,
			"empty":   `{}`,
			"nested":  "{\n\t\"deep\": {\"x\": [1, {\"y\": null}]}\n}",
		}
		var recs []*gone.Record
		for id, data := range cases {
			recs = append(recs, &gone.Record{Collection: "raw", ID: id, Data: json.RawMessage(data), Version: 1})
		}
		put(t, s, recs...)
		for id, data := range cases {
			got := mustGet(t, s, "raw", id)
			if !bytes.Equal(got.Data, []byte(data)) {
				t.Errorf("Get(raw, %s): Data = %q, want %q byte for byte", id, got.Data, data)
			}
		}
	})
}
