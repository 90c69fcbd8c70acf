// Package browser holds the tests that drive a real headless Chromium. One
// runs gone's JavaScript client (clients/js): a page served from a second
// origin calls a real gone server through CORS and its change feed. The
// other loads the HTML pages gone proxy answers a browser with (410, an
// expiry, 503, 404), in English and Spanish with JavaScript disabled, and
// checks the rendered page, its link to the alternative and the headers
// the browser received. It has no code of its own.
//
//	go test ./browser/
//
// It uses the system's Chromium (/usr/bin/chromium, or GONE_CHROMIUM) and
// never downloads one. Without a Chromium it skips, unless
// GONE_TEST_CHROMIUM_REQUIRED=1 or CI=true says it must run (as .ci/run does).
package browser
