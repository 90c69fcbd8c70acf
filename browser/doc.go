// Package browser holds the test that runs gone's JavaScript client
// (clients/js) in a real headless Chromium: a page served from a second
// origin calls a real gone server through CORS and its change feed. It has
// no code of its own.
//
//	go test ./browser/
//
// It uses the system's Chromium (/usr/bin/chromium, or GONE_CHROMIUM) and
// never downloads one. Without a Chromium it skips, unless
// GONE_TEST_CHROMIUM_REQUIRED=1 or CI=true says it must run (as .ci/run does).
package browser
