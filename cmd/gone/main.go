// Command gone runs and inspects a gone server. See `gone help`.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
)

func main() {
	err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	os.Exit(exitCode(err))
}

// exitCode maps run's error to the documented exit codes: 0 ok, 1 failed,
// 2 usage, and the codes of exitError.
func exitCode(err error) int {
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ee.err != nil {
			fmt.Fprintln(os.Stderr, "gone:", ee.err)
		}
		return ee.code
	default:
		fmt.Fprintln(os.Stderr, "gone:", err)
		return 1
	}
}
