#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The Kubernetes manifests of examples/kubernetes, checked without a
cluster: their structure (what the fleet rollout of issue 17 item 8 relies
on), the ConfigMap's policy against policy.json, and every `hardrun install`
command the DaemonSet's script runs against the grammar that `hardrun install
--help` prints.  Needs python3-yaml; HARDRUN names the built binary.

  python3 tests/k8s/test_manifests.py        (exit 0 when all pass)
Ends with "manifests: N passed, N failed" (tests/run-all.sh counts it)."""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:
    print("manifests: skipped: needs python3-yaml (apt-get install python3-yaml)")
    sys.exit(0)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
KUBE = os.path.join(REPO, "examples", "kubernetes")
HARDRUN = os.environ.get("HARDRUN", os.path.join(REPO, "build", "runtime", "hardrun"))

failures = []
passes = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    (passes if cond else failures).append(what)


def load(name):
    with open(os.path.join(KUBE, name)) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def by_kind(docs, kind, name=None):
    found = [d for d in docs if d.get("kind") == kind and (name is None or d["metadata"]["name"] == name)]
    return found[0] if found else None


def install_grammar():
    """Engines and flags from the usage lines of `hardrun install --help`:
    {flag: takes_value}, and the engine names."""
    out = subprocess.run([HARDRUN, "install", "--help"], capture_output=True, text=True, check=True).stdout
    usage = out.split("\n\n", 1)[0]
    engines = re.search(r"install ([a-z|]+)", usage).group(1).split("|")
    flags = {}
    for m in re.finditer(r"\[(--[a-z-]+)( [A-Z]+)?\]", usage):
        flags[m.group(1)] = bool(m.group(2))
    return engines, flags


def accepted(argv, engines, flags):
    """argv (after `hardrun install`) parses under the grammar."""
    engine = None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a.startswith("--"):
            name = a.split("=", 1)[0]
            if name not in flags:
                return False, "unknown flag " + a
            if flags[name] and "=" not in a:
                i += 1
                if i >= len(argv):
                    return False, a + " lacks its value"
        elif engine is None and a in engines:
            engine = a
        else:
            return False, "unexpected " + a
        i += 1
    return engine is not None, "no engine"


def install_commands(script):
    """Every `... install ENGINE ARGS` line of the script, as argv after
    `install`, with shell variables standing for one word each."""
    cmds = []
    for line in script.splitlines():
        m = re.search(r'"\$HARDRUN_SOURCE" install (.*?)\)?$', line.strip())
        if m:
            words = shlex.split(m.group(1).rstrip(")"))
            cmds.append([w if not w.startswith("$") else "VALUE" for w in words])
    return cmds


def main():
    docs = load("daemonset.yaml")
    rc = load("runtimeclass.yaml")
    runtimeclass = by_kind(rc, "RuntimeClass")
    check(runtimeclass is not None and runtimeclass["handler"] == "hardrun",
          "runtimeclass.yaml: RuntimeClass with handler hardrun")

    policy_cm = by_kind(docs, "ConfigMap", "hardrun-policy")
    deploy_cm = by_kind(docs, "ConfigMap", "hardrun-deploy")
    ds = by_kind(docs, "DaemonSet", "hardrun-deploy")
    check(policy_cm is not None and deploy_cm is not None and ds is not None,
          "daemonset.yaml: ConfigMaps hardrun-policy, hardrun-deploy and DaemonSet hardrun-deploy")
    if failures:
        return 1
    check(ds["apiVersion"] == "apps/v1", "DaemonSet apiVersion apps/v1")
    with open(os.path.join(KUBE, "policy.json")) as f:
        check(json.loads(policy_cm["data"]["policy.json"]) == json.load(f),
              "the ConfigMap's policy.json is examples/kubernetes/policy.json")
    if os.path.exists(HARDRUN):
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            f.write(policy_cm["data"]["policy.json"])
            f.flush()
            r = subprocess.run([HARDRUN, "policy", "validate", f.name], capture_output=True, text=True)
        check(r.returncode == 0, "hardrun policy validate accepts the ConfigMap's policy: " + r.stdout.strip()
              + r.stderr.strip())

    spec = ds["spec"]["template"]["spec"]
    check(ds["spec"]["selector"]["matchLabels"].items() <= ds["spec"]["template"]["metadata"]["labels"].items(),
          "the selector matches the pod template's labels")
    check(spec.get("hostPID") is True, "hostPID (containerd's restart in the host's namespaces)")
    check(any(t.get("operator") == "Exists" for t in spec.get("tolerations", [])), "tolerates every taint")
    (c,) = spec["containers"]
    check(c["securityContext"].get("privileged") is True, "the deploy container is privileged")
    vols = {v["name"]: v for v in spec["volumes"]}
    mounts = {m["name"]: m for m in c["volumeMounts"]}
    node = [n for n, v in vols.items() if v.get("hostPath", {}).get("path") == "/"]
    check(len(node) == 1 and mounts[node[0]]["mountPath"] == "/host", "the node's / is mounted at /host")
    env = {e["name"]: e.get("value") for e in c.get("env", [])}
    check(env.get("NODE_ROOT") == "/host", "NODE_ROOT is that mount")
    check(vols["policy"]["configMap"]["name"] == "hardrun-policy"
          and mounts["policy"]["mountPath"] == "/etc/hardrun-config",
          "the policy ConfigMap is mounted where deploy.sh reads it")
    check(vols["deploy"]["configMap"]["name"] == "hardrun-deploy"
          and c["command"] == ["/bin/sh", mounts["deploy"]["mountPath"] + "/deploy.sh", "run"],
          "the container runs deploy.sh run from the deploy ConfigMap")
    check(c["lifecycle"]["preStop"]["exec"]["command"][-1] == "uninstall",
          "the preStop hook runs deploy.sh uninstall")

    script = deploy_cm["data"]["deploy.sh"]
    check("/etc/hardrun-config/policy.json" in script, "deploy.sh reads the mounted policy")
    r = subprocess.run(["sh", "-n"], input=script, capture_output=True, text=True)
    check(r.returncode == 0, "deploy.sh is valid sh: " + r.stderr.strip())
    cmds = install_commands(script)
    check(any("--uninstall" in cmd for cmd in cmds) and any("--uninstall" not in cmd for cmd in cmds),
          "deploy.sh installs and uninstalls")
    for cmd in cmds:
        check("--node-root" in cmd and cmd[0] == "containerd", "hardrun install containerd --node-root: " + " ".join(cmd))
    if os.path.exists(HARDRUN):
        engines, flags = install_grammar()
        check("containerd" in engines and flags.get("--node-root") is True,
              "hardrun install --help offers containerd and --node-root DIR")
        for cmd in cmds:
            ok, why = accepted(cmd, engines, flags)
            check(ok, "hardrun install --help's grammar accepts: install " + " ".join(cmd) + ("" if ok else " (" + why + ")"))
    else:
        print("skip  the grammar checks: no hardrun at " + HARDRUN)
    print("manifests: %d passed, %d failed" % (len(passes), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
