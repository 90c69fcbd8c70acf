package rulefile

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gonehttp/gone"
)

// ReadNginx reads an nginx configuration snippet:
//
//	location = /path { return 410; }           exact, 410
//	location ^~ /prefix/ { return 410; }       prefix, 410
//	location /prefix/ { return 410; }          prefix, 410
//	location = /old { return 301 /new; }       exact, 301 (or 308)
//	location = /draft { return 404; }          exact, removed (as gone exports it)
//	map $uri $gone { /path 410; /p2 410; }     exact, 410 each
//
// Blocks that hold no return (server, routing locations) and directives
// that make no rule (listen, root, if ($gone) { return 410; }) are passed
// over. Refused, each with its line: regex locations (~, ~*, @named),
// returns of other codes, rewrite, other directives inside a location that
// returns, map entries that are regexes or not 410, and unbalanced braces.
func ReadNginx(in io.Reader) (*Result, error) {
	toks, err := tokenize(in)
	if err != nil {
		return nil, err
	}
	p := &nginxParser{toks: toks, res: &Result{}}
	p.block(0, "")
	return p.res, nil
}

type token struct {
	text   string
	line   int
	quoted bool
}

// tokenize splits nginx syntax into words, quoted strings and the
// punctuation { } ;, dropping comments.
func tokenize(in io.Reader) ([]token, error) {
	var toks []token
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		for i := 0; i < len(line); {
			c := line[i]
			switch {
			case c == ' ' || c == '\t' || c == '\r':
				i++
			case c == '#':
				i = len(line)
			case c == '{' || c == '}' || c == ';':
				toks = append(toks, token{text: string(c), line: n})
				i++
			case c == '"' || c == '\'':
				j := strings.IndexByte(line[i+1:], c)
				if j < 0 {
					toks = append(toks, token{text: line[i:], line: n, quoted: true})
					i = len(line)
					continue
				}
				toks = append(toks, token{text: line[i+1 : i+1+j], line: n, quoted: true})
				i += j + 2
			default:
				j := i
				for j < len(line) && !strings.ContainsRune(" \t\r{};#", rune(line[j])) {
					j++
				}
				toks = append(toks, token{text: line[i:j], line: n})
				i = j
			}
		}
	}
	return toks, sc.Err()
}

type nginxParser struct {
	toks []token
	pos  int
	res  *Result
	// closed says whether the last next that returned false met a "}"
	// (rather than the end of the file).
	closed bool
}

// statement is one directive: its words, and its block when it has one.
type statement struct {
	words []token
	block bool
	end   int // line of the closing brace or semicolon
}

// next reads one statement; ok is false at the end of the enclosing block.
func (p *nginxParser) next() (st statement, ok bool) {
	for p.pos < len(p.toks) {
		t := p.toks[p.pos]
		p.pos++
		switch {
		case t.text == ";" && !t.quoted:
			st.end = t.line
			return st, true
		case t.text == "{" && !t.quoted:
			st.block, st.end = true, t.line
			return st, true
		case t.text == "}" && !t.quoted:
			p.closed = true
			if len(st.words) > 0 {
				p.res.refuse(st.words[0].line, "%q has no ';' before '}'", st.words[0].text)
			}
			return st, false
		default:
			st.words = append(st.words, t)
		}
	}
	if len(st.words) > 0 {
		p.res.refuse(st.words[0].line, "%q does not end (missing ';' or '{')", st.words[0].text)
	}
	p.closed = false
	return st, false
}

// skip passes over the rest of a block.
func (p *nginxParser) skip() {
	for {
		st, ok := p.next()
		if !ok {
			return
		}
		if st.block {
			p.skip()
		}
	}
}

// block reads statements until the end of the block opened on line open
// (0 for the file itself).
func (p *nginxParser) block(open int, _ string) {
	for {
		st, ok := p.next()
		if !ok {
			switch {
			case !p.closed && open > 0:
				p.res.refuse(open, "the block opened here is never closed")
			case p.closed && open == 0:
				// A stray "}" at the top: refuse it and go on.
				p.res.refuse(p.toks[p.pos-1].line, "'}' closes nothing")
				continue
			}
			return
		}
		if len(st.words) == 0 {
			if st.block {
				p.block(st.end, "")
			}
			continue
		}
		name, line := st.words[0].text, st.words[0].line
		switch {
		case name == "location" && st.block:
			p.location(st)
		case name == "map" && st.block:
			p.mapBlock(st)
		case name == "if" && st.block:
			// if ($gone) { return 410; } is the map idiom's other half:
			// the map made the rules. Any other condition is refused if
			// it returns.
			body := p.locationBody()
			cond := joinWords(st.words[1:])
			if body.ret != nil && !(strings.HasPrefix(cond, "($") && !strings.Contains(cond, " ")) {
				p.res.refuse(line, "if %s: conditions are not supported; use location = /path or a map $uri", cond)
			}
		case st.block:
			p.block(line, name) // server, http, if …: look inside
		case name == "return":
			p.res.refuse(line, "return outside a location: gone matches paths, so put it in a location = /path or ^~ /prefix/ block")
		case name == "rewrite":
			p.res.refuse(line, "rewrite is not supported: write location = /old { return 301 /new; } instead")
		}
	}
}

// location reads one location block.
func (p *nginxParser) location(st statement) {
	line := st.words[0].line
	args := st.words[1:]
	var key gone.RuleKey
	switch {
	case len(args) == 2 && args[0].text == "=":
		key = gone.RuleKey{Path: args[1].text}
	case len(args) == 2 && args[0].text == "^~":
		key = gone.RuleKey{Path: args[1].text, Prefix: true}
	case len(args) == 1 && strings.HasPrefix(args[0].text, "/"):
		key = gone.RuleKey{Path: args[0].text, Prefix: true}
	default:
		// Regex and named locations: read the block, refuse it if it
		// would have made a rule.
		body := p.locationBody()
		if body.ret != nil {
			p.res.refuse(line, "location %s: only = /path, ^~ /prefix/ and /prefix/ locations are supported, not regexes or named locations", joinWords(args))
		}
		return
	}
	body := p.locationBody()
	if body.ret == nil {
		return // a routing location: nothing to import
	}
	if len(body.other) > 0 {
		o := body.other[0]
		p.res.refuse(o.line, "location %s returns, but also has %q, which gone cannot do", key.Path, o.text)
		return
	}
	r := body.ret
	spec := gone.RuleSpec{RuleKey: key}
	code := r[1].text
	switch {
	case code == "410" && len(r) == 2:
		spec.Action = gone.RuleGone
	case code == "404" && len(r) == 2:
		// What gone's own export writes for a removed (restorable) path.
		spec.Action = gone.RuleRemoved
	case (code == "301" || code == "308") && len(r) == 3:
		spec.Action, spec.To = gone.RuleMoved, r[2].text
		if code == "301" {
			spec.Status = 301
		}
		if strings.Contains(spec.To, "$") {
			p.res.refuse(r[0].line, "return %s %s: variables are not supported; give the new path itself", code, spec.To)
			return
		}
	default:
		p.res.refuse(r[0].line, "return %s: only return 410; and return 301|308 /new; are supported", joinWords(r[1:]))
		return
	}
	p.res.add(line, spec)
}

type locationBody struct {
	ret   []token // the return directive's words
	other []token // first word of every other directive
}

func (p *nginxParser) locationBody() locationBody {
	var b locationBody
	for {
		st, ok := p.next()
		if !ok {
			return b
		}
		if st.block {
			p.skip()
			if len(st.words) > 0 {
				b.other = append(b.other, st.words[0])
			}
			continue
		}
		if len(st.words) == 0 {
			continue
		}
		if st.words[0].text == "return" && len(st.words) >= 2 && b.ret == nil {
			b.ret = st.words
			continue
		}
		b.other = append(b.other, st.words[0])
	}
}

// mapBlock reads map $uri $var { /path 410; … }.
func (p *nginxParser) mapBlock(st statement) {
	line := st.words[0].line
	args := st.words[1:]
	if len(args) != 2 || (args[0].text != "$uri" && args[0].text != "$request_uri") {
		p.res.refuse(line, "map %s: only map $uri $variable { /path 410; } is supported", joinWords(args))
		p.skip()
		return
	}
	for {
		e, ok := p.next()
		if !ok {
			return
		}
		if e.block || len(e.words) == 0 {
			if e.block {
				p.skip()
			}
			continue
		}
		k := e.words[0]
		switch {
		case k.text == "default" || k.text == "hostnames" || k.text == "volatile":
			continue
		case len(e.words) != 2:
			p.res.refuse(k.line, "map entry %s: want a path and 410", joinWords(e.words))
		case strings.HasPrefix(k.text, "~"):
			p.res.refuse(k.line, "map entry %s: regexes are not supported; list each path", k.text)
		case e.words[1].text != "410":
			p.res.refuse(k.line, "map entry %s %s: only 410 is supported", k.text, e.words[1].text)
		default:
			path := k.text
			if args[0].text == "$request_uri" {
				if i := strings.IndexByte(path, '?'); i >= 0 {
					p.res.refuse(k.line, "map entry %s: a query string cannot be matched; gone matches paths", path)
					continue
				}
			}
			p.res.add(k.line, gone.RuleSpec{RuleKey: gone.RuleKey{Path: path}, Action: gone.RuleGone})
		}
	}
}

func joinWords(ws []token) string {
	s := make([]string, len(ws))
	for i, w := range ws {
		s[i] = w.text
	}
	return fmt.Sprint(strings.Join(s, " "))
}

// nginxCaps: nginx says 410, 404 and 301/308 for exact paths (location =)
// and prefixes (location ^~), but cannot schedule or end anything.
var nginxCaps = caps{format: FormatNginx, gone: true, removed: true, moved: true, prefix: true, pathOK: plainPath}

// WriteNginx writes one location per rule, for a server block:
//
//	location = /old-page.html { return 410; }
//	location ^~ /blog/2019/ { return 410; }
//	location = /products/old-name { return 301 /products/new-name; }
//
// nginx picks the exact location, else the longest ^~ prefix, as gone
// does; ReadNginx reads the file back.
func WriteNginx(w io.Writer, specs []gone.RuleSpec, now time.Time, _ WriteOptions) (*Export, error) {
	rules, e := plan(nginxCaps, specs, now)
	header(w, "#", e, "Include it in a server block. Reasons and alternatives of 410s are not carried.")
	for _, s := range rules {
		loc := "= " + s.Path
		if s.Prefix {
			loc = "^~ " + s.Path
		}
		fmt.Fprintf(w, "location %s { return %s; }\n", loc, nginxReturn(s))
	}
	return e, nil
}

func nginxReturn(s gone.RuleSpec) string {
	switch s.Action {
	case gone.RuleMoved:
		return fmt.Sprintf("%d %s", status(s), s.To)
	case gone.RuleRemoved:
		return "404"
	}
	return "410"
}

// NginxMapServer is what the map form needs in the server block: one if
// per answer.
const NginxMapServer = `if ($gone_status = 410) { return 410; }
if ($gone_status = 404) { return 404; }
if ($gone_status = 301) { return 301 $gone_location; }
if ($gone_status = 308) { return 308 $gone_location; }
`

// WriteNginxMap writes the map form, for the http block: two maps from
// $uri (exact paths, then prefixes as anchored regexes, longest first: a
// map tries exact keys before regexes, and regexes in order) to the
// status and the Location. The server block then needs NginxMapServer,
// which the header repeats. One map lookup whatever the number of rules.
func WriteNginxMap(w io.Writer, specs []gone.RuleSpec, now time.Time, _ WriteOptions) (*Export, error) {
	c := nginxCaps
	c.format = FormatNginxMap
	rules, e := plan(c, specs, now)
	notes := []string{"Include it in the http block, and put these lines in the server block:"}
	for _, l := range strings.Split(strings.TrimSpace(NginxMapServer), "\n") {
		notes = append(notes, "  "+l)
	}
	header(w, "#", e, append(notes, "Reasons and alternatives of 410s are not carried.")...)
	key := func(s gone.RuleSpec) string {
		if s.Prefix {
			return `"~^` + regexQuote(s.Path) + `"`
		}
		return s.Path
	}
	fmt.Fprintln(w, "map $uri $gone_status {\n    default 0;")
	for _, s := range rules {
		code := nginxReturn(s)
		code, _, _ = strings.Cut(code, " ")
		fmt.Fprintf(w, "    %s %s;\n", key(s), code)
	}
	fmt.Fprintln(w, "}\nmap $uri $gone_location {\n    default \"\";")
	for _, s := range rules {
		if s.Action == gone.RuleMoved {
			fmt.Fprintf(w, "    %s %s;\n", key(s), s.To)
		}
	}
	fmt.Fprintln(w, "}")
	return e, nil
}

// regexQuote escapes the regex metacharacters of a literal path.
func regexQuote(p string) string {
	var b strings.Builder
	for _, c := range p {
		if strings.ContainsRune(`\.+*?()|[]{}^$`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}
