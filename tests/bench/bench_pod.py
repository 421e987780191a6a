# SPDX-License-Identifier: Apache-2.0
"""A Kubernetes pod through containerd's CRI, as kubelet starts one:
RunPodSandbox, CreateContainer and StartContainer of a busybox `true`,
timed end to end, with hardrun's handler, the plain runc handler and, as
an anchor, runc with RuntimeDefault seccomp, alternated pod by pod (each
pod removed, untimed, before the next).  Uses
the k8s layer's test bed (tests/k8s: containerd of its own, CNI bridge,
hardrun at the handler's BinaryName, examples/kubernetes/policy.json).
Prints bench_exec's lines (median, mean, p90, min in microseconds, the
difference of the medians) and "result LABEL MEDIAN MEAN P90 MIN" lines.
Run as root holding /tmp/hardrun-e2e.lock (run-bench.sh does):
    python3 tests/bench/bench_pod.py [PODS_PER_HANDLER]"""

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "k8s"))
import crilib  # noqa: E402
import k8s_suite  # noqa: E402

# (label, handler, RuntimeDefault seccomp): the plain runc handler is the
# baseline (last); runc with kubelet's seccompProfile RuntimeDefault on the
# pod and its container is the anchor of the part of the protection that
# plain Kubernetes can give (containerd 1.6's CRI has no user namespaces).
HANDLERS = [("cri+hardrun", "hardrun", False), ("cri+runc+seccomp", "runc", True), ("cri+runc", "runc", False)]
# BENCH_POD_ONLY=LABEL: that one alone (to profile one side)
if os.environ.get("BENCH_POD_ONLY"):
    HANDLERS = [h for h in HANDLERS if h[0] == os.environ["BENCH_POD_ONLY"]]


def one_pod(cri, handler, seccomp, n):
    """Seconds from RunPodSandbox to StartContainer's answer."""
    pod = crilib.Pod(cri, handler, f"bench-{handler}-{int(seccomp)}-{n}", seccomp_default=seccomp)
    try:
        t0 = time.perf_counter()
        pod.run()
        cid = pod.create("app", "true", seccomp_default=seccomp)
        pod.start(cid)
        return time.perf_counter() - t0
    finally:
        pod.remove()


def report(label, seconds):
    us = sorted(s * 1e6 for s in seconds)
    median, mean = statistics.median(us), statistics.mean(us)
    p90 = us[min(len(us) - 1, int(len(us) * 0.9))]
    print(f"{label:<24} median {median:11.1f} us  mean {mean:11.1f} us  p90 {p90:11.1f} us  "
          f"min {us[0]:11.1f} us  (n={len(us)})")
    return median, mean, p90, us[0]


def main():
    pods = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    hardrun = os.environ.get("HARDRUN") or os.path.join(crilib.REPO, "build", "runtime", "hardrun")
    work = k8s_suite.new_work_dir()
    cd = crilib.Containerd(work, hardrun)
    times = {label: [] for label, _, _ in HANDLERS}
    with k8s_suite.test_bed(cd, hardrun, work) as cri:
        for n in range(pods + 2):
            for label, handler, seccomp in HANDLERS:
                elapsed = one_pod(cri, handler, seccomp, n)
                if n >= 2:  # two warm-up rounds: images and caches
                    times[label].append(elapsed)
    results = {label: report(label, times[label]) for label, _, _ in HANDLERS}
    for label, r in results.items():
        print("result " + label + " " + " ".join(f"{v:.1f}" for v in r))
    if len(HANDLERS) < 2:
        return 0
    base_label = HANDLERS[-1][0]
    base = results[base_label][0]
    for label, _, _ in HANDLERS[:-1]:
        diff = results[label][0] - base
        print(f"difference of medians ({label} - {base_label}): {diff:+.1f} us ({diff / base * 100:+.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
