package gone

import "testing"

// BenchmarkDecide measures the decision every read makes: it must cost far
// less than the store lookup in front of it.
func BenchmarkDecide(b *testing.B) {
	for _, s := range []State{StateLive, StateGone, StateAbsent} {
		in := Input{Record: stateRecord(s), Now: now, Caller: anonymous, Policy: testPolicy(DiscloseFull, false)}
		b.Run(string(s), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d := Decide(in)
				if d.State != s {
					b.Fatalf("State = %q, want %q", d.State, s)
				}
			}
		})
	}
}
