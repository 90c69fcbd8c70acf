package answer

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// CORSPolicy says which web pages on other origins may call a front door
// from a browser (the Fetch standard's CORS protocol). The zero value
// allows none.
type CORSPolicy struct {
	// Origins are exact origins ("https://app.example.com"), or "*" for
	// anonymous reads from any page. "*" never covers a request with a
	// token: such a request needs its origin listed.
	Origins []string
	// Methods are the methods a listed origin may use; empty means every
	// method the API serves.
	Methods []string
	// MaxAge is how long a browser may reuse a preflight answer.
	MaxAge time.Duration
}

// DefaultCORSMaxAge is the preflight lifetime when the config names none.
const DefaultCORSMaxAge = 10 * time.Minute

// corsMethods are the methods the API serves, the default of
// CORSPolicy.Methods.
var corsMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}

// Enabled reports whether any origin is allowed.
func (c CORSPolicy) Enabled() bool { return len(c.Origins) > 0 }

// AllowsAny reports whether "*" is among the origins.
func (c CORSPolicy) AllowsAny() bool { return slices.Contains(c.Origins, "*") }

// Listed reports whether origin is one of the exact origins.
func (c CORSPolicy) Listed(origin string) bool {
	return origin != "*" && slices.Contains(c.Origins, origin)
}

// AllowedMethods returns the configured methods or the default.
func (c CORSPolicy) AllowedMethods() []string {
	if len(c.Methods) == 0 {
		return corsMethods
	}
	return c.Methods
}

// ParseOrigins reads a comma-separated list of origins (GONE_CORS_ORIGINS),
// each an exact origin or "*".
func ParseOrigins(s string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(s, ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		if err := CheckOrigin(o); err != nil {
			return nil, err
		}
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out, nil
}

// CheckOrigin accepts "*" and scheme://host[:port] with nothing after it,
// the exact form a browser sends in Origin: a trailing slash or a path
// would never match, so it is refused at start instead.
func CheckOrigin(o string) error {
	if o == "*" {
		return nil
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || o != strings.ToLower(u.Scheme)+"://"+u.Host {
		return fmt.Errorf("cors origin %q: want \"*\" or an exact origin such as https://app.example.com (no path, no trailing slash)", o)
	}
	if strings.ToLower(u.Host) != u.Host {
		return fmt.Errorf("cors origin %q: browsers send the host in lower case", o)
	}
	return nil
}

// CheckMethod reports whether m is a method a listed origin may be allowed.
func CheckMethod(m string) error {
	if !slices.Contains(corsMethods, m) {
		return fmt.Errorf("cors method %q: want some of %s", m, strings.Join(corsMethods, ", "))
	}
	return nil
}
