// Command shopapi is a small existing Go API with gone inside it: the
// gonehttp middleware answers the paths the shop retired, moved or put
// into maintenance, and the API's own "not found" asks gone whether the
// product is unknown (404) or gone for good (410).
//
//	go run ./examples/shopapi -addr 127.0.0.1:3000 -db shop-gone.db
//
// Rules are managed like the proxy's, for example with
// gone rules add /products/7 gone --reason "Discontinued" against a gone
// server (or proxy) over the same database.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/gonehttp"
	"github.com/gonehttp/gone/sqlite"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:3000", "listen address")
	db := flag.String("db", "shop-gone.db", "gone's SQLite file (the rules)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	store, err := sqlite.Open(ctx, *db)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	svc := gone.NewService(store, demo.Config())
	rules, err := gonehttp.Load(ctx, svc)
	if err != nil {
		log.Fatal(err)
	}
	go rules.Run(ctx, 100*time.Millisecond, time.Minute)
	srv := &http.Server{Addr: *addr, Handler: newShop(rules), ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); srv.Shutdown(context.Background()) }()
	log.Printf("shop on http://%s", *addr)
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

// Product is what the shop sells.
type Product struct {
	ID    string  `json:"id"`
	Name  string  `json:"name"`
	Price float64 `json:"price"`
}

// shop is the existing API: it knows nothing of gone but the two calls.
type shop struct {
	products map[string]Product
	rules    *gonehttp.Rules
}

// newShop returns the shop's handler with gone's middleware around it.
func newShop(rules *gonehttp.Rules) http.Handler {
	s := &shop{rules: rules, products: map[string]Product{
		"1": {ID: "1", Name: "Kettle", Price: 39.5},
		"2": {ID: "2", Name: "Teapot", Price: 24},
	}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /products/{id}", s.product)
	mux.HandleFunc("GET /products", s.list)
	// Everything else the shop does not know: 404, or 410 where a rule
	// retired the path.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { gonehttp.NotFound(w, r, rules) })
	return gonehttp.Handler(mux, rules)
}

func (s *shop) product(w http.ResponseWriter, r *http.Request) {
	p, ok := s.products[r.PathValue("id")]
	if !ok {
		// The shop's own lookup failed: gone says whether the product
		// never existed (404) or was retired (410, with when and why).
		gonehttp.NotFound(w, r, s.rules)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(p)
}

func (s *shop) list(w http.ResponseWriter, r *http.Request) {
	var names []string
	for _, p := range s.products {
		names = append(names, p.Name)
	}
	fmt.Fprintln(w, strings.Join(names, "\n"))
}
