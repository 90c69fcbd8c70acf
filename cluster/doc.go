// Package cluster holds the tests of several gone instances over one
// PostgreSQL database (docs/design.md invariant 6): real servers, each on its
// own postgres.Store, racing real HTTP requests. It has no code of its own.
//
// The tests need a server; scripts/pg-test.sh starts a throwaway one:
//
//	eval "$(scripts/pg-test.sh start)" && go test ./cluster/; scripts/pg-test.sh stop
//
// Without GONE_TEST_POSTGRES they skip, unless CI=true or
// GONE_TEST_POSTGRES_REQUIRED=1 says PostgreSQL is required.
package cluster
