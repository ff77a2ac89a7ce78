#!/bin/sh
# Softgate capacity report (issue 10): builds benchmarks.jar, then runs every JMH suite with fixed
# settings (-prof gc), the memory probes and the garbage-collector comparison, and writes
# report.md, report.json and two SVG plots into benchmarks/target/capacity-report (or --out DIR).
# Under 15 minutes on 2 cores. Options: --out DIR, --quick (fewer points, shorter runs),
# --skip-gc, --skip-stage-suites, --no-build (reuse an existing benchmarks.jar).
set -eu
cd "$(dirname "$0")/.."
build=1
for arg in "$@"; do
  [ "$arg" = "--no-build" ] && build=0
done
if [ "$build" = 1 ]; then
  mvn -o -q -B -pl benchmarks -am package -DskipTests
fi
args=""
for arg in "$@"; do
  [ "$arg" = "--no-build" ] || args="$args $arg"
done
# The report's own JVM measures memory per VPC in-process (100,000 VPCs): give it room.
# shellcheck disable=SC2086
exec java -Xms6g -Xmx6g -XX:MaxDirectMemorySize=8g -cp benchmarks/target/benchmarks.jar \
  io.softgate.benchmarks.report.CapacityReport $args
