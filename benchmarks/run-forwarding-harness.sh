#!/usr/bin/env bash
# End-to-end forwarding harness (issue 8, "Done when" 3): VXLAN generator -> gateway -> sink across
# two network namespaces, the Linux kernel (vxlan + routing + nftables SNAT) and the softgate service
# (AF_XDP, UDP, and AF_XDP + TUN uplink; real service pipeline with NAT) in the same run; summary printed and
# written to benchmarks/target/e2e/summary.{md,json}. Needs root, iproute2, nftables, ethtool, taskset.
# Method, identical for every gateway (kernel included): maximum forwarding rate (MFR, RFC 2285 §3.6.3) =
# the highest forwarding rate over a sweep of offered loads (unpaced = maximum offered load, §3.5.3, then
# paced steps; LoadSweep.java); latency at MFR/2; overload test at 2x MFR (§3.5.4).
#
# Usage: benchmarks/run-forwarding-harness.sh [--no-build] [--seconds S] [--backends af_xdp,udp,udp-separate,tun]
#        [--sizes 64,1400] [--busy-poll none|af_xdp,tun] [--napi-defer-hard-irqs 2] [--gro-flush-timeout-ns 200000]
#        [--generator-cpu 0] [--gateway-cpu 1] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
if [[ "${1:-}" == "--no-build" ]]; then
    build=0
    shift
fi
for tool in ip nft ethtool taskset; do
    command -v "$tool" >/dev/null || { echo "run-forwarding-harness: '$tool' is missing (apt-get install iproute2 nftables ethtool util-linux)" >&2; exit 2; }
done
if [[ $(id -u) -ne 0 ]]; then
    echo "run-forwarding-harness: needs root (namespaces, AF_XDP, BPF, nftables)" >&2
    exit 2
fi
if [[ $build -eq 1 ]]; then
    # benchmarks.jar (harness) and packaging/target/softgate (the distribution it starts).
    mvn -o -q -B -pl benchmarks,packaging -am package -DskipTests
fi

prefix="sge2e$$"
out=benchmarks/target/e2e
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    [[ "${args[$i]}" == "--out" ]] && out="${args[$((i + 1))]}"
done
mkdir -p "$out"
harness_pid=""
cleanup() {
    # Only what this run started: the harness JVM, the softgate it started (PID file), our namespaces.
    if [[ -n "$harness_pid" ]] && kill -0 "$harness_pid" 2>/dev/null; then
        kill "$harness_pid" 2>/dev/null || true   # its shutdown hook stops the softgate and the endpoint
        for _ in $(seq 1 40); do kill -0 "$harness_pid" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$harness_pid" 2>/dev/null || true
    fi
    if [[ -f "$out/softgate.pid" ]]; then
        pid=$(cat "$out/softgate.pid")
        kill -0 "$pid" 2>/dev/null && { kill "$pid" 2>/dev/null || true; sleep 2; kill -9 "$pid" 2>/dev/null || true; }
        rm -f "$out/softgate.pid"
    fi
    for ns in "$prefix-gw" "$prefix-hv"; do
        ip netns del "$ns" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

java -Xms512m -Xmx512m -cp benchmarks/target/benchmarks.jar io.softgate.benchmarks.e2e.ForwardingHarness \
    --prefix "$prefix" "$@" &
harness_pid=$!
wait "$harness_pid"
