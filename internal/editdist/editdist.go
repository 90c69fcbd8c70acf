// Package editdist measures how far apart two strings are, for the
// "Did you mean …?" suggestions of the API and of the proxy.
package editdist

// Within is the Levenshtein distance between a and b in bytes when it is
// below limit, and limit itself otherwise: a caller looking for the
// nearest of many candidates passes its best distance so far and stops
// comparing a row as soon as the candidate cannot beat it.
func Within(a, b string, limit int) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}
