#!/bin/sh
# Soak run of the softgate (issue 9, "Done when" 3). Not part of CI. Needs root, ip, bridge,
# ethtool, ss, curl, iperf3, jcmd, python3 and FRR (zebra, bgpd, vtysh; without FRR the BGP flaps
# are skipped and the report says so). Usage, from the repository root:
#   SOAK_MINUTES=30 packaging/src/test/soak/soak.sh
# Builds the distribution, then runs io.softgate.service.systemtest.SoakRun (FeatureTopology lab:
# iperf3 TCP/UDP through SNAT, iperf3 TCP through a port forward, new HTTP connections to a VIP and
# through SNAT every 100 ms, an intent change through the controller's REST API every second
# (bearer token, curl inside the softgate's namespace: a port forward nobody uses, in a VPC made
# through the API, created one second with POST /api/v2/nat and deleted the next; each must answer
# 2xx with a new generation), a SIGHUP reload with alternating file rules every minute, the BGP
# session with an FRR leaf flapped every minute), which samples RSS, heap, native memory, file
# descriptors and counters and prints a verdict. The report stays in
# packaging/target/system-tests/SoakRun-soak/soak-report.txt with every log of the run.
set -eu
cd "$(dirname "$0")/../../../.."
SOAK_MINUTES="${SOAK_MINUTES:-30}"
export SOAK_MINUTES
mvn -o -B -q -pl packaging -am package -DskipTests
status=0
mvn -o -B -pl packaging -am test -Dtest=SoakRun -Dsurefire.failIfNoSpecifiedTests=false \
    -Dsurefire.timeout=$(( ${SOAK_MINUTES%.*} * 60 + 900 )) || status=$?
report=packaging/target/system-tests/SoakRun-soak/soak-report.txt
if [ -f "$report" ]; then cat "$report"; else echo "soak: no report (see the Maven output above)"; fi
exit "$status"
