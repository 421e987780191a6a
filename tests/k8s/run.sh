#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The Kubernetes layer (issue 14): pods driven through containerd 1.6's CRI
# API the way kubelet drives them, on a CNI bridge network, with the plain
# runc handler first (the baseline) and then hardrun's RuntimeClass handler.
# Ends with "k8s: N passed, N failed", or says why it skipped.
#   tests/k8s/run.sh            (HARDRUN=path/to/hardrun, default build/)
# It starts a containerd of its own (socket, root and state under
# /var/lib/hardrun-k8s/run.*), installs hardrun at the example's BinaryName
# (/usr/local/sbin/hardrun) and examples/kubernetes/policy.json at
# /etc/hardrun/policy.json for the run (the previous file is restored), so
# it holds /tmp/hardrun-e2e.lock like the end-to-end suites.  See README.md.
set -u
cd "$(dirname "$0")/../.." || exit 1
export HARDRUN=${HARDRUN:-$PWD/build/runtime/hardrun}
PY=/usr/bin/python3 # Debian's, where python3-grpcio lives

skip() {
	echo "k8s: skipped: $*"
	exit 0
}
[ "$(id -u)" -eq 0 ] || skip "needs root"
for cmd in containerd ctr runc ip umount flock; do
	command -v "$cmd" >/dev/null || skip "needs $cmd (apt-get install containerd runc iproute2)"
done
[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] ||
	skip "needs the CNI plugins in /usr/lib/cni (apt-get install containernetworking-plugins)"
[ -x /bin/busybox ] || skip "needs /bin/busybox (apt-get install busybox-static)"
"$PY" -c 'import grpc, grpc_tools, tomllib' 2>/dev/null ||
	skip "needs python3 3.11 with grpc and grpc_tools (apt-get install python3-grpcio python3-grpc-tools)"
[ -x "$HARDRUN" ] || skip "needs the built hardrun at $HARDRUN (ninja -C build)"

exec flock /tmp/hardrun-e2e.lock timeout --kill-after=30 "${K8S_TIMEOUT:-900}" "$PY" tests/k8s/k8s_suite.py
