#!/usr/bin/env bash
# End-to-end forwarding harness (issue 8): generator -> gateway -> sink across network namespaces,
# softgate AF_XDP relay vs kernel forwarding in the same run. Needs root (namespaces, AF_XDP, BPF),
# iproute2. Usage: benchmarks/run-forwarding-harness.sh [seconds-per-run] [busy-poll]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -o -q -B -pl benchmarks -am package -DskipTests
exec java -cp benchmarks/target/benchmarks.jar io.softgate.benchmarks.e2e.ForwardingHarness "${1:-3}" "${2:-}"
