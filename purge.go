package gone

import (
	"context"
	"time"
)

// PurgeActor is the name the purger writes into the audit log.
const PurgeActor = "purger"

// purgePage is how many candidates Purge reads from the store at a time.
const purgePage = 100

// Purge erases the payload of up to limit records of the trash whose restore
// window has passed, and returns how many it erased. Reads already answer
// 410 for such records from their timestamps; Purge only makes the erasure
// (docs/design.md invariant 2) catch up with what the read path says.
//
// Each record is checked again and erased inside one Store.Update, whose
// Tx.Get locks it: when several instances purge at once, the second to get
// the lock finds the payload already gone and skips it, so every record is
// purged once, with one audit event.
//
// Only the configured collections are scanned: a collection dropped from
// the config is no longer served, and its trash waits until it returns.
func (s *Service) Purge(ctx context.Context, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	now := s.writeNow()
	n := 0
	for _, name := range s.config.Names() {
		q := ListQuery{Collection: name, State: StateGone, Now: now, Limit: purgePage, WithData: true}
		for {
			recs, next, err := s.store.List(ctx, q)
			if err != nil {
				return n, err
			}
			for _, r := range recs {
				// Expired records keep their payload (a delete erases it),
				// so the query's other half is skipped here.
				if purgeTransition(r, now) == nil {
					continue
				}
				done, err := s.purgeOne(ctx, name, r.ID, now)
				if err != nil {
					return n, err
				}
				if done {
					n++
				}
				if n == limit {
					return n, nil
				}
			}
			if next == "" {
				break
			}
			q.After = next
		}
	}
	return n, nil
}

// purgeOne erases one record's payload if it still needs it. done is false
// when another purger (or a permanent delete) got there first.
func (s *Service) purgeOne(ctx context.Context, collection, id string, now time.Time) (done bool, err error) {
	err = s.store.Update(ctx, func(tx Tx) error {
		cur, err := get(ctx, tx, collection, id)
		if err != nil {
			return err
		}
		next := purgeTransition(cur, now)
		if next == nil {
			return nil
		}
		if err := tx.Put(ctx, next); err != nil {
			return err
		}
		done = true
		detail := "restore window ended " + cur.RestorableUntil.UTC().Format(time.RFC3339)
		if next.Alternative != "" {
			detail += "; " + alternativeNote + next.Alternative
		}
		return s.audit(ctx, tx, Caller{Name: PurgeActor}, next, ActionPurge, "", detail)
	})
	return done, err
}

// purgeTransition returns cur with its payload erased when cur is trash
// whose restore window has passed at now and still holds a payload, and nil
// when there is nothing to purge. Everything but the payload stays, so the
// id keeps answering 410 with its original deletedAt and reason.
func purgeTransition(cur *Record, now time.Time) *Record {
	if cur == nil || cur.Data == nil || cur.RestorableUntil.IsZero() || cur.State(now) != StateGone {
		return nil
	}
	next := cur.Clone()
	next.Data, next.Version, next.UpdatedAt = nil, cur.Version+1, now
	return next
}
