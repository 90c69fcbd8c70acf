package rulefile

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gonehttp/gone"
)

// ReadWordPress reads the JSON export of the WordPress Redirection
// plugin: its "redirects" array.
//
//	{"url": "/old-page", "action_type": "error", "action_code": 410}            410
//	{"url": "/old", "action_type": "url", "action_code": 301,
//	 "action_data": {"url": "/new"}}                                            301 (or 308)
//	{"url": "^/blog/2019/", "regex": true, "action_type": "error", ...}         an anchored literal regex
//
// Disabled redirects ("enabled": false) are passed over. Refused, each with
// its place (the entry's index from 1, as the line): other regexes,
// temporary redirects (302, 303, 307), other error codes, and match types
// other than the URL alone (login state, referrer, user agent, …).
func ReadWordPress(in io.Reader) (*Result, error) {
	var doc struct {
		Redirects []struct {
			URL        string          `json:"url"`
			MatchURL   string          `json:"match_url"`
			Regex      json.RawMessage `json:"regex"`
			Enabled    *bool           `json:"enabled"`
			Status     string          `json:"status"`
			MatchType  string          `json:"match_type"`
			ActionType string          `json:"action_type"`
			ActionCode json.RawMessage `json:"action_code"`
			ActionData json.RawMessage `json:"action_data"`
		} `json:"redirects"`
	}
	if err := json.NewDecoder(in).Decode(&doc); err != nil {
		return nil, fmt.Errorf("not a Redirection JSON export: %w", err)
	}
	res := &Result{}
	for i, r := range doc.Redirects {
		n := i + 1
		if r.Enabled != nil && !*r.Enabled || r.Status == "disabled" {
			continue
		}
		if r.MatchType != "" && r.MatchType != "url" {
			res.refuse(n, "%s: match type %q is not supported; gone matches the URL alone", r.URL, r.MatchType)
			continue
		}
		to := ""
		var data struct {
			URL string `json:"url"`
		}
		if json.Unmarshal(r.ActionData, &data) == nil {
			to = data.URL
		} else {
			json.Unmarshal(r.ActionData, &to)
		}
		regex := string(r.Regex) == "true" || string(r.Regex) == "1" || string(r.Regex) == `"1"`
		wordPressRule(res, n, r.URL, to, strings.Trim(string(r.ActionCode), `"`), r.ActionType, regex)
	}
	return res, nil
}

// wordPressRule reads one Redirection redirect of the JSON or CSV export.
func wordPressRule(res *Result, n int, url, to, code, actionType string, regex bool) {
	key := gone.RuleKey{Path: url}
	if i := strings.IndexByte(url, '?'); i >= 0 && !regex {
		res.refuse(n, "%s: a query string cannot be matched; gone matches paths", url)
		return
	}
	if regex {
		k, ok := literalPattern(url)
		if !ok {
			res.refuse(n, "%s: only an anchored literal regex (^/old$ or ^/prefix/) is supported", url)
			return
		}
		key = k
	}
	switch {
	case code == "410":
		res.add(n, gone.RuleSpec{RuleKey: key, Action: gone.RuleGone})
	case (code == "301" || code == "308") && actionType != "error":
		if to == "" || regex && strings.Contains(to, "$") {
			res.refuse(n, "%s: a %s needs one fixed target", url, code)
			return
		}
		res.add(n, moved(key, to, code == "301"))
	default:
		res.refuse(n, "%s: code %s is not supported: want 410, 301 or 308", url, code)
	}
}

// ReadWordPressCSV reads the CSV of the Redirection plugin, with either
// header in use: the export's "source,target,regex,code,type,hits,title,
// status" or the import template's "source url,target url,regex,http
// code". A row without a code is a 301, as the plugin reads it.
func ReadWordPressCSV(in io.Reader) (*Result, error) {
	b, err := io.ReadAll(in)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	err = readHeaderCSV(b, nil, func(line int, get func(string) string) {
		src := first(get("source"), get("source url"))
		if src == "" {
			res.refuse(line, "no source")
			return
		}
		if s := strings.ToLower(get("status")); s == "disabled" {
			return
		}
		code := first(get("code"), get("http code"), "301")
		regex, _ := strconv.ParseBool(first(get("regex"), "0"))
		typ := ""
		if code == "410" || code == "404" {
			typ = "error"
		}
		wordPressRule(res, line, src, first(get("target"), get("target url")), code, typ, regex)
	}, res)
	return res, err
}

func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
