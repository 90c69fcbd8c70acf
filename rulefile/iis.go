package rulefile

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/gonehttp/gone"
)

// ReadIIS reads the URL Rewrite rules of an IIS web.config:
//
//	<rule name="old page" stopProcessing="true">
//	  <match url="^old-page$" />
//	  <action type="CustomResponse" statusCode="410" />        410 (404: removed)
//	</rule>
//	<rule name="moved"><match url="^old$" />
//	  <action type="Redirect" url="/new" redirectType="Permanent" />   301
//	</rule>
//
// and rules that look a path up in a rewriteMap (the form for long lists):
// a condition input="{MapName:{URL}}" (or {REQUEST_URI}) makes one rule
// per key of the map, with the rule's CustomResponse status, or, for a
// Redirect to {C:1}, the key's value as the new path. match url is a
// literal anchored pattern without the leading slash (^old$ exact, ^old/
// a prefix). Refused, each with the line of its rule: other regexes,
// other conditions, negated matches, Rewrite and AbortRequest actions,
// temporary redirects (Found, SeeOther, Temporary) and other statuses.
func ReadIIS(in io.Reader) (*Result, error) {
	dec := xml.NewDecoder(in)
	res := &Result{}
	maps := map[string][][2]string{}
	type iisRule struct {
		line                int
		name, match         string
		negate              bool
		conds               []string
		action, status, url string
		redirectType        string
	}
	var rules []iisRule
	var cur *iisRule
	mapName := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			line, _ := dec.InputPos()
			return nil, fmt.Errorf("line %d: not valid XML: %w", line, err)
		}
		line, _ := dec.InputPos()
		switch t := tok.(type) {
		case xml.StartElement:
			a := func(name string) string {
				for _, at := range t.Attr {
					if strings.EqualFold(at.Name.Local, name) {
						return at.Value
					}
				}
				return ""
			}
			switch t.Name.Local {
			case "rewriteMap":
				mapName = strings.ToLower(a("name"))
			case "add":
				switch {
				case cur != nil:
					cur.conds = append(cur.conds, a("input"))
				case mapName != "":
					maps[mapName] = append(maps[mapName], [2]string{a("key"), a("value")})
				}
			case "rule":
				rules = append(rules, iisRule{line: line, name: a("name")})
				cur = &rules[len(rules)-1]
			case "match":
				if cur != nil {
					cur.match, cur.negate = a("url"), strings.EqualFold(a("negate"), "true")
				}
			case "action":
				if cur != nil {
					cur.action, cur.status, cur.url, cur.redirectType = a("type"), a("statusCode"), a("url"), a("redirectType")
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "rewriteMap":
				mapName = ""
			case "rule":
				cur = nil
			}
		}
	}
	mapInput := regexp.MustCompile(`^\{([^:{}]+):\{(URL|REQUEST_URI|PATH_INFO)\}\}$`)
	for _, r := range rules {
		n := r.line
		var action gone.RuleAction
		st := 0
		switch {
		case strings.EqualFold(r.action, "CustomResponse") && r.status == "410":
			action = gone.RuleGone
		case strings.EqualFold(r.action, "CustomResponse") && r.status == "404":
			action = gone.RuleRemoved
		case strings.EqualFold(r.action, "Redirect") && (r.redirectType == "" || strings.EqualFold(r.redirectType, "Permanent")):
			action, st = gone.RuleMoved, 301
		default:
			res.refuse(n, "rule %q: only CustomResponse 410 (or 404) and a Permanent Redirect are supported, not %s %s%s", r.name, r.action, r.status, r.redirectType)
			continue
		}
		if r.negate {
			res.refuse(n, "rule %q: negated matches are not supported", r.name)
			continue
		}
		if len(r.conds) > 0 {
			m := mapInput.FindStringSubmatch(r.conds[0])
			if len(r.conds) > 1 || m == nil {
				res.refuse(n, "rule %q: only one condition, a rewriteMap lookup such as {Gone:{URL}}, is supported", r.name)
				continue
			}
			entries, ok := maps[strings.ToLower(m[1])]
			if !ok {
				res.refuse(n, "rule %q: no rewriteMap named %s", r.name, m[1])
				continue
			}
			if action == gone.RuleMoved && r.url != "{C:1}" && r.url != "{C:0}" {
				res.refuse(n, "rule %q: a Redirect through a map must go to {C:1}, the map's value", r.name)
				continue
			}
			for _, e := range entries {
				k, _ := strings.CutSuffix(e[0], "?")
				spec := gone.RuleSpec{RuleKey: gone.RuleKey{Path: k}, Action: action}
				if action == gone.RuleMoved {
					spec.To, spec.Status = e[1], st
				}
				res.add(n, spec)
			}
			continue
		}
		key, ok := literalPattern("^/" + strings.TrimPrefix(strings.TrimPrefix(r.match, "^"), "/"))
		if !ok || !strings.HasPrefix(r.match, "^") {
			res.refuse(n, "rule %q: match url %s: only an anchored literal path (^old$) or prefix (^old/) is supported", r.name, r.match)
			continue
		}
		spec := gone.RuleSpec{RuleKey: key, Action: action}
		if action == gone.RuleMoved {
			if strings.ContainsAny(r.url, "{}") {
				res.refuse(n, "rule %q: back-references and server variables in the url do not map to gone, which sends one fixed Location", r.name)
				continue
			}
			spec.To, spec.Status = r.url, st
		}
		res.add(n, spec)
	}
	return res, nil
}

// iisCaps: URL Rewrite says 410, 404 and 301 (it has no 308) for paths
// and prefixes.
var iisCaps = caps{format: FormatIIS, gone: true, removed: true, moved: true, as301: true, prefix: true}

// WriteIIS writes a web.config whose exact rules are three rewriteMaps
// (one lookup each, whatever their length) and whose prefixes are one rule
// each, longest first. A 308 is written as a 301, which URL Rewrite calls
// Permanent; the header lists them. ReadIIS reads the file back.
func WriteIIS(w io.Writer, specs []gone.RuleSpec, now time.Time, _ WriteOptions) (*Export, error) {
	rules, e := plan(iisCaps, specs, now)
	var hb bytes.Buffer
	header(&hb, "", e, "Merge its <rewrite> into the site's web.config (IIS URL Rewrite). Reasons and alternatives of 410s are not carried.")
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!--\n%s-->\n", strings.ReplaceAll(hb.String(), "--", "- -"))
	x := func(s string) string {
		var b bytes.Buffer
		xml.EscapeText(&b, []byte(s))
		return strings.ReplaceAll(b.String(), `"`, "&#34;")
	}
	fmt.Fprintln(w, "<configuration>\n  <system.webServer>\n    <rewrite>\n      <rewriteMaps>")
	maps := []struct{ name, what string }{{"gone-410", "410"}, {"gone-404", "404"}, {"gone-301", "301"}}
	for _, m := range maps {
		fmt.Fprintf(w, "        <rewriteMap name=\"%s\">\n", m.name)
		for _, s := range rules {
			if s.Prefix || iisWhat(s) != m.what {
				continue
			}
			v := m.what
			if s.Action == gone.RuleMoved {
				v = s.To
			}
			fmt.Fprintf(w, "          <add key=\"%s\" value=\"%s\" />\n", x(s.Path), x(v))
		}
		fmt.Fprintln(w, "        </rewriteMap>")
	}
	fmt.Fprintln(w, "      </rewriteMaps>\n      <rules>")
	for _, m := range maps {
		cond := fmt.Sprintf("<conditions><add input=\"{%s:{URL}}\" pattern=\"(.+)\" /></conditions>", m.name)
		fmt.Fprintf(w, "        <rule name=\"%s\" stopProcessing=\"true\"><match url=\".*\" />%s%s</rule>\n", m.name, cond, iisAction(m.what, "{C:1}"))
	}
	for _, s := range rules {
		if !s.Prefix {
			continue
		}
		fmt.Fprintf(w, "        <rule name=\"%s\" stopProcessing=\"true\"><match url=\"^%s\" />%s</rule>\n",
			x(s.RuleKey.String()), x(regexQuote(strings.TrimPrefix(s.Path, "/"))), iisAction(iisWhat(s), x(s.To)))
	}
	fmt.Fprintln(w, "      </rules>\n    </rewrite>\n  </system.webServer>\n</configuration>")
	return e, nil
}

func iisWhat(s gone.RuleSpec) string {
	switch s.Action {
	case gone.RuleMoved:
		return "301"
	case gone.RuleRemoved:
		return "404"
	}
	return "410"
}

func iisAction(what, url string) string {
	switch what {
	case "301":
		return fmt.Sprintf("<action type=\"Redirect\" url=\"%s\" redirectType=\"Permanent\" appendQueryString=\"false\" />", url)
	case "404":
		return "<action type=\"CustomResponse\" statusCode=\"404\" statusReason=\"Not Found\" statusDescription=\"\" />"
	}
	return "<action type=\"CustomResponse\" statusCode=\"410\" statusReason=\"Gone\" statusDescription=\"\" />"
}
