#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The main job in one command (Debian 12, as root): build and install hardrun,
# then run a real container through it on the embedded default policy.  The
# container asks for everything (--privileged-like: all capabilities, no
# seccomp, writable root, no masked paths, every device); hardrun shows what
# it enforces, and the container reports what it actually got.
set -eu
cd "$(dirname "$0")/.."
REPO=$PWD
WORK=/tmp/hardrun-demo
ID=hardrun-demo-$$

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "installing dependencies and building"
tests/install-deps.sh
[ -f build-release/build.ninja ] || meson setup build-release -Dtests=false -Dbuildtype=release >/dev/null
ninja -C build-release >/dev/null
install -m 0755 build-release/runtime/hardrun /usr/local/sbin/hardrun
echo "installed /usr/local/sbin/hardrun ($(hardrun --version | tail -n 2 | head -n 1))"

step "making a busybox bundle whose spec asks for everything"
rm -rf "$WORK" && mkdir -p "$WORK/rootfs/bin"
cp /bin/busybox "$WORK/rootfs/bin/"
for applet in $(/bin/busybox --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$WORK/rootfs/bin/$applet"
done
mkdir -p "$WORK"/rootfs/{proc,sys,dev,etc,tmp,run,var/tmp,mnt,root}
cd "$WORK"
runc spec
ALL_CAPS='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_DAC_READ_SEARCH","CAP_FOWNER","CAP_FSETID","CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_LINUX_IMMUTABLE","CAP_NET_BIND_SERVICE","CAP_NET_BROADCAST","CAP_NET_ADMIN","CAP_NET_RAW","CAP_IPC_LOCK","CAP_IPC_OWNER","CAP_SYS_MODULE","CAP_SYS_RAWIO","CAP_SYS_CHROOT","CAP_SYS_PTRACE","CAP_SYS_PACCT","CAP_SYS_ADMIN","CAP_SYS_BOOT","CAP_SYS_NICE","CAP_SYS_RESOURCE","CAP_SYS_TIME","CAP_SYS_TTY_CONFIG","CAP_MKNOD","CAP_LEASE","CAP_AUDIT_WRITE","CAP_AUDIT_CONTROL","CAP_SETFCAP","CAP_MAC_OVERRIDE","CAP_MAC_ADMIN","CAP_SYSLOG","CAP_WAKE_ALARM","CAP_BLOCK_SUSPEND","CAP_AUDIT_READ","CAP_PERFMON","CAP_BPF","CAP_CHECKPOINT_RESTORE"]'
SCRIPT='echo "inside the container:"
grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status
echo "uid_map: $(cat /proc/self/uid_map)"
touch /probe 2>/dev/null && echo "write to /: allowed" || echo "write to /: refused (read-only root)"
unshare -U true 2>/dev/null && echo "unshare: allowed" || echo "unshare: refused"
mount -t tmpfs none /mnt 2>/dev/null && echo "mount: allowed" || echo "mount: refused"
echo hello > /tmp/scratch && echo "write to /tmp: allowed (tmpfs)"'
jq --argjson caps "$ALL_CAPS" --arg script "$SCRIPT" '
  .process.terminal = false | .process.args = ["sh", "-c", $script]
  | .process.noNewPrivileges = false
  | .process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps, inheritable: $caps, ambient: $caps}
  | .root.readonly = false
  | .linux.maskedPaths = [] | .linux.readonlyPaths = []
  | del(.linux.seccomp)
  | .linux.resources = {devices: [{allow: true, access: "rwm"}]}' config.json > config.new
mv config.new config.json
echo "spec: $(jq -c '{readonly: .root.readonly, noNewPrivileges: .process.noNewPrivileges, capabilities: (.process.capabilities.bounding | length), seccomp: (.linux.seccomp != null), devices: .linux.resources.devices}' config.json)"

step "what the embedded default policy will do (hardrun check)"
hardrun check --bundle "$WORK" || true

step "running the container through hardrun (hardrun run $ID)"
hardrun --log "$WORK/log.json" --log-format json run "$ID"

step "the audit line"
tail -n 1 /var/log/hardrun/audit.jsonl | jq -c '{container, profile, decision, changes: (.decisions | length)}'
hardrun delete -f "$ID" >/dev/null 2>&1 || true
echo
echo "done: $WORK holds the bundle, its config.json exactly as written: runc ran a private hardened copy under /run/hardrun/bundles, released by the delete"
