package main

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
)

// Help text is printed to terminals and CI logs, so it never shows a
// secret: a flag whose default comes from the environment says so, a
// token's value is never shown, and a URL's password is masked.

// secretEnv are the environment variables whose values are credentials in
// full. Other values are shown with any password inside them masked.
var secretEnv = map[string]bool{
	"GONE_TOKEN":       true,
	"GONE_ADMIN_TOKEN": true,
	"GONE_READ_TOKEN":  true,
}

// envValue is a string flag whose default is an environment variable's
// value when set: help then names the variable instead of showing a value
// that may be a secret.
type envValue struct {
	p       *string
	env     string
	def     string // the default without the environment
	fromEnv bool
}

func (v *envValue) String() string {
	if v == nil || v.p == nil {
		return ""
	}
	return *v.p
}

func (v *envValue) Set(s string) error { *v.p = s; return nil }

// envString defines a string flag whose default is the environment
// variable envName's value, or def when it is unset.
func envString(fs *flag.FlagSet, e env, name, envName, def, usage string) *string {
	p := new(string)
	envStringVar(fs, e, p, name, envName, def, usage)
	return p
}

// envStringVar is envString storing into p.
func envStringVar(fs *flag.FlagSet, e env, p *string, name, envName, def, usage string) {
	v := &envValue{p: p, env: envName, def: def}
	*p = def
	if s := envOr(e, envName, ""); s != "" {
		*p, v.fromEnv = s, true
	}
	fs.Var(v, name, usage)
}

// printFlags is flag.PrintDefaults with defaults that never show a secret.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		if _, ok := f.Value.(*envValue); ok && name == "value" {
			name = "string"
		}
		line := "  -" + f.Name
		if name != "" {
			line += " " + name
		}
		fmt.Fprintf(w, "%s\n    \t%s%s\n", line, strings.ReplaceAll(usage, "\n", "\n    \t"), defaultNote(f, name == "string"))
	})
}

// defaultNote is the " (default …)" that follows a flag's usage; quoted
// says the value is a string, quoted as flag.PrintDefaults quotes it.
func defaultNote(f *flag.Flag, quoted bool) string {
	if v, ok := f.Value.(*envValue); ok {
		switch {
		case v.fromEnv && secretEnv[v.env]:
			return fmt.Sprintf(" (from %s; not shown)", v.env)
		case v.fromEnv:
			return fmt.Sprintf(" (from %s: %q)", v.env, maskSecrets(*v.p))
		case v.def != "":
			return fmt.Sprintf(" (default %q; env %s)", maskSecrets(v.def), v.env)
		default:
			return fmt.Sprintf(" (env %s)", v.env)
		}
	}
	switch f.DefValue {
	case "", "0", "false", "0s":
		return ""
	}
	if quoted {
		return fmt.Sprintf(" (default %q)", maskSecrets(f.DefValue))
	}
	return fmt.Sprintf(" (default %s)", maskSecrets(f.DefValue))
}

// keywordPassword is a password in a key=value connection string, as
// PostgreSQL's "host=db password=…" form writes it.
var keywordPassword = regexp.MustCompile(`(?i)(password\s*=\s*)('[^']*'|\S+)`)

// maskSecrets returns s with the password of a URL, or of a key=value
// connection string, replaced by xxxxx.
func maskSecrets(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			s = u.String()
		}
	}
	return keywordPassword.ReplaceAllString(s, "${1}xxxxx")
}
