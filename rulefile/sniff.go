package rulefile

import (
	"bytes"
	"regexp"
	"strings"
)

// Sniff names the format a file's content looks like, or "" when it
// cannot tell. It looks for what only one format writes (a CSV header, a
// JSON key, an XML element, a directive), so a file given with the wrong
// --format is refused with a name rather than read as nothing.
func Sniff(b []byte) string {
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	head := strings.ToLower(string(b[:min(len(b), 4096)]))
	first, _, _ := strings.Cut(strings.TrimSpace(head), "\n")
	first = strings.TrimSpace(first)
	switch {
	case strings.Contains(head, "[[redirects]]") || tomlTable.MatchString(first):
		return FormatNetlifyTOML
	case strings.HasPrefix(first, "<"):
		if strings.Contains(head, "<rewrite") || strings.Contains(head, "<system.webserver") {
			return FormatIIS
		}
		return ""
	case strings.HasPrefix(first, "{") || strings.HasPrefix(first, "["):
		switch {
		case strings.Contains(head, `"action_code"`) || strings.Contains(head, `"action_type"`):
			return FormatWordPress
		case strings.HasPrefix(first, "["):
			return FormatVercelBulk
		case strings.Contains(head, `"redirects"`) || strings.Contains(head, `"routes"`):
			return FormatVercel
		}
		return ""
	}
	// The first line that is not a comment decides for the line formats.
	for _, l := range strings.Split(head, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' {
			continue
		}
		return sniffLine(l)
	}
	return ""
}

var (
	tomlTable   = regexp.MustCompile(`^\[\[?[a-z][a-z0-9_.]*\]\]?$`)
	netlifyLine = regexp.MustCompile(`^/\S*\s+\S+\s+\d{3}!?(\s|$)`)
	caddyLine   = regexp.MustCompile(`^(respond|redir|@\w+|route|handle|reverse_proxy|import)\b`)
	nginxLine   = regexp.MustCompile(`^(location|map|server|http|return|if|rewrite)\b`)
	apacheLine  = regexp.MustCompile(`^(redirect|redirectmatch|redirectpermanent|rewriterule|rewriteengine|rewritecond|<virtualhost|<directory|<location)\b`)
	haproxyLine = regexp.MustCompile(`^(http-request|frontend|backend|acl|defaults|global)\b`)
)

func sniffLine(l string) string {
	switch {
	case strings.HasPrefix(l, "redirect from,"):
		return FormatShopify
	case strings.HasPrefix(l, "source_url,"):
		return FormatCloudflare
	case strings.HasPrefix(l, "source,target") || strings.HasPrefix(l, "source url,") || strings.HasPrefix(l, "source,destination") && strings.Contains(l, "regex"):
		return FormatWordPressCSV
	case strings.HasPrefix(l, "source,destination"):
		return FormatVercelBulk
	case strings.HasPrefix(l, "path,") && strings.Contains(l, "status"):
		return FormatCSV
	case netlifyLine.MatchString(l):
		return FormatNetlify
	case apacheLine.MatchString(l):
		return FormatApache
	case haproxyLine.MatchString(l):
		return FormatHAProxy
	case caddyLine.MatchString(l):
		return FormatCaddy
	case nginxLine.MatchString(l):
		return FormatNginx
	}
	return ""
}
