//go:build race

package gone_test

// raceEnabled is true under -race, which slows the pure-Go SQLite so much
// that the 100k-rule import would dominate CI's race run.
const raceEnabled = true
