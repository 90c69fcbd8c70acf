package inbox

import (
	"context"
	"time"

	"github.com/gonehttp/gone"
)

// Inbox is what the admin acts on the inbox through: list it, turn an
// entry into a rule (410 or 308, set through gone.Service.SetRule and so
// audited like any rule), ignore a pattern, or dismiss an entry. Every
// method needs an admin token not restricted to collections, as rules do.
type Inbox struct {
	svc   *gone.Service
	store gone.InboxStore
	rec   *Recorder
	known func(path string) string
}

// New returns the inbox over store. rec, when not nil, is the recorder of
// this process, told at once about what an action changes; known, when
// not nil, suggests the known path nearest to an entry's ("Did you mean
// …?", pre-filled as the 308's target).
func New(svc *gone.Service, store gone.InboxStore, rec *Recorder, known func(path string) string) *Inbox {
	return &Inbox{svc: svc, store: store, rec: rec, known: known}
}

// Entry is an inbox entry with the redirect target gone suggests for it.
type Entry struct {
	gone.InboxEntry
	Suggestion string `json:"suggestion,omitempty"`
}

func (ib *Inbox) check(caller gone.Caller) error {
	if !caller.Can(gone.ScopeAdmin, "") {
		return gone.Errorf(gone.EFORBIDDEN, "The 404 inbox needs an admin token not restricted to collections.")
	}
	return nil
}

func (ib *Inbox) entry(e gone.InboxEntry) Entry {
	out := Entry{InboxEntry: e}
	if ib.known != nil {
		out.Suggestion = ib.known(e.Path)
	}
	return out
}

// List returns a page of the inbox, most hits first.
func (ib *Inbox) List(ctx context.Context, caller gone.Caller, q gone.InboxQuery) ([]Entry, error) {
	if err := ib.check(caller); err != nil {
		return nil, err
	}
	es, err := ib.store.Inbox(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(es))
	for i, e := range es {
		out[i] = ib.entry(e)
	}
	return out, nil
}

// Entry returns one entry, or ENOTFOUND.
func (ib *Inbox) Entry(ctx context.Context, caller gone.Caller, path string) (Entry, error) {
	if err := ib.check(caller); err != nil {
		return Entry{}, err
	}
	e, err := ib.store.InboxEntry(ctx, path)
	if err != nil {
		return Entry{}, err
	}
	return ib.entry(e), nil
}

// Gone makes the entry's path answer 410 with reason (and alternative,
// when given), and takes the entry out of the inbox.
func (ib *Inbox) Gone(ctx context.Context, caller gone.Caller, path, reason, alternative string) (*gone.Record, gone.RuleOutcome, error) {
	return ib.toRule(ctx, caller, gone.RuleSpec{RuleKey: gone.RuleKey{Path: path}, Action: gone.RuleGone, Reason: reason, Alternative: alternative})
}

// Redirect makes the entry's path answer 308 (or 301) to to, and takes
// the entry out of the inbox.
func (ib *Inbox) Redirect(ctx context.Context, caller gone.Caller, path, to string, status int) (*gone.Record, gone.RuleOutcome, error) {
	return ib.toRule(ctx, caller, gone.RuleSpec{RuleKey: gone.RuleKey{Path: path}, Action: gone.RuleMoved, To: to, Status: status})
}

// toRule sets the rule, then removes the entry: a rule that fails leaves
// the inbox as it was. An entry that is not in the inbox is ENOTFOUND.
func (ib *Inbox) toRule(ctx context.Context, caller gone.Caller, spec gone.RuleSpec) (*gone.Record, gone.RuleOutcome, error) {
	if err := ib.check(caller); err != nil {
		return nil, "", err
	}
	if _, err := ib.store.InboxEntry(ctx, spec.Path); err != nil {
		return nil, "", err
	}
	rec, out, err := ib.svc.SetRule(ctx, caller, spec)
	if err != nil {
		return nil, "", err
	}
	// The rule is set and audited: that is the answer, whatever comes
	// next. An entry the store would not drop is counted again until a
	// later action or dismissal takes it (doing this one again is safe:
	// the rule comes back unchanged).
	if err := ib.remove(ctx, spec.Path); err != nil {
		if ib.rec != nil {
			ib.rec.opt.Log.WarnContext(ctx, "inbox: the rule is set but the entry stays", "path", spec.Path, "err", err)
		}
	}
	return rec, out, nil
}

// Dismiss takes an entry out of the inbox without a rule; the path is
// counted again if it is asked for again. ENOTFOUND when it is not there.
func (ib *Inbox) Dismiss(ctx context.Context, caller gone.Caller, path string) error {
	if err := ib.check(caller); err != nil {
		return err
	}
	if _, err := ib.store.InboxEntry(ctx, path); err != nil {
		return err
	}
	return ib.remove(ctx, path)
}

func (ib *Inbox) remove(ctx context.Context, path string) error {
	if ib.rec != nil {
		ib.rec.Forget(path)
	}
	_, err := ib.store.RemoveInbox(ctx, []string{path})
	return err
}

// Ignore adds an ignore pattern (see ParsePattern) and takes the entries
// it matches out of the inbox; it returns the pattern and how many entries
// left. ECONFLICT when the pattern is there already.
func (ib *Inbox) Ignore(ctx context.Context, caller gone.Caller, pattern string) (gone.IgnorePattern, int, error) {
	if err := ib.check(caller); err != nil {
		return gone.IgnorePattern{}, 0, err
	}
	pat, err := ParsePattern(pattern)
	if err != nil {
		return gone.IgnorePattern{}, 0, err
	}
	have, err := ib.store.IgnorePatterns(ctx)
	if err != nil {
		return gone.IgnorePattern{}, 0, err
	}
	if len(have) >= MaxPatterns {
		return gone.IgnorePattern{}, 0, gone.Errorf(gone.ECONFLICT, "The inbox holds %d ignore patterns, its most; remove one first.", MaxPatterns)
	}
	p := gone.IgnorePattern{Pattern: pat, CreatedAt: ib.svc.Now().UTC().Truncate(time.Second), CreatedBy: caller.Name}
	if err := ib.store.AddIgnorePattern(ctx, p); err != nil {
		return gone.IgnorePattern{}, 0, err
	}
	pats := Patterns{pat}
	if ib.rec != nil {
		all := make(Patterns, 0, len(have)+1)
		for _, h := range have {
			all = append(all, h.Pattern)
		}
		ib.rec.setPatterns(append(all, pat))
	}
	// The stored entries are capped, so reading them all is bounded.
	es, err := ib.store.Inbox(ctx, gone.InboxQuery{})
	if err != nil {
		return p, 0, err
	}
	var drop []string
	for _, e := range es {
		if pats.Match(e.Path) {
			drop = append(drop, e.Path)
		}
	}
	if len(drop) == 0 {
		return p, 0, nil
	}
	n, err := ib.store.RemoveInbox(ctx, drop)
	return p, n, err
}

// Patterns returns the ignore patterns, oldest first.
func (ib *Inbox) Patterns(ctx context.Context, caller gone.Caller) ([]gone.IgnorePattern, error) {
	if err := ib.check(caller); err != nil {
		return nil, err
	}
	return ib.store.IgnorePatterns(ctx)
}

// Unignore removes an ignore pattern (ENOTFOUND when there is none): its
// paths are counted again.
func (ib *Inbox) Unignore(ctx context.Context, caller gone.Caller, pattern string) error {
	if err := ib.check(caller); err != nil {
		return err
	}
	if err := ib.store.RemoveIgnorePattern(ctx, pattern); err != nil {
		return err
	}
	if ib.rec != nil {
		return ib.rec.reloadPatterns(ctx)
	}
	return nil
}
