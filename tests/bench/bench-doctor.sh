#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# How long `hardrun doctor` takes with N running containers (default 100),
# started with plain runc so that doctor lists and checks every one of them
# (the worst case).  Prints the median of 10 runs.  Not a pass/fail test.
#   tests/bench/bench-doctor.sh [N]       (root, Debian 12, after a build)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-100}
HARDRUN=${HARDRUN:-$PWD/build/runtime/hardrun}
RUNC=$(command -v runc)
WORK=$(mktemp -d /tmp/hardrun-bench-doctor.XXXXXX)
ids=()
cleanup() {
	for id in "${ids[@]}"; do "$RUNC" delete -f "$id" >/dev/null 2>&1 || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/rootfs/bin" "$WORK/rootfs"/{proc,sys,dev,tmp}
cp /bin/busybox "$WORK/rootfs/bin/"
ln -s busybox "$WORK/rootfs/bin/sh"
ln -s busybox "$WORK/rootfs/bin/sleep"
(cd "$WORK" && "$RUNC" spec)
jq --arg root "$WORK/rootfs" '.root.path = $root | .process.terminal = false | .process.args = ["sleep", "600"]' \
	"$WORK/config.json" >"$WORK/c.json"
mv "$WORK/c.json" "$WORK/config.json"
for i in $(seq "$N"); do
	id=hr-bench-doctor-$$-$i
	"$RUNC" run -d --bundle "$WORK" "$id" >/dev/null
	ids+=("$id")
done
times=()
for r in $(seq 10); do
	t0=$(date +%s%N)
	"$HARDRUN" doctor --format json --fail-on critical >"$WORK/out.json" || true
	times+=($((($(date +%s%N) - t0) / 1000000)))
done
listed=$(jq -r '.checks[] | select(.id == "containers.unhardened") | .found' "$WORK/out.json" | tr ';' '\n' | grep -c "hr-bench-doctor-$$" || true)
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 5p)
echo "doctor with $N running containers ($listed listed as not hardened): median ${median} ms of 10 runs (${times[*]})"
