package rulefile

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// ReadNetlifyTOML reads the [[redirects]] tables of a netlify.toml:
//
//	[[redirects]]
//	  from = "/old-page"
//	  to = "/gone.html"
//	  status = 410
//	  force = true
//
// with the meaning and the refusals of ReadNetlify (status defaults to
// 301); a redirect with conditions, query or headers is refused. Other
// tables ([build], [[headers]] …) are passed over. It reads the subset of
// TOML these tables use: strings, integers, booleans, one per line.
func ReadNetlifyTOML(in io.Reader) (*Result, error) {
	res := &Result{}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var cur map[string]string
	start := 0
	flush := func() {
		if cur == nil {
			return
		}
		switch {
		case cur["?"] != "":
			res.refuse(start, "[[redirects]] with %s is not supported: gone matches paths only", cur["?"])
		case cur["from"] == "" || cur["to"] == "" && cur["status"] != "410":
			res.refuse(start, "[[redirects]] needs from and to")
		default:
			code := cur["status"]
			if code == "" {
				code = "301"
			}
			netlifySpec(res, start, cur["from"], cur["to"], code)
		}
		cur = nil
	}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		switch {
		case line == "" || line[0] == '#':
		case line == "[[redirects]]":
			flush()
			cur, start = map[string]string{}, n
		case strings.HasPrefix(line, "[redirects."):
			if cur != nil {
				cur["?"] = strings.Trim(line, "[]")
			}
		case strings.HasPrefix(line, "["):
			flush()
		case cur != nil:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				res.refuse(n, "want key = value")
				continue
			}
			k = strings.TrimSpace(k)
			v = strings.TrimSpace(v)
			if i := strings.Index(v, " #"); i >= 0 && !strings.HasPrefix(v, `"`) {
				v = strings.TrimSpace(v[:i])
			}
			if strings.HasPrefix(v, `"`) || strings.HasPrefix(v, "'") {
				s, err := strconv.Unquote(`"` + strings.Trim(v, `"'`) + `"`)
				if err != nil {
					res.refuse(n, "%s: not a string", k)
					continue
				}
				v = s
			}
			switch k {
			case "from", "to", "status", "force":
				cur[k] = v
			case "conditions", "query", "headers", "signed":
				cur["?"] = k
			}
		}
	}
	flush()
	return res, sc.Err()
}
