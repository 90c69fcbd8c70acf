package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gonehttp/gone/client"
	"github.com/gonehttp/gone/internal/demotest"
)

// displayUser says what each of the seeds' answers means, against a real
// server with the demo world.
func TestDisplayUser(t *testing.T) {
	ctx := context.Background()
	srv := httptest.NewServer(demotest.New(t).Handler(nil))
	defer srv.Close()
	c, err := client.New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{
		"42":  "User: Ada Lovelace <ada@example.com>",
		"999": "User not found. Please check the user ID and try again.",
		"123": "permanently deleted and cannot be accessed.\nReason: User requested account deletion",
	} {
		var out bytes.Buffer
		displayUser(ctx, c, id, &out)
		if !strings.Contains(out.String(), want) {
			t.Errorf("displayUser(%s) printed %q, want %q", id, out.String(), want)
		}
	}
}
