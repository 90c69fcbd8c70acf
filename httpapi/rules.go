package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
	"github.com/gonehttp/gone/rulefile"
)

// MaxImportBytes is the largest body POST /rules/import accepts: about
// 200,000 rules.
const MaxImportBytes = 64 << 20

// RuleView is the admin's view of one path rule, as the rules API lists it.
type RuleView struct {
	// Key is the rule as people write it: the path, "*" after a prefix.
	Key    string     `json:"key"`
	Path   string     `json:"path"`
	Prefix bool       `json:"prefix"`
	State  gone.State `json:"state"`
	// Status is what the public is answered now; 0 when the path passes
	// to the upstream.
	Status           int    `json:"status"`
	MovedTo          string `json:"movedTo,omitempty"`
	DeletedAt        string `json:"deletedAt,omitempty"`
	RestorableUntil  string `json:"restorableUntil,omitempty"`
	ExpiresAt        string `json:"expiresAt,omitempty"`
	UnavailableUntil string `json:"unavailableUntil,omitempty"`
	Reason           string `json:"reason,omitempty"`
	Alternative      string `json:"alternative,omitempty"`
	Version          int64  `json:"version"`
	UpdatedAt        string `json:"updatedAt,omitempty"`
	// Outcome is what a write did: created, changed or unchanged.
	Outcome gone.RuleOutcome `json:"outcome,omitempty"`
}

// NewRuleView describes a rule's record at now.
func NewRuleView(rec *gone.Record, now time.Time) RuleView {
	k, _ := gone.ParseRuleID(rec.ID)
	d := gone.DecideRule(rec, now)
	v := RuleView{
		Key: k.String(), Path: k.Path, Prefix: k.Prefix, State: d.State,
		MovedTo: rec.MovedTo, DeletedAt: answer.Stamp(rec.DeletedAt), RestorableUntil: answer.Stamp(rec.RestorableUntil),
		ExpiresAt: answer.Stamp(rec.ExpiresAt), UnavailableUntil: answer.Stamp(rec.UnavailableUntil),
		Reason: rec.Reason, Alternative: rec.Alternative, Version: rec.Version, UpdatedAt: answer.Stamp(rec.UpdatedAt),
	}
	switch d.Answer {
	case gone.AnswerOK:
	case gone.AnswerMoved:
		v.Status = gone.RedirectStatus(rec)
	default:
		v.Status = answer.StatusOfAnswer(d.Answer)
	}
	return v
}

// handleRules pages through the path rules in key order (every exact
// rule by path, then every prefix rule by path): limit and cursor as a
// collection listing reads them, next only when more rules follow.
func (s *server) handleRules() http.Handler {
	type response struct {
		Rules []RuleView `json:"rules"`
		Next  string     `json:"next,omitempty"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit, err := pageLimit(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		after, err := pageCursor(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		recs, next, err := s.svc.RulesPage(r.Context(), after, limit)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		now := s.svc.Now()
		resp := response{Rules: make([]RuleView, 0, len(recs)), Next: nextCursor(next)}
		for _, rec := range recs {
			resp.Rules = append(resp.Rules, NewRuleView(rec, now))
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, resp)
	})
}

// handleSetRule sets one rule from a gone.RuleSpec body.
func (s *server) handleSetRule() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var spec gone.RuleSpec
		if err := decodeStrict(r, &spec); err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := readRuleKey(&spec.RuleKey); err != nil {
			s.writeError(w, r, err)
			return
		}
		s.writeRule(w, r, spec)
	})
}

// handleClearRule sends a path back to the upstream: DELETE /rules?path=.
func (s *server) handleClearRule() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		spec := gone.RuleSpec{Action: gone.RuleClear, Reason: r.URL.Query().Get("reason")}
		spec.Path = r.URL.Query().Get("path")
		if err := readRuleKey(&spec.RuleKey); err != nil {
			s.writeError(w, r, err)
			return
		}
		s.writeRule(w, r, spec)
	})
}

func (s *server) writeRule(w http.ResponseWriter, r *http.Request, spec gone.RuleSpec) {
	rec, out, err := s.svc.SetRule(r.Context(), callerFrom(r.Context()), spec)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := NewRuleView(rec, s.svc.Now())
	v.Outcome = out
	status := http.StatusOK
	if out == gone.RuleCreated {
		status = http.StatusCreated
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, v)
}

// readRuleKey reads a key written as people write it ("/blog/*").
func readRuleKey(k *gone.RuleKey) error {
	if k.Path == "" {
		return &gone.Error{Code: gone.EINVALID, Message: "Invalid path: is required.", Fields: map[string]string{"path": "is required"}}
	}
	prefix := k.Prefix
	parsed, err := gone.ParseRuleKey(k.Path)
	if err != nil {
		return err
	}
	*k = parsed
	k.Prefix = k.Prefix || prefix
	return nil
}

// handleImportRules applies many rules in one transaction: all or none.
// ?dryRun=true writes nothing and answers the diff; ?flatten=true points
// chains at their end; ?reasonCodes=strict refuses reasons that look like
// codes of no catalog (the default keeps them as text).
func (s *server) handleImportRules() http.Handler {
	type request struct {
		Rules []gone.RuleSpec `json:"rules"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := checkMediaType(r); err != nil {
			s.writeError(w, r, err)
			return
		}
		opt, err := importOptions(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, MaxImportBytes))
		dec.DisallowUnknownFields()
		var req request
		if err := dec.Decode(&req); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				s.writeError(w, r, gone.Errorf(gone.ETOOLARGE, "The body exceeds the limit of %d bytes.", MaxImportBytes))
				return
			}
			if stalled(r, err) {
				s.writeError(w, r, errStalled)
				return
			}
			s.writeError(w, r, gone.Errorf(gone.EINVALID, "The body is not valid: %s.", jsonProblem(err)))
			return
		}
		for i := range req.Rules {
			if err := readRuleKey(&req.Rules[i].RuleKey); err != nil {
				s.writeError(w, r, gone.LineError(req.Rules[i], i, err))
				return
			}
		}
		sum, err := s.svc.ImportRules(r.Context(), callerFrom(r.Context()), req.Rules, opt)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, sum)
	})
}

// importOptions reads the query of POST /rules/import.
func importOptions(r *http.Request) (gone.ImportOptions, error) {
	q := r.URL.Query()
	var opt gone.ImportOptions
	flag := func(name string, dst *bool) error {
		switch q.Get(name) {
		case "", "false":
		case "true":
			*dst = true
		default:
			return &gone.Error{Code: gone.EINVALID, Message: "Invalid " + name + ": must be true or false.", Fields: map[string]string{name: "must be true or false"}}
		}
		return nil
	}
	if err := flag("dryRun", &opt.DryRun); err != nil {
		return opt, err
	}
	if err := flag("flatten", &opt.Flatten); err != nil {
		return opt, err
	}
	switch q.Get("reasonCodes") {
	case "", "text":
	case "strict":
		opt.StrictReasonCodes = true
	default:
		return opt, &gone.Error{Code: gone.EINVALID, Message: "Invalid reasonCodes: must be text or strict.", Fields: map[string]string{"reasonCodes": "must be text or strict"}}
	}
	return opt, nil
}

// handleExportRules writes the live list in a format an edge reads
// (?format=nginx, apache, caddy, haproxy, …): the file gone rules export
// writes. Gone-Rules-Written and Gone-Rules-Left-Out count the rules; the
// file's header comment names the ones left out, where the format has
// comments.
func (s *server) handleExportRules() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		format := q.Get("format")
		if !slices.Contains(rulefile.Writable(), format) {
			want := strings.Join(rulefile.Writable(), ", ")
			s.writeError(w, r, &gone.Error{Code: gone.EINVALID, Message: "Invalid format: must be one of " + want + ".", Fields: map[string]string{"format": "must be one of " + want}})
			return
		}
		specs, now, err := s.svc.RuleSpecs(r.Context())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		var buf bytes.Buffer
		e, err := rulefile.Write(format, &buf, specs, now, rulefile.WriteOptions{Host: q.Get("host"), GonePage: q.Get("gonePage"), MapFile: q.Get("mapFile")})
		if err != nil {
			s.writeError(w, r, &gone.Error{Code: gone.EINVALID, Message: err.Error(), Fields: map[string]string{"host": "is required for this format"}})
			return
		}
		h := w.Header()
		h.Set("Content-Type", exportType(format))
		h.Set("Cache-Control", "no-store")
		h.Set("Gone-Rules-Written", strconv.Itoa(e.Written))
		h.Set("Gone-Rules-Left-Out", strconv.Itoa(e.LeftOut()))
		w.WriteHeader(http.StatusOK)
		w.Write(buf.Bytes())
	})
}

// exportType is the media type of an export. IIS's web.config goes as
// text/plain, like the other configuration files: a download to review.
func exportType(format string) string {
	switch format {
	case rulefile.FormatCSV, rulefile.FormatCloudflare, rulefile.FormatShopify:
		return "text/csv; charset=utf-8"
	case rulefile.FormatVercel:
		return "application/json"
	}
	return "text/plain; charset=utf-8"
}

// ruleExplanation is the body of GET /rules/explain.
type ruleExplanation struct {
	Path       string      `json:"path"`
	Normalized string      `json:"normalized,omitempty"`
	Rule       *RuleView   `json:"rule"`
	Steps      []gone.Step `json:"steps"`
	// Status is what the public is answered; 0 when the path passes to
	// the upstream.
	Status   int    `json:"status"`
	Answer   string `json:"answer"`
	Location string `json:"location,omitempty"`
}

// handleExplainRule shows how a path is answered: its normalized form, the
// rule that matches it (or none: passed to the upstream) and the branches
// the decision took.
func (s *server) handleExplainRule() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw := r.URL.Query().Get("path")
		ex := ruleExplanation{Path: raw}
		norm, err := gone.NormalizePath(raw)
		if err != nil {
			ex.Steps = []gone.Step{{Question: "Is the path valid?", Answer: "No: " + gone.ErrorMessage(err)}}
			ex.Status, ex.Answer = http.StatusBadRequest, "refused: never matched, never forwarded"
			w.Header().Set("Cache-Control", "no-store")
			writeJSON(w, http.StatusOK, ex)
			return
		}
		ex.Normalized = norm
		ex.Steps = []gone.Step{{Question: "Is the path valid?", Answer: "Yes: " + norm}}
		rec, key, err := s.svc.MatchRule(r.Context(), norm)
		if gone.ErrorCode(err) == gone.EINVALID {
			// The proxy refuses it too: its readings have different rules.
			ex.Steps = append(ex.Steps, gone.Step{Question: "Do all its readings have the same rule?", Answer: "No: " + gone.ErrorMessage(err)})
			ex.Status, ex.Answer = http.StatusBadRequest, "refused: never matched, never forwarded"
			w.Header().Set("Cache-Control", "no-store")
			writeJSON(w, http.StatusOK, ex)
			return
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if rec == nil {
			ex.Steps = append(ex.Steps, gone.Step{Question: "Does a rule match?", Answer: "No rule: passed to the upstream"})
			ex.Answer = "upstream"
			w.Header().Set("Cache-Control", "no-store")
			writeJSON(w, http.StatusOK, ex)
			return
		}
		now := s.svc.Now()
		v := NewRuleView(rec, now)
		ex.Rule = &v
		kind := "exact"
		if key.Prefix {
			kind = "longest prefix"
		}
		ex.Steps = append(ex.Steps, gone.Step{Question: "Does a rule match?", Answer: "Yes: " + key.String() + " (" + kind + ")"})
		d := gone.DecideRule(rec, now)
		ex.Steps = append(ex.Steps, d.Path...)
		ex.Status, ex.Answer = v.Status, string(d.Answer)
		switch d.Answer {
		case gone.AnswerOK:
			ex.Answer = "upstream"
			ex.Steps = append(ex.Steps, gone.Step{Question: "Who answers?", Answer: "The upstream (the rule schedules nothing yet)"})
		case gone.AnswerMoved:
			ex.Location = d.Location
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, ex)
	})
}
