package browser_test

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium returns the system's Chromium, and skips the test without one
// unless a browser test must run (CI).
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("GONE_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("GONE_TEST_CHROMIUM_REQUIRED") == "1" || os.Getenv("CI") == "true" {
		t.Fatal("no Chromium at /usr/bin/chromium (or GONE_CHROMIUM), and GONE_TEST_CHROMIUM_REQUIRED=1: apt-get install chromium")
	}
	t.Skip("no Chromium at /usr/bin/chromium (or GONE_CHROMIUM): apt-get install chromium to run the browser test")
	return ""
}

// newTab starts the Chromium at exe headless, with the flags it needs as
// root and a fresh profile, and returns a context for one tab of it that
// ends after limit, and the func that stops the browser (also called when
// the test ends).
func newTab(t *testing.T, exe string, limit time.Duration) (context.Context, context.CancelFunc) {
	t.Helper()
	ctx, cancelBrowser := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()))
	ctx, cancelTab := chromedp.NewContext(ctx)
	ctx, cancelTime := context.WithTimeout(ctx, limit)
	stop := func() {
		cancelTime()
		cancelTab()
		cancelBrowser()
	}
	t.Cleanup(stop)
	return ctx, stop
}
