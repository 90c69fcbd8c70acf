// Package editdist measures how far apart two strings are, for the
// "Did you mean …?" suggestions of the API and of the proxy.
//
// Both compare one request's path with many candidates, so the work of a
// comparison is bounded twice: a banded computation (only the cells within
// limit of the diagonal, since a distance below limit cannot stray
// further) with an early exit, and a Budget of cells shared by every
// comparison of one request.
package editdist

// Within is the Levenshtein distance between a and b in bytes when it is
// below limit, and limit itself otherwise: a caller looking for the
// nearest of many candidates passes its best distance so far and stops
// comparing a row as soon as the candidate cannot beat it.
func Within(a, b string, limit int) int {
	d, _ := within(a, b, limit, -1)
	return d
}

// Budget is how many cells of the distance table the comparisons of one
// request may compute; it runs out rather than let one request burn CPU.
type Budget struct {
	left, used int
}

// NewBudget returns a budget of cells.
func NewBudget(cells int) *Budget { return &Budget{left: cells} }

// Within is the package's Within, charged to b. ok is false when the
// budget ran out before the comparison finished: the distance is then
// unknown, and the caller should stop comparing.
func (b *Budget) Within(x, y string, limit int) (d int, ok bool) {
	if b.left <= 0 {
		return limit, false
	}
	d, cells := within(x, y, limit, b.left)
	ok = cells >= 0
	if !ok {
		cells = -1 - cells
	}
	b.left -= cells
	b.used += cells
	if !ok {
		b.left = 0
	}
	return d, ok
}

// Used is how many cells the budget's comparisons computed.
func (b *Budget) Used() int { return b.used }

// Spent says whether the budget ran out.
func (b *Budget) Spent() bool { return b.left <= 0 }

// within computes the distance in the band |i-j| < limit, row by row,
// stopping when a row's minimum reaches limit, or when more than max cells
// (max < 0: no bound) would be computed. It returns the distance (limit
// when not below it) and the cells computed, as -1-cells when it stopped
// for max.
func within(a, b string, limit, max int) (int, int) {
	if limit <= 0 {
		return 0, 0
	}
	if d := len(a) - len(b); d >= limit || -d >= limit {
		// The distance is at least the difference in length.
		return limit, 0
	}
	// inf stands for a cell outside the band: more than limit away.
	inf := limit + 1
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = min(j, inf)
	}
	cells := 0
	for i := 1; i <= len(a); i++ {
		lo, hi := max0(i-limit+1), min(len(b), i+limit-1)
		if max >= 0 && cells+(hi-lo+1) > max {
			return limit, -1 - cells
		}
		cells += hi - lo + 1
		rowMin := inf
		if lo == 0 {
			cur[0] = min(i, inf)
			rowMin = cur[0]
			lo = 1
		} else {
			cur[lo-1] = inf
		}
		for j := lo; j <= hi; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			up := inf // prev[j] is outside the previous row's band
			if j <= i+limit-2 {
				up = prev[j]
			}
			c := min(up+1, cur[j-1]+1, prev[j-1]+cost, inf)
			cur[j] = c
			rowMin = min(rowMin, c)
		}
		if hi < len(b) {
			cur[hi+1] = inf
		}
		if rowMin >= limit {
			return limit, cells
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit), cells
}

func max0(n int) int {
	if n < 0 {
		return 0
	}
	return n
}
