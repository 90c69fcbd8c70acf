//go:build !race

package gone_test

const raceEnabled = false
