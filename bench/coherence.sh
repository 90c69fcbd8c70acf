#!/usr/bin/env bash
# coherence.sh: 1,000 delete-then-read trials across two gone instances,
# each with its read cache, over one PostgreSQL (GONE_TEST_POSTGRES), and
# the check that the other instance answers the delete within 50 ms at the
# 99th percentile (cluster.TestDeleteThenReadAcrossCachedInstances).
set -eu
cd "$(dirname "$0")/.."
: "${GONE_TEST_POSTGRES:?set GONE_TEST_POSTGRES (scripts/pg-test.sh start)}"
GONE_TIMING=1 go test ./cluster -run '^TestDeleteThenReadAcrossCachedInstances$' -count=1 -v | grep -E 'trials|^(ok|FAIL|---)'
