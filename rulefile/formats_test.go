package rulefile

import (
	"testing"
)

// TestReaders reads one fixture per format: what maps, and what is refused
// with its line.
func TestReaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format, file   string
		rules, refused []string
	}{
		{FormatNetlify, "netlify_redirects", []string{
			"2 /old-page gone",
			"3 /blog/2019/* gone",
			"4 /a moved /b 301",
			"5 /c moved /d",
			"6 /docs/* moved /manual/ 301",
		}, []string{
			"line 8: /news/* /articles/:splat: placeholders and :splat in the target",
			"line 9: /temp: status 302 is not supported",
			"line 10: /search q=:q /find 301: conditions",
			"line 11: /blog*: a splat must follow a /",
			"line 12: /missing /404.html 404: a custom 404 page is not a retirement",
		}},
		{FormatNetlifyTOML, "netlify.toml", []string{
			"4 /old-page gone",
			"10 /products/old-name moved /products/new-name 301",
			"14 /ads/* gone",
		}, []string{
			"line 19: [[redirects]] with redirects.conditions is not supported",
			"line 26: /rewrite/*: status 200 is not supported",
		}},
		{FormatVercel, "vercel.json", []string{
			"1 /old moved /new",
			"2 /a moved /b 301",
			"3 /docs moved /manual",
			"3 /docs/* moved /manual",
			"7 /old-page gone",
			"8 /legacy/* gone",
			"9 /moved moved /here",
		}, []string{
			"line 4: /blog/:slug → /news/:slug: parameters in the destination",
			"line 5: /temp: a temporary (307) redirect",
			"line 6: /beta: has and missing conditions",
			"line 11: route /found: only status 410",
		}},
		{FormatVercelBulk, "vercel-bulk.csv", []string{
			"2 /old moved /new",
			"4 /c moved /d",
		}, []string{
			"line 3: /a: a temporary (307) redirect",
		}},
		{FormatCaddy, "Caddyfile", []string{
			"3 /old-page gone",
			"3 /ads/* gone",
			"7 /p1 moved /products",
			"7 /p2 moved /products",
			"8 /blog/2019/* gone",
			"9 /old moved /new 301",
		}, []string{
			"line 10: redir /temp /x 302: only permanent, 301 and 308",
			"line 11: redir /keep /new/{uri}: placeholders",
			"line 13: matcher @api: only path is supported",
			"line 14: @api: no path matcher of that name",
			"line 15: /a*b: only a path, or a path ending in *",
		}},
		{FormatIIS, "web.config", []string{
			"15 /old-page.html gone",
			"15 /about-2015 gone",
			"20 /products/old-name moved /products/new-name 301",
			"25 /blog/2019/* gone",
			"29 /press.html moved https://press.example.com/ 301",
		}, []string{
			`line 33: rule "temporary": only CustomResponse 410`,
			`line 37: rule "regex": match url ^user/(\d+)$: only an anchored literal`,
			`line 41: rule "spa": only CustomResponse 410`,
		}},
		{FormatWordPress, "redirection.json", []string{
			"1 /old-page/ gone",
			"2 /old moved /new 301",
			"3 /blog/2019/* gone",
		}, []string{
			"line 5: /temp: code 302 is not supported",
			`line 6: ^/p/(\d+)$: only an anchored literal regex`,
			`line 7: /members: match type "login" is not supported`,
		}},
		{FormatWordPressCSV, "redirection.csv", []string{
			"2 /old-page gone",
			"3 /old moved /new 301",
			"5 /tag/* gone",
		}, []string{
			"line 6: /temp: code 307 is not supported",
		}},
		{FormatWordPressCSV, "redirection-template.csv", []string{
			"2 /old moved /new 301",
			"3 /gone gone",
			"4 /plain moved /elsewhere 301",
		}, nil},
		{FormatCloudflare, "cloudflare.csv", []string{
			"2 /old moved https://example.com/new 301",
			"3 /docs moved https://example.com/manual",
			"3 /docs/* moved https://example.com/manual",
		}, []string{
			"line 4: preserve_path_suffix",
			"line 5: status_code 302",
		}},
		{FormatShopify, "shopify.csv", []string{
			"2 /products/old-name moved /products/new-name 301",
		}, []string{
			"line 3: /collections/summer?page=2: a query string cannot be matched",
			"line 4: want Redirect from and Redirect to",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			check(t, read(t, tt.format, tt.file), tt.rules, tt.refused)
		})
	}
}
