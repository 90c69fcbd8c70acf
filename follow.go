package gone

import "context"

// followPage bounds one read of the audit log while following it.
const followPage = 1000

// AuditReader reads the audit log: a Store, or a Service (which reads its
// store's).
type AuditReader interface {
	Audit(ctx context.Context, q AuditQuery) ([]AuditEvent, error)
}

// ReadAfter reads the audit log after Seq after, a page at a time, and
// calls each with every event in order; it returns the last Seq read (after
// itself when there was none). It is how every follower of the log (the
// change feed, the rule tables, webhooks) catches up: Store.Audit makes
// events visible in Seq order, so paging from the last Seq seen misses
// nothing, and no follower needs to look back.
func ReadAfter(ctx context.Context, s AuditReader, after int64, each func(AuditEvent)) (int64, error) {
	for {
		evs, err := s.Audit(ctx, AuditQuery{AfterSeq: after, Limit: followPage})
		if err != nil {
			return after, err
		}
		for _, ev := range evs {
			each(ev)
			after = ev.Seq
		}
		if len(evs) < followPage {
			return after, nil
		}
	}
}
