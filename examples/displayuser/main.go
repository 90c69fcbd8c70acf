// Command displayuser is the seeds' displayUser, in Go, on gone's client:
// it shows a user, or tells a person what a 404, a 410 or a 503 means for
// them.
//
//	go run ./examples/displayuser -url http://127.0.0.1:8080 123
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gonehttp/gone/client"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "gone server")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: displayuser [-url URL] USER-ID")
		os.Exit(2)
	}
	c, err := client.New(*url, client.WithOnGone(removeFromCache))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := displayUser(ctx, c, flag.Arg(0), os.Stdout); err != nil {
		os.Exit(1)
	}
}

// User is what the demo's users collection holds.
type User struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// displayUser shows the user, or what the failure means for the person
// looking. The error is returned as is, for the caller to log.
func displayUser(ctx context.Context, c *client.Client, id string, w io.Writer) error {
	var u User
	err := c.Get(ctx, "users", id, &u)
	var ge *client.Error
	errors.As(err, &ge)
	switch {
	case err == nil:
		fmt.Fprintf(w, "User: %s <%s>\n", u.Name, u.Email)
	case errors.Is(err, client.ErrNotFound):
		// 404: it might be temporary, or a typo. Offer to try again.
		fmt.Fprintln(w, "User not found. Please check the user ID and try again.")
	case errors.Is(err, client.ErrGone):
		// 410: permanent. Do not offer a retry; the client already
		// purged its cache and called removeFromCache.
		fmt.Fprintln(w, "This user account has been permanently deleted and cannot be accessed.")
		if ge.Reason != "" {
			fmt.Fprintf(w, "Reason: %s\n", ge.Reason)
		}
		fmt.Fprintln(w, "Go to /users for the list of users.")
	case errors.Is(err, client.ErrUnavailable):
		// 503: temporary, and the server said for how long.
		fmt.Fprintf(w, "This user is temporarily unavailable. Try again in %s.\n", ge.RetryAfter)
	default:
		fmt.Fprintf(w, "Could not load the user: %v\n", err)
	}
	return err
}

// removeFromCache is the seeds' removeFromCache: the client calls it the
// first time it learns an id is gone, so the application can forget it.
func removeFromCache(collection, id string, _ *client.Error) {
	fmt.Fprintf(os.Stderr, "Removed %s %s from cache\n", collection, id)
}
