#!/usr/bin/env bash
# oracle.sh: median latency of 10,000 reads of soft-deleted ids against
# 10,000 of ids that never existed, first reads and repeated reads, in
# process (httpapi.TestNoTimingOracle). Run it on a quiet machine.
set -eu
cd "$(dirname "$0")/.."
GONE_TIMING=1 go test ./httpapi -run '^TestNoTimingOracle$' -count=1 -v | grep -E 'median|^(ok|FAIL|---)'
