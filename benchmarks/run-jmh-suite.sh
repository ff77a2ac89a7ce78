#!/usr/bin/env bash
# The figures of record for the per-core goals (issues 2, 4, 5, 6 and 10), in one run: every JMH
# suite as the service is deployed (transparent huge pages for the direct tables, as the launcher
# sets them), thread CPU per operation beside each (CpuTimePerOp, CpuProfile, AclCpuTime: waiting
# for a core does not count there), and MemoryProbe before and after, because on a shared host the
# 1M-entry tables are only as fast as the memory is at that minute. Run it on an otherwise idle box.
#
# Usage: benchmarks/run-jmh-suite.sh [--no-build] [--out DIR]     (default DIR: benchmarks/target/suite)
# Writes one file per step to DIR and the scores to DIR/summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
out=benchmarks/target/suite
while [[ $# -gt 0 ]]; do
    case "$1" in
        --no-build) build=0; shift ;;
        --out) out="$2"; shift 2 ;;
        *) echo "usage: $0 [--no-build] [--out DIR]" >&2; exit 2 ;;
    esac
done
if [[ $build -eq 1 ]]; then
    mvn -o -q -B -pl benchmarks -am package -DskipTests
fi
jar=benchmarks/target/benchmarks.jar
mkdir -p "$out"
summary="$out/summary.txt"
: > "$summary"
export GLIBC_TUNABLES=glibc.malloc.hugetlb=1
huge=(-jvmArgsAppend -XX:+UseTransparentHugePages)

step() {
    echo "== $1 $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$summary"
}
jmh() {
    local name=$1
    shift
    step "$name"
    java -jar "$jar" "$@" "${huge[@]}" -rf json -rff "$out/$name.json" > "$out/$name.txt" 2>&1
    grep -E "^Benchmark|thrpt|avgt| ss " "$out/$name.txt" | grep -v "gc\.\(count\|time\|churn\)" | tee -a "$summary"
}
memory() {
    step "memory-$1"
    java -XX:MaxDirectMemorySize=1g -cp "$jar" io.softgate.benchmarks.MemoryProbe | tee "$out/memory-$1.txt" \
        | grep -v sink | tee -a "$summary"
}

memory before
jmh forwarding ForwardingBenchmark.forward -f 2 -wi 3 -i 5 -w 1s -r 1s -prof gc
jmh flowtable 'FlowTableBenchmark.(lookupHit|lookupBatch|lookupBatch64|insertAndRemove)$' \
    -p implementation=FlowTable,ConcurrentHashMap,NonBlockingHashMapLong -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
jmh nat 'NatBenchmark.(establishedFastPath|sessionCreation)' -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
jmh lb 'LoadBalancerBenchmark.((vip|reply)Established|replyMixed)' -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
jmh maglev MaglevBuildBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s
jmh acl AclBenchmark -f 2 -wi 3 -i 5 -w 1s -r 1s -prof gc
jmh acl-shared AclBenchmark.classify -p profile=shared -p ruleCount=10,100000 -f 2 -wi 3 -i 5 -w 1s -r 1s -prof gc
jmh pipeline PipelineBenchmark -p vpcs=1 -f 1 -wi 2 -i 3 -w 1s -r 1s -prof gc

step cpu-time
cpu=(java -XX:+UseTransparentHugePages -Xms3g -Xmx3g -XX:MaxDirectMemorySize=6g -XX:+UseParallelGC -cp "$jar")
"${cpu[@]}" io.softgate.benchmarks.CpuTimePerOp 10 lookupBatch lookupBatch64 lookupHit natEstablished natCreation \
    2>&1 | tee "$out/cpu-tables.txt" | grep best | tee -a "$summary"
"${cpu[@]}" io.softgate.benchmarks.CpuTimePerOp 10 lbReply lbVip lbMixed 2>&1 | tee "$out/cpu-lb.txt" \
    | grep best | tee -a "$summary"
java -Dpasses=150 -DbatchesPerPass=250 -cp "$jar" io.softgate.benchmarks.CpuProfile forwarding 10 100000 2>&1 \
    | tee "$out/cpu-forwarding.txt" | tail -8 | tee -a "$summary"
step acl-cpu-time
for round in 1 2 3; do
    for rules in 10 100000; do
        java -XX:+UseTransparentHugePages -cp "$jar" io.softgate.benchmarks.AclCpuTime 1000 "$rules" 2>&1 \
            | tee -a "$out/cpu-acl.txt" | tail -2 | tee -a "$summary"
    done
done
memory after
step done
