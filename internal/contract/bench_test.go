package contract_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/gonehttp/gone/internal/contract"
	"github.com/gonehttp/gone/internal/demotest"
)

// BenchmarkCheck measures one check of a 404 problem: "new" with a body
// never seen (kin-openapi compiles the schema and validates), "repeat"
// with one already found valid (the digest alone).
func BenchmarkCheck(b *testing.B) {
	spec, err := contract.Served(demotest.New(b).UncheckedHandler(nil))
	if err != nil {
		b.Fatal(err)
	}
	c, err := contract.Load(spec)
	if err != nil {
		b.Fatal(err)
	}
	h := http.Header{"Content-Type": {"application/problem+json"}, "Cache-Control": {"max-age=60"}}
	body := func(n int) []byte {
		return []byte(`{"type":"/problems/not-found","title":"Not Found","status":404,"detail":"User with ID ` + strconv.Itoa(n) +
			` does not exist","instance":"/api/users/999","error":"Not Found","message":"m"}`)
	}
	r := httptest.NewRequest("GET", "/api/users/999", nil)
	for _, bc := range []struct {
		name string
		n    func(i int) int
	}{{"new", func(i int) int { return i }}, {"repeat", func(int) int { return 0 }}} {
		b.Run(bc.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				if err := c.Check(contract.Exchange{Request: r, Status: 404, Header: h, Body: body(bc.n(i))}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
