// Command overload drives a server with many connections in a closed loop
// (each connection sends its next request when the last one is answered)
// and reports latency separately for answered requests (2xx-4xx) and shed
// ones (503), which wrk cannot: under overload the number that matters is
// how fast the answered requests stay, while the shed ones are refused.
//
// usage: overload -url http://HOST:PORT -paths FILE [-c 512] [-d 10s]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	base := flag.String("url", "", "server base URL")
	pathsFile := flag.String("paths", "", "file of request paths, one a line")
	conns := flag.Int("c", 512, "connections")
	dur := flag.Duration("d", 10*time.Second, "duration")
	flag.Parse()
	paths, err := readLines(*pathsFile)
	if err != nil || *base == "" || len(paths) == 0 {
		fmt.Fprintln(os.Stderr, "usage: overload -url http://HOST:PORT -paths FILE [-c 512] [-d 10s]", err)
		os.Exit(2)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns, DisableCompression: true}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	type sample struct {
		status int
		d      time.Duration
	}
	var (
		mu      sync.Mutex
		samples []sample
		errs    atomic.Int64
		next    atomic.Int64
		wg      sync.WaitGroup
	)
	stop := time.Now().Add(*dur)
	for range *conns {
		wg.Go(func() {
			var mine []sample
			for time.Now().Before(stop) {
				p := paths[int(next.Add(1))%len(paths)]
				start := time.Now()
				resp, err := client.Get(*base + p)
				if err != nil {
					errs.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mine = append(mine, sample{resp.StatusCode, time.Since(start)})
			}
			mu.Lock()
			samples = append(samples, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	var ok, shed []time.Duration
	for _, s := range samples {
		if s.status == http.StatusServiceUnavailable {
			shed = append(shed, s.d)
		} else {
			ok = append(ok, s.d)
		}
	}
	fmt.Printf("RESULT rps=%.0f answered=%d shed=%d errors=%d answered_p50_ms=%.2f answered_p99_ms=%.2f answered_max_ms=%.2f shed_p99_ms=%.2f\n",
		float64(len(samples))/dur.Seconds(), len(ok), len(shed), errs.Load(),
		ms(pct(ok, 50)), ms(pct(ok, 99)), ms(pct(ok, 100)), ms(pct(shed, 99)))
}

func readLines(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out, sc.Err()
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := len(ds) * p / 100
	if i >= len(ds) {
		i = len(ds) - 1
	}
	return ds[i]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
