package gone

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
)

// Batch limits. A batch is applied in chunks of BatchChunk rows, each chunk
// one Store.Update: one commit (one fsync) per chunk instead of per row,
// while no transaction holds the single writer long enough to stall the
// single writes queued behind it.
const (
	MaxBatchRows = 10000
	BatchChunk   = 1000
)

// Outcome of one batch row that was written or deliberately left alone.
const (
	OutcomeCreated   = "created"
	OutcomeReplaced  = "replaced"
	OutcomeUnchanged = "unchanged"
)

// BatchRow is one create-or-replace of a batch: the resource id and its
// representation, a JSON object.
type BatchRow struct {
	ID   string
	Data json.RawMessage
}

// BatchResult is what happened to one row: an Outcome and the stored record,
// or the row's own error (the same *Error a single PUT of that row gets).
type BatchResult struct {
	Outcome string
	Record  *Record
	Err     error
}

// PutBatch creates or replaces many resources of one collection. Each row
// goes through the same checks, transition and audit as Put, so a row is
// accepted or refused exactly as the same PUT would be, with two differences
// that make an import safe to run again:
//
//   - a row whose resource is live and already holds the same data is left
//     alone (OutcomeUnchanged): no new version, no audit event;
//   - no If-Match: a batch always creates or replaces.
//
// A refused row (invalid id or body, an id in the trash, retired or moved)
// gets its error in its result and writes nothing; the other rows of its
// chunk still commit. A store failure fails its whole chunk, and every row
// not yet committed gets that error: rows of earlier chunks stay written,
// which the caller sees in their results. The returned error is only for a
// batch refused as a whole (caller, collection, size).
func (s *Service) PutBatch(ctx context.Context, caller Caller, collection string, rows []BatchRow) ([]BatchResult, error) {
	if !caller.Can(ScopeWrite, collection) {
		return nil, Errorf(EFORBIDDEN, "This token may not write to %s.", collection)
	}
	p, err := s.Policy(collection)
	if err != nil {
		return nil, err
	}
	if len(rows) > MaxBatchRows {
		return nil, Errorf(ETOOLARGE, "A batch holds at most %d rows; this one has %d.", MaxBatchRows, len(rows))
	}
	results := make([]BatchResult, len(rows))
	for i, r := range rows {
		if !ValidID(r.ID) {
			results[i].Err = invalid("id", "must match [A-Za-z0-9][A-Za-z0-9._~-]{0,127}")
		} else if err := checkObject(r.Data); err != nil {
			results[i].Err = err
		}
	}
	for start := 0; start < len(rows); start += BatchChunk {
		end := min(start+BatchChunk, len(rows))
		// WriteTimeout bounds each chunk's transaction, as it bounds a
		// single write's.
		cctx, cancel := s.writeContext(ctx)
		err := s.putChunk(cctx, caller, p, rows[start:end], results[start:end])
		cancel()
		if err != nil {
			for i := start; i < len(rows); i++ {
				if results[i].Err == nil {
					results[i] = BatchResult{Err: err}
				}
			}
			break
		}
	}
	return results, nil
}

// putChunk applies rows in one transaction, filling results. Rows that
// already carry an error are skipped. On error nothing of the chunk is
// kept, and results keeps only the errors it had on entry.
func (s *Service) putChunk(ctx context.Context, caller Caller, p Policy, rows []BatchRow, results []BatchResult) error {
	now := s.writeNow()
	pending := make([]BatchResult, len(rows))
	err := s.store.Update(ctx, func(t Tx) error {
		tx := batchTxOf(t)
		ids := make([]string, 0, len(rows))
		for i, r := range rows {
			if results[i].Err == nil {
				ids = append(ids, r.ID)
			}
		}
		// current holds each id's record as the chunk goes: read once up
		// front, then what an earlier row of the chunk wrote, so a
		// repeated id sees its own write.
		current, err := tx.GetMany(ctx, p.Collection, ids)
		if err != nil {
			return err
		}
		var puts []*Record
		var events []AuditEvent
		for i, r := range rows {
			if results[i].Err != nil {
				continue
			}
			cur := current[r.ID]
			if st := cur.State(now); (st == StateLive || st == StateUnavailable) && sameData(cur.Data, r.Data) {
				pending[i] = BatchResult{Outcome: OutcomeUnchanged, Record: cur}
				continue
			}
			next, action, err := putTransition(cur, p, now, p.Collection, r.ID, r.Data)
			if err != nil {
				// A refused row writes nothing (the transition is pure),
				// so the rest of the chunk goes on.
				pending[i] = BatchResult{Err: concealedRefusal(err, caller, p, now, cur, r.ID, Preconditions{},
					func(cur *Record) (*Record, []auditNote, error) {
						next, _, err := putTransition(cur, p, now, p.Collection, r.ID, r.Data)
						return next, nil, err
					})}
				continue
			}
			current[r.ID] = next
			puts = append(puts, next)
			events = append(events, AuditEvent{
				At: next.UpdatedAt, Actor: caller.Name, Action: action,
				Collection: next.Collection, ID: next.ID,
			})
			outcome := OutcomeReplaced
			if action == ActionCreate {
				outcome = OutcomeCreated
			}
			pending[i] = BatchResult{Outcome: outcome, Record: next}
		}
		if err := tx.PutMany(ctx, puts); err != nil {
			return err
		}
		return tx.AppendAudits(ctx, events)
	})
	if err != nil {
		return err
	}
	for i := range rows {
		if results[i].Err == nil {
			results[i] = pending[i]
		}
	}
	return nil
}

// batchTxOf returns tx's own BatchTx, or one made of its plain methods.
func batchTxOf(tx Tx) BatchTx {
	if b, ok := tx.(BatchTx); ok {
		return b
	}
	return rowByRow{tx}
}

// rowByRow is BatchTx over the plain Tx methods, for stores without one.
type rowByRow struct{ tx Tx }

func (b rowByRow) GetMany(ctx context.Context, collection string, ids []string) (map[string]*Record, error) {
	m := make(map[string]*Record, len(ids))
	for _, id := range ids {
		r, err := get(ctx, b.tx, collection, id)
		if err != nil {
			return nil, err
		}
		if r != nil {
			m[id] = r
		}
	}
	return m, nil
}

func (b rowByRow) PutMany(ctx context.Context, rs []*Record) error {
	for _, r := range rs {
		if err := b.tx.Put(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

func (b rowByRow) AppendAudits(ctx context.Context, es []AuditEvent) error {
	for _, e := range es {
		if err := b.tx.AppendAudit(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// sameData reports whether two JSON objects are equal as JSON values: the
// same bytes, or the same members in another order or spacing.
func sameData(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}
