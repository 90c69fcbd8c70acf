package httpapi

import "testing"

// TestMemoSlot checks that each catalog language and method has its own
// memo, and that a language without a slot is never given another's.
func TestMemoSlot(t *testing.T) {
	seen := map[[2]int]string{}
	for _, lng := range []string{"en", "es"} {
		for _, method := range []string{"GET", "HEAD"} {
			l, m, ok := memoSlot(lng, method)
			if !ok {
				t.Fatalf("memoSlot(%q, %s): no slot", lng, method)
			}
			if other, dup := seen[[2]int{l, m}]; dup {
				t.Fatalf("memoSlot(%q, %s) shares a slot with %s", lng, method, other)
			}
			seen[[2]int{l, m}] = lng + " " + method
		}
	}
	for _, tag := range languages {
		base, _ := tag.Base()
		if _, _, ok := memoSlot(base.String(), "GET"); !ok {
			t.Errorf("catalog language %s has no memo slot: its reads never replay", base)
		}
	}
	if _, _, ok := memoSlot("fr", "GET"); ok {
		t.Error(`memoSlot("fr") found a slot: a language the set does not know would be answered from another's memo`)
	}
}
