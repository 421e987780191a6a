# SPDX-License-Identifier: Apache-2.0
"""The Kubernetes layer: sets up the test bed (see crilib), runs the
scenarios (scenarios.py) with the plain runc handler and with hardrun, tears
everything down, and prints "k8s: N passed, N failed".

Run through tests/k8s/run.sh, which checks what the host needs and holds
/tmp/hardrun-e2e.lock.  Environment: HARDRUN (the binary under test),
K8S_ONLY (a regular expression over scenario names), K8S_HANDLERS
("runc,hardrun"), K8S_PARALLEL (pods of the parallel scenario, default 10),
K8S_KEEP=1 (keep the work directory for a post-mortem)."""

import contextlib
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crilib  # noqa: E402

POLICY = "/etc/hardrun/policy.json"


@contextlib.contextmanager
def installed_policy(audit_log, work):
    """examples/kubernetes/policy.json as the host's policy (what BinaryName
    reads: containerd's runc shim passes no arguments of ours), with the
    audit log moved to the work directory; the previous file is restored."""
    with open(os.path.join(crilib.REPO, "examples", "kubernetes", "policy.json")) as f:
        policy = json.load(f)
    policy["audit_log"] = audit_log
    os.makedirs("/etc/hardrun", exist_ok=True)
    saved = os.path.join(work, "policy.json.orig")
    had = os.path.exists(POLICY)
    if had:
        shutil.copy2(POLICY, saved)
    with open(POLICY + ".tmp", "w") as f:
        json.dump(policy, f, indent=1)
    os.chmod(POLICY + ".tmp", 0o644)
    os.rename(POLICY + ".tmp", POLICY)
    try:
        yield
    finally:
        if had:
            shutil.copy2(saved, POLICY)
        else:
            os.unlink(POLICY)


def remove_all_pods(cri):
    """Whatever a failed scenario left: every pod of this containerd."""
    api = crilib.api
    with contextlib.suppress(Exception):
        for c in cri.call("ListContainers", api.ListContainersRequest()).containers:
            with contextlib.suppress(Exception):
                cri.call("StopContainer", api.StopContainerRequest(container_id=c.id, timeout=1))
            with contextlib.suppress(Exception):
                cri.call("RemoveContainer", api.RemoveContainerRequest(container_id=c.id))
        for s in cri.call("ListPodSandbox", api.ListPodSandboxRequest()).items:
            with contextlib.suppress(Exception):
                cri.call("StopPodSandbox", api.StopPodSandboxRequest(pod_sandbox_id=s.id))
            with contextlib.suppress(Exception):
                cri.call("RemovePodSandbox", api.RemovePodSandboxRequest(pod_sandbox_id=s.id))


def remove_cgroups():
    """kubelet's pod cgroups (the CRI cgroup_parent) this suite made."""
    for d in sorted(glob.glob(f"/sys/fs/cgroup/*/{crilib.CGROUP_PARENT}/**/", recursive=True), key=len,
                    reverse=True):
        with contextlib.suppress(OSError):
            os.rmdir(d)


@contextlib.contextmanager
def test_bed(cd, hardrun, work):
    """cd (a crilib.Containerd of its own) started with hardrun installed at
    the handler's BinaryName and the example policy as the host's, images
    imported: yields the CRI client.  Everything is undone on the way out."""
    binary = cd.write_config()
    # the handler's BinaryName (registered by hardrun install) is where
    # containerd's shim runs hardrun from on this host
    shutil.copy2(hardrun, binary + ".new")
    os.chmod(binary + ".new", 0o755)
    os.rename(binary + ".new", binary)
    try:
        with installed_policy(os.environ["K8S_AUDIT"], work):
            cd.start()
            cd.import_images()
            cri = crilib.Cri(cd.sock)
            try:
                yield cri
            finally:
                remove_all_pods(cri)
    except Exception:
        # containerd's own words, while its log still exists
        print("# containerd log:\n# " + cd.tail().replace("\n", "\n# "), flush=True)
        raise
    finally:
        cd.stop()
        cd.remove_leftovers()
        remove_cgroups()
        if os.environ.get("K8S_KEEP") != "1":
            subprocess.run(["umount", "-R", work], capture_output=True)
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"# kept {work}")


def new_work_dir():
    """A work directory under /var/lib/hardrun-k8s, its audit log named in
    K8S_AUDIT, and the CRI stubs generated in it."""
    os.makedirs("/var/lib/hardrun-k8s", mode=0o711, exist_ok=True)
    work = tempfile.mkdtemp(prefix="run.", dir="/var/lib/hardrun-k8s")
    os.environ["K8S_AUDIT"] = os.path.join(work, "audit.jsonl")
    crilib.generate_stubs(os.path.join(work, "stubs"))
    return work


def main():
    hardrun = os.environ.get("HARDRUN") or os.path.join(crilib.REPO, "build", "runtime", "hardrun")
    handlers = os.environ.get("K8S_HANDLERS", "runc,hardrun").split(",")
    t0 = time.time()
    work = new_work_dir()
    import scenarios  # after the stubs exist

    suite = None
    cd = crilib.Containerd(work, hardrun)
    try:
        with test_bed(cd, hardrun, work) as cri:
            print(f"# containerd {cri.version().runtime_version} (CRI {cri.version().runtime_api_version}), "
                  f"handlers {', '.join(handlers)}, set up in {time.time() - t0:.1f}s", flush=True)
            suite = scenarios.Suite(cri, cd, handlers)
            suite.run(os.environ.get("K8S_ONLY"))
    except Exception as e:  # noqa: BLE001 -- the bed itself failed: one failure, said why
        print(f"not ok k8s test bed: {e}", flush=True)
        if suite is None:
            suite = type("S", (), {"passed": 0, "failed": 0})()
        suite.failed += 1
    print(f"# k8s layer took {time.time() - t0:.0f}s")
    print(f"k8s: {suite.passed} passed, {suite.failed} failed")
    return 1 if suite.failed else 0


if __name__ == "__main__":
    sys.exit(main())
