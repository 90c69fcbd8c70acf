package client_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gonehttp/gone/client"
)

// Many goroutines share one client, reading, writing and hitting every
// kind of answer; afterwards no goroutine is left behind. Run with -race.
func TestConcurrentUseNoLeak(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	before := runtime.NumGoroutine()
	c := e.admin(client.WithCache(8), client.WithGoneMemory(2))
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 10 {
				id := fmt.Sprintf("c%d", (g+i)%5)
				switch i % 5 {
				case 0:
					if _, err := c.Put(ctx, "users", id, map[string]int{"n": i}, nil); err != nil && !errors.Is(err, client.ErrConflict) {
						t.Errorf("Put %s: %v", id, err)
					}
				case 1:
					if err := c.Get(ctx, "users", id, nil); err != nil && !errors.Is(err, client.ErrNotFound) {
						t.Errorf("Get %s: %v", id, err)
					}
				case 2:
					if err := c.Get(ctx, "users", "123", nil); !errors.Is(err, client.ErrGone) {
						t.Errorf("Get users/123: %v", err)
					}
				case 3:
					c.Get(ctx, "promotions", "current", nil)
				case 4:
					for _, err := range c.List(ctx, "users", client.ListOptions{PageSize: 2}) {
						if err != nil {
							t.Errorf("List: %v", err)
						}
					}
				}
			}
		})
	}
	wg.Wait()
	e.srv.Client().CloseIdleConnections()
	e.srv.CloseClientConnections()
	// Connection goroutines end asynchronously after the close.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("goroutines: %d before, %d after\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}
