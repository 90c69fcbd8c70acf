package gone

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"
)

// This file checks docs/design.md invariant 1 (permanence) at the transition
// level. A model applies random operations to a small map of records
// through the same pure transitions Service runs inside its store
// transactions, with Service's clock handling: writes see the clock
// truncated to the second, reads see it as it is. After every operation and
// every tick of the clock it asks Decide about every id, and once an id has
// answered 410 it must keep answering 410: for every later operation and
// every later time, and to every caller.

var modelIDs = []string{"a", "b", "c"}

type model struct {
	t      *testing.T
	rng    *rand.Rand
	p      Policy
	clock  time.Time
	recs   map[string]*Record
	serial int
	log    []string

	// retired holds, per id, the first 410 seen: what it must keep saying.
	retired map[string]retirement
}

type retirement struct {
	at        time.Time // the clock when the 410 was first seen
	retiredAt time.Time
	expired   bool
	public    Answer
}

// now is the write clock, as Service.now.
func (m *model) now() time.Time { return m.clock.UTC().Truncate(time.Second) }

func (m *model) logf(format string, args ...any) {
	m.log = append(m.log, fmt.Sprintf("%s  ", m.clock.Format("2006-01-02T15:04:05.000000000"))+fmt.Sprintf(format, args...))
}

func (m *model) fail(format string, args ...any) {
	m.t.Helper()
	start := max(0, len(m.log)-40)
	m.t.Fatalf("policy %+v\n%s\nlast operations:\n  %s", m.p, fmt.Sprintf(format, args...), strings.Join(m.log[start:], "\n  "))
}

func (m *model) pick() string { return modelIDs[m.rng.Intn(len(modelIDs))] }

func (m *model) data() json.RawMessage {
	m.serial++
	return json.RawMessage(fmt.Sprintf(`{"n":%d,"big":12345678901234567890}`, m.serial))
}

// randomTime is a time near the clock, sometimes with a fraction of a
// second that the transition must truncate.
func (m *model) randomTime() time.Time {
	var d time.Duration
	switch m.rng.Intn(6) {
	case 0:
		d = 0
	case 1:
		d = -time.Duration(m.rng.Intn(7200)) * time.Second
	case 2:
		d = time.Duration(m.rng.Intn(5)) * time.Second
	case 3:
		d = time.Duration(m.rng.Intn(7200)) * time.Second
	case 4:
		d = time.Duration(m.rng.Intn(90)) * 24 * time.Hour
	case 5:
		d = time.Duration(m.rng.Int63n(int64(10 * time.Second)))
	}
	return m.clock.Add(d)
}

// step applies one random operation.
func (m *model) step() {
	id := m.pick()
	cur := m.recs[id]
	now := m.now()
	set := func(next *Record) {
		if next != nil {
			m.recs[next.ID] = next
		}
	}
	var err error
	switch op := m.rng.Intn(10); op {
	case 0, 1: // put
		ifMatch := ""
		switch m.rng.Intn(4) {
		case 1:
			ifMatch = "*"
		case 2:
			if cur != nil {
				ifMatch = cur.ETag()
			}
		case 3:
			ifMatch = `"999"`
		}
		var next *Record
		next, _, err = putTransition(cur, m.p, now, "users", id, m.data())
		if err = (Preconditions{IfMatch: ifMatch}).check(cur, m.p, now, id, err); err != nil {
			next = nil
		}
		m.logf("put %s If-Match %q: %v", id, ifMatch, err)
		set(next)
		if _, ok := m.retired[id]; ok && ErrorCode(err) != ECONFLICT && !m.p.ReusableAt(cur, now) {
			m.fail("put on retired id %s: error %v, want code %q", id, err, ECONFLICT)
		}
	case 2: // patch, as Service.Patch
		err = mustBeLive(cur, m.p, now, "users", id)
		if err == nil {
			var merged json.RawMessage
			if merged, err = MergePatch(cur.Data, json.RawMessage(fmt.Sprintf(`{"p":%d,"n":null}`, m.rng.Intn(100)))); err == nil {
				next := cur.Clone()
				next.Data, next.Version, next.UpdatedAt = merged, cur.Version+1, now
				set(next)
			}
		}
		m.logf("patch %s: %v", id, err)
	case 3, 4: // delete
		opt := DeleteOptions{Permanent: m.rng.Intn(3) == 0}
		if m.rng.Intn(2) == 0 {
			opt.Reason, opt.Alternative = "user_request", "/api/users"
		}
		var next *Record
		next, _, err = deleteTransition(cur, m.p, now, admin, opt, "users", id)
		m.logf("delete %s permanent=%v: %v", id, opt.Permanent, err)
		set(next)
	case 5: // restore
		var next *Record
		next, err = restoreTransition(cur, m.p, now, id)
		m.logf("restore %s: %v", id, err)
		set(next)
		if _, ok := m.retired[id]; ok && err == nil {
			m.fail("restore of retired id %s succeeded: %+v", id, next)
		}
	case 6: // move, as Service.Move
		to := m.pick()
		if to == id {
			return
		}
		err = mustBeLive(cur, m.p, now, "users", id)
		if err == nil {
			var moved, old *Record
			if moved, old, err = moveTransition(cur, m.recs[to], now, "users", id, to); err == nil {
				set(moved)
				set(old)
			}
		}
		m.logf("move %s to %s: %v", id, to, err)
	case 7, 8: // lifecycle
		var c LifecycleChange
		switch m.rng.Intn(5) {
		case 0:
			c.ExpiresAt = Optional[time.Time]{Set: true}
		case 1, 2:
			c.ExpiresAt = Optional[time.Time]{Set: true, Value: m.randomTime()}
		case 3:
			c.UnavailableUntil = Optional[time.Time]{Set: true, Value: m.randomTime()}
		case 4:
			c.Alternative = Optional[string]{Set: true, Value: "/api/users/next"}
		}
		if m.rng.Intn(4) == 0 {
			c.DeprecatedAt = Optional[time.Time]{Set: true, Value: m.randomTime()}
		}
		var next *Record
		next, _, err = lifecycleTransition(cur, m.p, now, c, "users", id)
		m.logf("lifecycle %s expires=%v/%s unavailable=%v/%s alt=%v: %v", id,
			c.ExpiresAt.Set, c.ExpiresAt.Value.Format(time.RFC3339Nano), c.UnavailableUntil.Set, c.UnavailableUntil.Value.Format(time.RFC3339Nano), c.Alternative.Set, err)
		set(next)
	case 9:
		m.tick()
	}
	if err != nil && ErrorCode(err) == EINTERNAL {
		m.fail("internal error: %v", err)
	}
}

// tick advances the clock, often to exactly a boundary of some record or
// just around it.
func (m *model) tick() {
	var bounds []time.Time
	for _, r := range m.recs {
		for _, b := range []time.Time{r.RestorableUntil, r.ExpiresAt, r.UnavailableUntil} {
			if b.After(m.clock) {
				bounds = append(bounds, b)
			}
		}
		if m.p.ReuseAfter > 0 && r.Retired(m.clock) {
			if b := r.RetiredAt().Add(m.p.ReuseAfter); b.After(m.clock) {
				bounds = append(bounds, b)
			}
		}
	}
	var d time.Duration
	switch k := m.rng.Intn(8); {
	case k < 3 && len(bounds) > 0:
		b := bounds[m.rng.Intn(len(bounds))]
		b = b.Add([]time.Duration{0, 0, -time.Nanosecond, -time.Second, time.Nanosecond, 500 * time.Millisecond}[m.rng.Intn(6)])
		if !b.After(m.clock) {
			return
		}
		d = b.Sub(m.clock)
	case k == 3:
		d = time.Duration(m.rng.Intn(1000)) * time.Millisecond
	case k == 4:
		d = time.Duration(m.rng.Intn(120)) * time.Second
	case k == 5:
		d = time.Duration(m.rng.Intn(48)) * time.Hour
	default:
		d = time.Duration(m.rng.Int63n(int64(40 * 24 * time.Hour)))
	}
	m.clock = m.clock.Add(d)
	m.logf("tick +%v", d)
}

// check asks Decide about every id at the current clock.
func (m *model) check() {
	m.t.Helper()
	for _, id := range modelIDs {
		r := m.recs[id]
		adm := Decide(Input{Record: r, Now: m.clock, Caller: admin, Policy: m.p})
		pub := Decide(Input{Record: r, Now: m.clock, Caller: anonymous, Policy: m.p})
		prev, wasRetired := m.retired[id]
		if wasRetired && m.p.ReuseAfter > 0 && !m.clock.Before(prev.retiredAt.Add(m.p.ReuseAfter)) {
			// The quarantine passed: the id may answer 404 and be reused.
			delete(m.retired, id)
			wasRetired = false
		}
		if !wasRetired {
			if adm.Answer == AnswerGone {
				m.retired[id] = retirement{at: m.clock, retiredAt: adm.RetiredAt, expired: adm.Expired, public: pub.Answer}
				if (pub.Answer == AnswerGone) == (m.p.Disclosure == DiscloseConceal) {
					m.fail("%s: admin gets 410 but the public gets %q under %s disclosure", id, pub.Answer, m.p.Disclosure)
				}
			} else if m.p.ReuseAfter == 0 && (adm.State == StateGone || adm.State == StateExpired) {
				m.fail("%s: state %q but admin answer %q, want %q", id, adm.State, adm.Answer, AnswerGone)
			}
			continue
		}
		switch {
		case adm.Answer != AnswerGone:
			m.fail("%s answered 410 at %v and now answers %q (state %q) to an admin\nrecord %+v", id, prev.at, adm.Answer, adm.State, r)
		case adm.State != StateGone && adm.State != StateExpired:
			m.fail("%s answered 410 at %v and is now in state %q", id, prev.at, adm.State)
		case pub.Answer != prev.public:
			m.fail("%s answered %q to the public at %v and now answers %q", id, prev.public, prev.at, pub.Answer)
		case !adm.RetiredAt.Equal(prev.retiredAt):
			m.fail("%s retired at %v when first seen at %v, now says %v\nrecord %+v", id, prev.retiredAt, prev.at, adm.RetiredAt, r)
		case adm.Expired != prev.expired:
			m.fail("%s was expired=%v at %v, now expired=%v", id, prev.expired, prev.at, adm.Expired)
		}
	}
}

func runPermanence(t *testing.T, seeds int, policy func(seed int) Policy) {
	for seed := range seeds {
		rng := rand.New(rand.NewSource(int64(seed)))
		m := &model{
			t: t, rng: rng, p: policy(seed),
			// Start at a random fraction of a second.
			clock:   now.Add(time.Duration(rng.Int63n(int64(time.Second)))),
			recs:    map[string]*Record{},
			retired: map[string]retirement{},
		}
		m.logf("seed %d", seed)
		steps := 20 + rng.Intn(60)
		for range steps {
			m.step()
			m.check()
			// Later times, with no operation in between, must agree too.
			if rng.Intn(3) == 0 {
				m.tick()
				m.check()
			}
		}
		// Far in the future, every retired id still answers 410.
		for _, d := range []time.Duration{time.Second, 24 * time.Hour, 10 * 365 * 24 * time.Hour} {
			m.clock = m.clock.Add(d)
			m.check()
		}
	}
}

var modelWindows = []time.Duration{0, 3 * time.Second, time.Hour, 30 * 24 * time.Hour, 2500 * time.Millisecond}

func TestPermanenceNeverReuse(t *testing.T) {
	runPermanence(t, 2000, func(seed int) Policy {
		p := testPolicy([]Disclosure{DiscloseFull, DiscloseMinimal, DiscloseConceal}[seed%3], false)
		p.RestoreWindow = modelWindows[seed%len(modelWindows)]
		return p
	})
}

// TestPermanenceQuarantine: under a reuse quarantine, an id that answered
// 410 keeps answering 410 until the quarantine has passed.
func TestPermanenceQuarantine(t *testing.T) {
	runPermanence(t, 500, func(seed int) Policy {
		p := testPolicy([]Disclosure{DiscloseFull, DiscloseMinimal, DiscloseConceal}[seed%3], false)
		p.RestoreWindow = modelWindows[seed%len(modelWindows)]
		p.ReuseAfter = []time.Duration{time.Second, time.Hour, 7 * 24 * time.Hour}[seed%3]
		return p
	})
}
