// Command baseline is the yardstick of bench/perf.sh: bare net/http
// answering every GET /api/{collection}/{id} with one fixed JSON body and
// the headers a live answer carries. gone's throughput is reported as a
// ratio of it, measured in the same run on the same core.
//
// usage: baseline HOST:PORT   (prints "listening on http://ADDR")
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
)

func main() {
	body := []byte(`{"name":"User 0012345","email":"u12345@example.com"}`)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/{collection}/{id}", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "no-cache")
		h.Set("Etag", `"1"`)
		w.Write(body)
	})
	ln, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	fmt.Fprintln(os.Stderr, http.Serve(ln, mux))
	os.Exit(1)
}
