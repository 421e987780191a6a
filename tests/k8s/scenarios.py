# SPDX-License-Identifier: Apache-2.0
"""Issue 14's scenarios, driven through containerd's CRI as kubelet drives
it.  Every scenario runs first with the plain `runc` handler (the baseline:
the pod must run there too, and the hardening checks must fail there, which
shows they can) and then with `hardrun`.  Run by tests/k8s/run.sh."""

import concurrent.futures
import json
import os
import re
import subprocess
import sys
import time
import traceback

import crilib
from crilib import Pod, PodError

# What a container reports about itself, one "key: value" a line.
PROBE = r'''grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status
echo "uid_map: $(cat /proc/self/uid_map | tr -s " " | sed "s/^ //" | tr "\n" ";")"
echo "userns: $(readlink /proc/self/ns/user)"
echo "netns: $(readlink /proc/self/ns/net)"
echo "ipcns: $(readlink /proc/self/ns/ipc)"
echo "uid: $(id -u)"
if touch /hardrun-k8s-probe 2>/dev/null; then echo "rootfs: writable"; else echo "rootfs: read-only"; fi'''

# The default policy's capability allowlist (CHOWN DAC_OVERRIDE FOWNER FSETID
# KILL SETGID SETUID NET_BIND_SERVICE).
ALLOWED_CAPS = 0x4FB
AUDIT_LOG = None  # set by run.sh through the environment


def fields(text):
    out = {}
    for line in text.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            out.setdefault(k.strip(), v.strip())
    return out


def hardened(f, userns=True):
    """Why the probe output f is not hardened ([] when it is); userns=False
    for a profile that runs the pod without a user namespace."""
    why = []
    try:
        if int(f.get("CapEff", "ffff"), 16) & ~ALLOWED_CAPS:
            why.append("CapEff " + f.get("CapEff", "?"))
        if int(f.get("CapBnd", "ffff"), 16) & ~ALLOWED_CAPS:
            why.append("CapBnd " + f.get("CapBnd", "?"))
    except ValueError:
        why.append("no capability lines")
    if f.get("NoNewPrivs") != "1":
        why.append("NoNewPrivs " + f.get("NoNewPrivs", "?"))
    if f.get("Seccomp") != "2":
        why.append("Seccomp " + f.get("Seccomp", "?"))
    m = f.get("uid_map", "").rstrip(";").split()
    if userns and (len(m) != 3 or m[0] != "0" or int(m[1]) < 100000):
        why.append("uid_map " + f.get("uid_map", "?"))
    if f.get("rootfs") != "read-only":
        why.append("rootfs " + f.get("rootfs", "?"))
    return why


class Failed(AssertionError):
    pass


def check(cond, msg):
    if not cond:
        raise Failed(msg)


class Suite:
    def __init__(self, cri, containerd, handlers):
        self.cri = cri
        self.cd = containerd
        self.handlers = handlers
        self.passed = 0
        self.failed = 0
        self.names = []
        self.notes = []

    # -- helpers

    def expect(self, handler, f, what, userns=True):
        """A probe's fields: hardened under hardrun; under the plain runc
        handler the same checks must find something (the baseline)."""
        why = hardened(f, userns)
        if handler == "hardrun":
            check(not why, f"{what} not hardened: {', '.join(why)}")
        else:
            check(why, f"{what} under plain runc passes the hardening checks: they cannot fail")

    def run_probe(self, pod, name="app", extra="", **kw):
        """A container that prints the probe and sleeps; its fields."""
        cid = pod.run_container(name, PROBE + "\n" + extra + "\necho probe-done\nexec sleep 3600", **kw)
        deadline = time.time() + 20
        while time.time() < deadline:
            out = pod.log(cid)
            if "probe-done" in out:
                return cid, fields(out), out
            st = pod.container_status(cid)
            check(st.state != crilib.api.CONTAINER_EXITED, f"{name} exited: {st.reason} {st.message} {out}")
            time.sleep(0.1)
        raise Failed(f"{name} printed no probe: {pod.log(cid)}")

    def staged_mounts(self):
        """Mounts under /run/hardrun/stage of this suite's image layers,
        containerd files or kubelet volumes (other suites may stage their own
        containers meanwhile, even in slots ours left)."""
        with open("/proc/self/mountinfo") as f:
            return [l.split()[4] for l in f if "/run/hardrun/stage/" in l.split()[4]
                    and (self.cd.work in l.split()[3] or crilib.KUBELET in l.split()[3])]

    # -- the scenarios; each gets the handler

    def default_pod(self, h):
        with Pod(self.cri, h, f"default-{h}") as pod, Pod(self.cri, h, f"client-{h}") as client:
            ip = pod.ip()
            check(ip.startswith("10.231.77."), f"pod address {ip!r}")
            cid, f, out = self.run_probe(pod, extra='while :; do echo "$POD_NAME" | nc -l -p 8080; done &')
            self.expect(h, f, "app container")
            # the pod's address answers from another pod on the bridge
            ccid = client.run_container("client", f"for i in $(seq 50); do nc -w 2 {ip} 8080 | grep . "
                                                  "&& exit 0; sleep 0.2; done; exit 1")
            st = client.wait_exit(ccid, 30)
            check(st.exit_code == 0, f"the pod's address {ip} did not answer: {client.log(ccid)}")
            check(f"default-{h}" in client.log(ccid), f"wrong answer: {client.log(ccid)}")

    def two_containers(self, h):
        """Two containers of one pod: one id range, network (localhost) and
        IPC, and an emptyDir both write; each checks from its own script
        (ExecSync is a scenario of its own)."""
        wait_for = 'for i in $(seq 50); do [ -s /shared/{0} ] && break; sleep 0.2; done; echo "{1}: $(cat /shared/{0})"'
        with Pod(self.cri, h, f"two-{h}") as pod:
            vol = pod.empty_dir("shared")
            m = [crilib.api.Mount(container_path="/shared", host_path=vol)]
            a, fa, _ = self.run_probe(pod, "a", mounts=m, extra=(
                "echo from-a > /shared/a; touch /dev/mqueue/hardrun-k8s-a; "
                "(while :; do echo hello-from-a | nc -l -p 9090; done) & (" + wait_for.format("b", "a-reads") + ") &"))
            b, fb, _ = self.run_probe(pod, "b", mounts=m, extra=(
                "echo from-b > /shared/b; " + wait_for.format("a", "b-reads") + "\n"
                'for i in $(seq 25); do r=$(nc 127.0.0.1 9090) && [ -n "$r" ] && break; sleep 0.2; done; '
                'echo "b-localhost: $r"; echo "b-mqueue: $(ls /dev/mqueue)"'))
            self.expect(h, fa, "container a")
            self.expect(h, fb, "container b")
            check(fa["uid_map"] == fb["uid_map"], f"two id ranges in one pod: {fa['uid_map']} / {fb['uid_map']}")
            check(fa["netns"] == fb["netns"], "not one network namespace")
            check(fa["ipcns"] == fb["ipcns"], "not one IPC namespace")
            check(fb.get("b-reads") == "from-a", f"b does not read a's file: {fb}")
            check(fb.get("b-localhost") == "hello-from-a", f"b does not reach a on localhost: {fb}")
            check(fb.get("b-mqueue") == "hardrun-k8s-a", f"b does not see a's POSIX message queue: {fb}")
            deadline = time.time() + 10
            while "a-reads" not in pod.log(a) and time.time() < deadline:
                time.sleep(0.2)
            check("a-reads: from-b" in pod.log(a), f"a does not read b's file: {pod.log(a)}")
            check(os.stat(os.path.join(vol, "a")).st_uid == os.stat(os.path.join(vol, "b")).st_uid,
                  "the two containers' files have different owners on the host")

    def kubelet_mounts(self, h):
        with Pod(self.cri, h, f"kubelet-{h}") as pod:
            token = pod.volume("kubernetes.io~projected", "kube-api-access-x1y2z")
            for n, t in (("token", "eyJhbGciOi.test"), ("namespace", "default"), ("ca.crt", "CA")):
                with open(os.path.join(token, n), "w") as f:
                    f.write(t)
            cm = pod.volume("kubernetes.io~configmap", "settings")
            with open(os.path.join(cm, "app.conf"), "w") as f:
                f.write("mode=test\n")
            m = [crilib.api.Mount(container_path="/var/run/secrets/kubernetes.io/serviceaccount", host_path=token,
                                  readonly=True),
                 crilib.api.Mount(container_path="/etc/config", host_path=cm, readonly=True)]
            cid, f, out = self.run_probe(pod, extra='''
echo "hosts: $(grep -c kubelet- /etc/hosts)"
echo "token: $(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace)"
if echo x > /var/run/secrets/kubernetes.io/serviceaccount/token 2>/dev/null; then echo "token-dir: writable"; else echo "token-dir: read-only"; fi
echo "config: $(cat /etc/config/app.conf)"
echo "all done here" > /dev/termination-log''', mounts=m)
            self.expect(h, f, "app container")
            check(f.get("hosts") == "1", f"kubelet's /etc/hosts not seen: {out}")
            check(f.get("token") == "default", f"token dir not readable: {out}")
            check(f.get("token-dir") == "read-only", f"token dir writable: {out}")
            check(f.get("config") == "mode=test", f"configMap not readable: {out}")
            term = [os.path.join(dp, n) for dp, _, fs in os.walk(os.path.join(pod.dir, "containers")) for n in fs]
            check(term and open(term[0]).read() == "all done here\n", f"termination log on the host: {term}")
            with open(os.path.join(token, "token")) as tf:
                check(tf.read() == "eyJhbGciOi.test", "the token changed on the host")

    def privileged(self, h):
        with Pod(self.cri, h, f"priv-{h}", privileged=True) as pod:
            cid, f, out = self.run_probe(pod, privileged=True,
                                         extra='if [ -e /dev/kmsg ] || [ -e /dev/vda ]; then echo "hostdev: yes"; '
                                               'else echo "hostdev: no"; fi')
            self.expect(h, f, "privileged container")
            if h == "hardrun":
                check(f.get("hostdev") == "no", f"host devices visible: {out}")

    def host_network_refused(self, h):
        self._host_ns_pod(h, dict(host_network=True), "network")

    def host_pid_refused(self, h):
        self._host_ns_pod(h, dict(host_pid=True), "pid")

    def _host_ns_pod(self, h, kw, ns):
        name = f"host{ns}-{h}"
        try:
            with Pod(self.cri, h, name, **kw) as pod:
                cid, f, out = self.run_probe(pod)
                check(h != "hardrun", f"a host {ns} pod ran under the default policy: {out}")
        except PodError as e:
            check(h == "hardrun", f"plain runc refused a host {ns} pod: {e}")
            check("host_namespaces" in e.details and ns in e.details,
                  f"the CRI error does not name the rule: {e.details}")
        if h != "hardrun":
            return
        self.notes.append(f"host {ns} pod refused under the default policy, naming host_namespaces")
        # allowed under the profile the policy selects for namespace
        # kube-system (hostPID: chosen there by the pod's annotation)
        ann = {"io.hardrun.profile": "host-pid"} if ns == "pid" else {}
        with Pod(self.cri, h, name + "-sys", namespace="kube-system", annotations=ann, **kw) as pod:
            cid, f, out = self.run_probe(pod)
            # the kernel refuses a proc mount of the host's pid namespace from
            # a user namespace: the host-pid profile runs without one, and
            # everything else is enforced
            self.expect(h, f, f"host {ns} pod in kube-system", userns=ns != "pid")
            if ns == "pid":
                check(f.get("uid_map", "").split()[:2] == ["0", "0"], f"not the host's user namespace: {out}")

    def profile_annotation(self, h):
        """A pod asks for a profile by annotation (containerd's
        pod_annotations): one its namespace lists applies to the sandbox and
        the container alike; one it does not list is refused."""
        with Pod(self.cri, h, f"strict-{h}", annotations={"io.hardrun.profile": "strict"}) as pod:
            cid, f, out = self.run_probe(pod)
            self.expect(h, f, "strict pod")
            if h == "hardrun":
                check(f.get("CapEff") == "0000000000000000", f"not the strict profile: {out}")
                lines = [json.loads(l) for l in open(os.environ["K8S_AUDIT"]) if pod.id in l or cid in l]
                profiles = {(l["container"][:12], l["profile"]) for l in lines if l.get("command") == "create"}
                check({p for _, p in profiles} == {"strict"}, f"sandbox and container profiles: {profiles}")
        try:
            with Pod(self.cri, h, f"asks-{h}", annotations={"io.hardrun.profile": "host-network"}) as pod:
                self.run_probe(pod)
                check(h != "hardrun", "a pod of namespace default got profile host-network by asking")
        except PodError as e:
            check(h == "hardrun", f"plain runc refused the pod: {e}")
            check("may not use" in e.details, f"the refusal does not say why: {e.details}")

    def restricted(self, h):
        with Pod(self.cri, h, f"restricted-{h}", run_as_user=1000, seccomp_default=True) as pod:
            cid, f, out = self.run_probe(pod, run_as_user=1000, run_as_non_root=True, readonly_rootfs=True,
                                         drop_all=True, no_new_privs=True, seccomp_default=True)
            check(f.get("uid") == "1000", f"not uid 1000: {out}")
            check(f.get("CapEff") == "0000000000000000", f"capabilities left: {out}")
            check(f.get("NoNewPrivs") == "1" and f.get("Seccomp") == "2", f"not restricted: {out}")
            if h == "hardrun":
                check(not hardened(f), f"not hardened: {hardened(f)}")
                lines = [json.loads(l) for l in open(os.environ["K8S_AUDIT"]) if cid in l]
                check(lines, "no audit line for the restricted container")
                rules = sorted({d["rule"] for d in lines[-1]["decisions"]})
                check(set(rules) <= {"user_namespace", "readonly_rootfs", "seccomp", "masked_paths", "pids_limit",
                                     "bind_options"}, f"the baseline changed more than expected: {rules}")
                # the audit line names the pod as kubelet named it (issue 17 item 5)
                k8s = lines[-1].get("kubernetes", {})
                check((k8s.get("namespace"), k8s.get("pod"), k8s.get("container")) == (pod.namespace, pod.name, "app"),
                      f"the audit line does not name the pod: {k8s}")

    def restart_and_remove(self, h):
        pod = Pod(self.cri, h, f"restart-{h}").run()
        try:
            cid = pod.run_container("app", "echo first; exit 3")
            st = pod.wait_exit(cid)
            check(st.exit_code == 3, f"exit code {st.exit_code}")
            pod.remove_container(cid)
            cid2, f, out = self.run_probe(pod, attempt=1)
            self.expect(h, f, "restarted container")
        finally:
            sandbox = pod.id
            errors = pod.remove()
        check(not errors, f"teardown: {errors}")
        if h == "hardrun":
            left = self.staged_mounts()
            check(not left, f"left in the mount table: {left}")
            ids = os.listdir("/run/hardrun/ids") if os.path.isdir("/run/hardrun/ids") else []
            owners = [open(os.path.join("/run/hardrun/ids", i)).read() for i in ids if i.isdigit()]
            check(not [o for o in owners if sandbox in o or (cid2 in o)], f"range still held: {owners}")

    def exec_sync(self, h):
        with Pod(self.cri, h, f"exec-{h}") as pod:
            cid, f, out = self.run_probe(pod)
            code, out = pod.exec_sync(cid, PROBE)
            check(code == 0, f"ExecSync failed ({code}): {out}")
            self.expect(h, fields(out), "ExecSync process")
            # in the pod's network namespace (the container's, made by the
            # CNI), never the host's
            code, out = pod.exec_sync(cid, "readlink /proc/self/ns/net; readlink /proc/1/ns/net")
            mine, init = (out.split() + ["", ""])[:2]
            check(code == 0 and mine == init, f"ExecSync netns {mine!r}, the container's {init!r}")
            check(mine != os.readlink("/proc/self/ns/net"), "ExecSync ran in the host's network namespace")

    @staticmethod
    def hardrun_slots(ids):
        """The allocator's entries (slot numbers) that name one of ids."""
        slots = {}
        d = "/run/hardrun/ids"
        for name in os.listdir(d) if os.path.isdir(d) else []:
            try:
                with open(os.path.join(d, name)) as f:
                    owner = f.read().split("\n")[1]
            except (OSError, IndexError):
                continue
            if owner in ids:
                slots[name] = owner
        return slots

    def parallel(self, h):
        n = int(os.environ.get("K8S_PARALLEL", "10"))
        slots = {}

        def one(i):
            with Pod(self.cri, h, f"par{i}-{h}") as pod:
                cid, f, out = self.run_probe(pod)
                self.expect(h, f, f"pod {i}")
                slots.update(self.hardrun_slots({pod.id, cid}))
                return f["uid_map"], pod.id, cid

        with concurrent.futures.ThreadPoolExecutor(max_workers=n) as ex:
            results = list(ex.map(one, range(n)))
        if h == "hardrun":
            maps = [r[0] for r in results]
            check(len(set(maps)) == n, f"pods share id ranges: {maps}")
            check(len(slots) == 2 * n, f"{len(slots)} allocator entries for {n} pods of two containers")
            ids = {x for r in results for x in r[1:]}
            check(not self.hardrun_slots(ids), f"entries left: {self.hardrun_slots(ids)}")
            left = self.staged_mounts()
            check(not left, f"staging left: {left[:3]}")

    SCENARIOS = ["default_pod", "two_containers", "kubelet_mounts", "privileged", "host_network_refused",
                 "host_pid_refused", "profile_annotation", "restricted", "restart_and_remove", "exec_sync", "parallel"]

    def run(self, only=None):
        for name in self.SCENARIOS:
            if only and not re.search(only, name):
                continue
            for h in self.handlers:
                label = f"{name} [{h}]"
                t0 = time.time()
                self.notes = []
                try:
                    getattr(self, name)(h)
                    self.passed += 1
                    print(f"ok {label} ({time.time() - t0:.1f}s)", flush=True)
                except Exception as e:  # noqa: BLE001 -- one scenario's failure is reported, the rest go on
                    detail = str(e) if isinstance(e, (Failed, PodError)) else traceback.format_exc()
                    for n in self.notes:
                        detail = f"(passed first: {n})\n{detail}"
                    self.failed += 1
                    self.names.append(label)
                    print(f"not ok {label} ({time.time() - t0:.1f}s)\n# " + detail.replace("\n", "\n# "),
                          flush=True)
