# SPDX-License-Identifier: Apache-2.0
"""A CRI client that drives containerd 1.6 the way kubelet does, and the
test bed around it: a containerd of the suite's own (socket, root and state
under a work directory) started with a config that `hardrun install
containerd` registered the handler in, a bridge + host-local CNI network on a
local subnet, and busybox images imported as OCI archives into containerd's
k8s.io namespace.

Stubs are generated at run time from tests/k8s/proto/api.proto (CRI
runtime.v1, vendored from kubernetes/cri-api) with Debian's grpc_tools."""

import contextlib
import gzip
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import tomllib
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
K8S_NS = "k8s.io"
IMAGE = "docker.io/hardrun-k8s/busybox:test"
PAUSE = "docker.io/hardrun-k8s/pause:test"
CNI_NAME = "hardrun-k8s"
CNI_BRIDGE = "hrk8s0"
CNI_SUBNET = "10.231.77.0/24"
KUBELET = "/var/lib/kubelet/pods"
CGROUP_PARENT = "hardrun-k8s"

api = None  # api_pb2, once generate_stubs ran
api_grpc = None


def generate_stubs(out):
    """Compiles api.proto into out/ and imports the modules."""
    global api, api_grpc
    os.makedirs(out, exist_ok=True)
    subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I" + os.path.join(HERE, "proto"),
                    "--python_out=" + out, "--grpc_python_out=" + out,
                    os.path.join(HERE, "proto", "api.proto")], check=True)
    sys.path.insert(0, out)
    import api_pb2
    import api_pb2_grpc
    api, api_grpc = api_pb2, api_pb2_grpc


# ---------------------------------------------------------------------------
# images: busybox as OCI archives


def _busybox_layer():
    """A tar of /bin/busybox and its applets, plus the few directories an
    image has; deterministic so the layer digest is stable."""
    buf = io.BytesIO()
    applets = subprocess.run(["/bin/busybox", "--list"], capture_output=True, text=True,
                             check=True).stdout.split()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        def add_dir(name, mode=0o755):
            ti = tarfile.TarInfo(name)
            ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, mode, 0
            tar.addfile(ti)
        for d in ("bin", "etc", "tmp", "var", "root", "dev", "proc", "sys", "run"):
            add_dir(d, 0o1777 if d == "tmp" else 0o755)
        with open("/bin/busybox", "rb") as f:
            data = f.read()
        ti = tarfile.TarInfo("bin/busybox")
        ti.size, ti.mode, ti.mtime = len(data), 0o755, 0
        tar.addfile(ti, io.BytesIO(data))
        for name in sorted(set(applets)):
            if name == "busybox":
                continue
            ti = tarfile.TarInfo("bin/" + name)
            ti.type, ti.linkname, ti.mode, ti.mtime = tarfile.SYMTYPE, "busybox", 0o777, 0
            tar.addfile(ti)
        for name, text in (("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/tmp:/bin/sh\n"),
                           ("etc/group", "root:x:0:\nuser:x:1000:\n")):
            raw = text.encode()
            ti = tarfile.TarInfo(name)
            ti.size, ti.mode, ti.mtime = len(raw), 0o644, 0
            tar.addfile(ti, io.BytesIO(raw))
    return buf.getvalue()


def _blob(tar, data, media_type):
    digest = hashlib.sha256(data).hexdigest()
    ti = tarfile.TarInfo("blobs/sha256/" + digest)
    ti.size, ti.mtime = len(data), 0
    tar.addfile(ti, io.BytesIO(data))
    return {"mediaType": media_type, "digest": "sha256:" + digest, "size": len(data)}


def write_oci_archive(path, ref, layer, entrypoint, cmd):
    """One image in an OCI image-layout tar, named for ctr import."""
    compressed = gzip.compress(layer, mtime=0)
    config = {
        "architecture": "amd64", "os": "linux",
        "config": {"Env": ["PATH=/bin"], "Entrypoint": entrypoint, "Cmd": cmd, "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]},
    }
    with tarfile.open(path, "w") as tar:
        layer_desc = _blob(tar, compressed, "application/vnd.oci.image.layer.v1.tar+gzip")
        config_desc = _blob(tar, json.dumps(config).encode(), "application/vnd.oci.image.config.v1+json")
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": config_desc, "layers": [layer_desc]}
        manifest_desc = _blob(tar, json.dumps(manifest).encode(), "application/vnd.oci.image.manifest.v1+json")
        manifest_desc["annotations"] = {"io.containerd.image.name": ref,
                                        "org.opencontainers.image.ref.name": ref.rsplit(":", 1)[1]}
        for name, obj in (("oci-layout", {"imageLayoutVersion": "1.0.0"}),
                          ("index.json", {"schemaVersion": 2, "manifests": [manifest_desc]})):
            raw = json.dumps(obj).encode()
            ti = tarfile.TarInfo(name)
            ti.size, ti.mtime = len(raw), 0
            tar.addfile(ti, io.BytesIO(raw))


# ---------------------------------------------------------------------------
# containerd of the suite's own


class Containerd:
    def __init__(self, work, hardrun_bin):
        self.work = work
        self.sock = os.path.join(work, "containerd.sock")
        self.root = os.path.join(work, "root")
        self.state = os.path.join(work, "state")
        self.cni_conf = os.path.join(work, "cni")
        self.cni_data = os.path.join(work, "cni-ipam")
        self.config = os.path.join(work, "config.toml")
        self.log = os.path.join(work, "containerd.log")
        self.hardrun_bin = hardrun_bin
        self.proc = None

    # hardrun's path on the node: where containerd's shim runs it from
    BINARY = "/usr/local/sbin/hardrun"

    def write_config(self):
        """The suite's own containerd settings (its socket and directories,
        the test images, its CNI configuration, restrict_oom_score_adj: this
        host's bounding set lacks CAP_SYS_RESOURCE) as a node's
        /etc/containerd/config.toml under a fake node root, with the hardrun
        handler registered by `hardrun install containerd --node-root`, the
        step the DaemonSet of examples/kubernetes runs on each node."""
        node = os.path.join(self.work, "node")
        os.makedirs(os.path.join(node, "etc", "containerd"), exist_ok=True)
        os.makedirs(os.path.join(node, "usr", "local", "sbin"), exist_ok=True)
        body = f"""# tests/k8s: the suite's own containerd
version = 2
root = "{self.root}"
state = "{self.state}"

[grpc]
  address = "{self.sock}"
[ttrpc]
  address = "{self.sock}.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "{PAUSE}"
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  disable_apparmor = true
[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = "/usr/lib/cni"
  conf_dir = "{self.cni_conf}"
"""
        node_config = os.path.join(node, "etc", "containerd", "config.toml")
        with open(node_config, "w") as f:
            f.write(body)
        node_bin = os.path.join(node, self.BINARY.lstrip("/"))
        shutil.copy2(self.hardrun_bin, node_bin)
        os.chmod(node_bin, 0o755)
        r = subprocess.run([self.hardrun_bin, "install", "containerd", "--node-root", node, "--path", self.BINARY],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("hardrun install containerd failed: " + r.stdout + r.stderr)
        shutil.copy2(node_config, self.config)
        with open(self.config, "rb") as f:
            cfg = tomllib.load(f)
        runtimes = cfg["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]
        return runtimes["hardrun"]["options"]["BinaryName"]

    def write_cni(self):
        os.makedirs(self.cni_conf, exist_ok=True)
        os.makedirs(self.cni_data, exist_ok=True)
        conflist = {
            "cniVersion": "0.4.0", "name": CNI_NAME,
            "plugins": [
                {"type": "bridge", "bridge": CNI_BRIDGE, "isGateway": False, "ipMasq": False,
                 "hairpinMode": True,
                 "ipam": {"type": "host-local", "dataDir": self.cni_data,
                          "ranges": [[{"subnet": CNI_SUBNET}]]}},
                {"type": "loopback"},
            ],
        }
        with open(os.path.join(self.cni_conf, "10-hardrun-k8s.conflist"), "w") as f:
            json.dump(conflist, f, indent=1)

    # Docker sets the FORWARD policy to DROP and loads br_netfilter: bridged
    # traffic between pods must be let through explicitly.
    FORWARD_RULE = ["FORWARD", "-i", CNI_BRIDGE, "-o", CNI_BRIDGE, "-j", "ACCEPT"]

    def start(self):
        for d in (self.root, self.state):
            os.makedirs(d, exist_ok=True)
        self.write_cni()
        if shutil.which("iptables"):
            subprocess.run(["iptables", "-I"] + self.FORWARD_RULE, capture_output=True)
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen(["containerd", "--config", self.config], stdin=subprocess.DEVNULL,
                                     stdout=logf, stderr=logf, start_new_session=True)
        logf.close()
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("containerd exited: " + self.tail())
            if os.path.exists(self.sock) and self.ctr("version", check=False).returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError("containerd did not answer: " + self.tail())

    def tail(self, n=15):
        try:
            with open(self.log, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def ctr(self, *args, check=True):
        return subprocess.run(["ctr", "--address", self.sock, "-n", K8S_NS] + list(args),
                              capture_output=True, text=True, check=check, timeout=120)

    def import_images(self):
        layer = _busybox_layer()
        for ref, entry, cmd in ((IMAGE, None, ["sh"]), (PAUSE, ["/bin/sleep"], ["2147483647"])):
            path = os.path.join(self.work, ref.rsplit("/", 1)[1].replace(":", "-") + ".tar")
            write_oci_archive(path, ref, layer, entry, cmd)
            self.ctr("images", "import", path)

    def stop(self):
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def remove_leftovers(self):
        """Shims, mounts and the bridge this containerd left behind."""
        with contextlib.suppress(FileNotFoundError):
            with open("/proc/self/mountinfo") as f:
                targets = [l.split()[4] for l in f]
            for t in sorted((t for t in targets if t.startswith(self.work)), key=len, reverse=True):
                subprocess.run(["umount", "-l", t], capture_output=True)
        subprocess.run(["ip", "link", "del", CNI_BRIDGE], capture_output=True)
        if shutil.which("iptables"):
            subprocess.run(["iptables", "-D"] + self.FORWARD_RULE, capture_output=True)


# ---------------------------------------------------------------------------
# the CRI client


class Cri:
    def __init__(self, sock):
        import grpc
        self.grpc = grpc
        self.channel = grpc.insecure_channel("unix://" + sock)
        self.rt = api_grpc.RuntimeServiceStub(self.channel)
        self.img = api_grpc.ImageServiceStub(self.channel)

    def call(self, name, req, timeout=90):
        return getattr(self.rt, name)(req, timeout=timeout)

    def version(self):
        return self.call("Version", api.VersionRequest())


class PodError(Exception):
    """A CRI call failed; .details is containerd's message (what kubelet
    shows as the pod's event)."""

    def __init__(self, call, rpc_error):
        self.call = call
        self.details = rpc_error.details() if hasattr(rpc_error, "details") else str(rpc_error)
        super().__init__(f"{call}: {self.details}")


class Pod:
    """One pod as kubelet lays it out: a sandbox with a CNI network (unless
    hostNetwork), kubelet's pod directory under /var/lib/kubelet/pods/UID,
    and containers created in it.  Use as a context manager: everything is
    stopped and removed on the way out, failures included."""

    def __init__(self, cri, handler, name, namespace="default", host_network=False, host_pid=False,
                 privileged=False, annotations=None, run_as_user=None, seccomp_default=False):
        self.cri = cri
        self.handler = handler
        self.name = name
        self.namespace = namespace
        self.uid = str(uuid.uuid4())
        self.dir = os.path.join(KUBELET, self.uid)
        self.host_network = host_network
        self.host_pid = host_pid
        self.privileged = privileged
        self.annotations = annotations or {}
        self.run_as_user = run_as_user
        self.seccomp_default = seccomp_default
        self.id = None
        self.containers = []
        self.config = None

    # -- sandbox

    def _ns_options(self):
        N = api.NamespaceOption
        return N(network=api.NODE if self.host_network else api.POD,
                 pid=api.NODE if self.host_pid else api.CONTAINER, ipc=api.POD)

    def sandbox_config(self):
        sc = api.LinuxSandboxSecurityContext(namespace_options=self._ns_options(), privileged=self.privileged)
        if self.run_as_user is not None:
            sc.run_as_user.value = self.run_as_user
        if self.seccomp_default:
            sc.seccomp.profile_type = api.SecurityProfile.RuntimeDefault
        logdir = os.path.join("/var/log/pods", f"{self.namespace}_{self.name}_{self.uid}")
        os.makedirs(logdir, exist_ok=True)
        labels = {"io.kubernetes.pod.name": self.name, "io.kubernetes.pod.namespace": self.namespace,
                  "io.kubernetes.pod.uid": self.uid, "hardrun-k8s": "1"}
        return api.PodSandboxConfig(
            metadata=api.PodSandboxMetadata(name=self.name, uid=self.uid, namespace=self.namespace, attempt=0),
            # kubelet leaves a host-network pod's hostname to the node
            hostname="" if self.host_network else self.name[:63], log_directory=logdir,
            dns_config=api.DNSConfig(servers=["10.231.77.254"], searches=["default.svc.cluster.local"],
                                     options=["ndots:5"]),
            labels=labels, annotations=dict(self.annotations, **{"kubernetes.io/config.source": "api"}),
            linux=api.LinuxPodSandboxConfig(cgroup_parent=f"/{CGROUP_PARENT}/pod{self.uid}",
                                            security_context=sc))

    def run(self):
        os.makedirs(os.path.join(self.dir, "volumes"), exist_ok=True)
        os.makedirs(os.path.join(self.dir, "containers"), exist_ok=True)
        with open(os.path.join(self.dir, "etc-hosts"), "w") as f:
            f.write(f"# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n{self.name}\n")
        self.config = self.sandbox_config()
        try:
            self.id = self.cri.call("RunPodSandbox", api.RunPodSandboxRequest(
                config=self.config, runtime_handler=self.handler)).pod_sandbox_id
        except self.cri.grpc.RpcError as e:
            self.remove()
            raise PodError("RunPodSandbox", e) from None
        return self

    def status(self):
        return self.cri.call("PodSandboxStatus", api.PodSandboxStatusRequest(pod_sandbox_id=self.id)).status

    def ip(self):
        return self.status().network.ip

    # -- kubelet's volumes

    def volume(self, plugin, name):
        path = os.path.join(self.dir, "volumes", plugin, name)
        os.makedirs(path, exist_ok=True)
        return path

    def empty_dir(self, name):
        path = self.volume("kubernetes.io~empty-dir", name)
        os.chmod(path, 0o777)  # kubelet makes emptyDirs 0777
        return path

    def termination_log(self, container):
        d = os.path.join(self.dir, "containers", container)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, uuid.uuid4().hex[:8])
        open(path, "w").close()
        os.chmod(path, 0o666)
        return path

    def kubelet_mounts(self, container):
        """/etc/hosts and /dev/termination-log, as kubelet adds them to
        every container of a pod on the pod network."""
        mounts = [api.Mount(container_path="/dev/termination-log", host_path=self.termination_log(container))]
        if not self.host_network:
            mounts.append(api.Mount(container_path="/etc/hosts", host_path=os.path.join(self.dir, "etc-hosts")))
        return mounts

    # -- containers

    def create(self, name, command, mounts=(), privileged=False, run_as_user=None, run_as_non_root=False,
               readonly_rootfs=False, drop_all=False, no_new_privs=False, seccomp_default=False, attempt=0,
               kubelet_mounts=True):
        sc = api.LinuxContainerSecurityContext(namespace_options=self._ns_options(), privileged=privileged,
                                               readonly_rootfs=readonly_rootfs, no_new_privs=no_new_privs)
        if run_as_user is not None:
            sc.run_as_user.value = run_as_user
        if drop_all:
            sc.capabilities.drop_capabilities.append("ALL")
        if seccomp_default:
            sc.seccomp.profile_type = api.SecurityProfile.RuntimeDefault
        all_mounts = list(mounts) + (self.kubelet_mounts(name) if kubelet_mounts else [])
        config = api.ContainerConfig(
            metadata=api.ContainerMetadata(name=name, attempt=attempt), image=api.ImageSpec(image=IMAGE),
            command=["sh", "-c", command], envs=[api.KeyValue(key="POD_NAME", value=self.name)],
            mounts=all_mounts, log_path=f"{name}/{attempt}.log",
            labels={"io.kubernetes.container.name": name, "io.kubernetes.pod.name": self.name,
                    "io.kubernetes.pod.namespace": self.namespace, "io.kubernetes.pod.uid": self.uid},
            annotations={"io.kubernetes.container.restartCount": str(attempt),
                         "io.kubernetes.container.terminationMessagePath": "/dev/termination-log"},
            linux=api.LinuxContainerConfig(security_context=sc))
        try:
            cid = self.cri.call("CreateContainer", api.CreateContainerRequest(
                pod_sandbox_id=self.id, config=config, sandbox_config=self.config)).container_id
        except self.cri.grpc.RpcError as e:
            raise PodError("CreateContainer", e) from None
        self.containers.append(cid)
        return cid

    def start(self, cid):
        try:
            self.cri.call("StartContainer", api.StartContainerRequest(container_id=cid))
        except self.cri.grpc.RpcError as e:
            raise PodError("StartContainer", e) from None

    def run_container(self, name, command, **kw):
        cid = self.create(name, command, **kw)
        self.start(cid)
        return cid

    def container_status(self, cid):
        return self.cri.call("ContainerStatus", api.ContainerStatusRequest(container_id=cid)).status

    def wait_exit(self, cid, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            st = self.container_status(cid)
            if st.state == api.CONTAINER_EXITED:
                return st
            time.sleep(0.1)
        raise TimeoutError(f"container {cid[:12]} did not exit")

    def exec_sync(self, cid, command, timeout=20):
        try:
            r = self.cri.call("ExecSync", api.ExecSyncRequest(container_id=cid, cmd=["sh", "-c", command],
                                                              timeout=timeout), timeout=timeout + 10)
        except self.cri.grpc.RpcError as e:
            raise PodError("ExecSync", e) from None
        return r.exit_code, r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")

    def log(self, cid):
        path = self.container_status(cid).log_path
        try:
            with open(path, errors="replace") as f:
                # CRI log lines: TIME STREAM TAG MESSAGE
                return "".join(l.split(" ", 3)[3] if l.count(" ") >= 3 else l for l in f)
        except OSError:
            return ""

    def stop_container(self, cid, grace=2):
        self.cri.call("StopContainer", api.StopContainerRequest(container_id=cid, timeout=grace))

    def remove_container(self, cid):
        self.cri.call("RemoveContainer", api.RemoveContainerRequest(container_id=cid))
        if cid in self.containers:
            self.containers.remove(cid)

    def remove(self):
        """As kubelet tears a pod down: containers stopped and removed, then
        the sandbox; every step tried even when one fails."""
        errors = []
        for cid in list(self.containers):
            for step in (lambda: self.stop_container(cid), lambda: self.remove_container(cid)):
                try:
                    step()
                except Exception as e:  # noqa: BLE001 -- teardown goes on
                    errors.append(str(e))
        if self.id:
            for name, req in (("StopPodSandbox", api.StopPodSandboxRequest(pod_sandbox_id=self.id)),
                              ("RemovePodSandbox", api.RemovePodSandboxRequest(pod_sandbox_id=self.id))):
                try:
                    self.cri.call(name, req)
                except Exception as e:  # noqa: BLE001
                    errors.append(f"{name}: {e}")
            self.id = None
        subprocess.run(["umount", "-R", self.dir], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.config is not None:
            shutil.rmtree(self.config.log_directory, ignore_errors=True)
        return errors

    def __enter__(self):
        return self.run()

    def __exit__(self, *exc):
        self.remove()
        return False
