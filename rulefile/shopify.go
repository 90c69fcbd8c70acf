package rulefile

import (
	"encoding/csv"
	"io"
	"strings"
	"time"

	"github.com/gonehttp/gone"
)

// ReadShopify reads a Shopify URL redirect CSV: "Redirect from,Redirect
// to". Shopify redirects are 301s of exact paths; it carries redirects
// only.
func ReadShopify(in io.Reader) (*Result, error) {
	b, err := io.ReadAll(in)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	err = readHeaderCSV(b, []string{"redirect from", "redirect to"}, func(line int, get func(string) string) {
		from, to := get("redirect from"), get("redirect to")
		if from == "" || to == "" {
			res.refuse(line, "want Redirect from and Redirect to")
			return
		}
		if strings.Contains(from, "?") {
			res.refuse(line, "%s: a query string cannot be matched; gone matches paths", from)
			return
		}
		res.add(line, gone.RuleSpec{RuleKey: gone.RuleKey{Path: from}, Action: gone.RuleMoved, To: to, Status: 301})
	}, res)
	return res, err
}

// shopifyCaps: 301s of exact paths only.
var shopifyCaps = caps{format: FormatShopify, moved: true, as301: true}

// WriteShopify writes a Shopify redirect CSV. Shopify answers every
// redirect with 301, so a 308 is written as a 301 (listed on stderr);
// 410s and prefixes are left out.
func WriteShopify(w io.Writer, specs []gone.RuleSpec, now time.Time, _ WriteOptions) (*Export, error) {
	rules, e := plan(shopifyCaps, specs, now)
	cw := csv.NewWriter(w)
	cw.Write([]string{"Redirect from", "Redirect to"})
	for _, s := range rules {
		cw.Write([]string{s.Path, s.To})
	}
	cw.Flush()
	return e, cw.Error()
}
