# SPDX-License-Identifier: Apache-2.0
# Shared setup for the core integration suite: a busybox rootfs built once,
# bundles made from `runc spec`, a test policy with its own audit log, and
# cleanup of every container a test created.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HARDRUN=${HARDRUN:-$REPO/build/runtime/hardrun}
WORK=${HARDRUN_TEST_WORK:-$REPO/tests/integration/.work}

require_runc() {
	if [ "$(id -u)" -ne 0 ] || ! command -v runc >/dev/null || [ ! -x /bin/busybox ] || ! command -v jq >/dev/null; then
		skip "needs root, runc, busybox-static and jq (apt-get install runc busybox-static jq)"
	fi
	[ -x "$HARDRUN" ] || skip "needs the built binary at $HARDRUN (ninja -C build)"
}

# One busybox rootfs for the whole run; mount points precreated, because the
# container's mapped root cannot create them in a host-owned rootfs.
make_rootfs() {
	local root=$WORK/rootfs
	if [ ! -x "$root/bin/busybox" ]; then
		mkdir -p "$root/bin"
		cp /bin/busybox "$root/bin/"
		for applet in $(/bin/busybox --list); do
			[ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
		done
		mkdir -p "$root"/{proc,sys,dev,etc,tmp,run,var/tmp,mnt,root}
	fi
	echo "$root"
}

# new_bundle NAME SCRIPT [JQ_FILTER]: a bundle whose process runs `sh -c SCRIPT`.
new_bundle() {
	local name=$1 script=$2 filter=${3:-.}
	local dir=$BATS_TEST_TMPDIR/$name
	mkdir -p "$dir"
	(cd "$dir" && runc spec)
	jq --arg root "$(make_rootfs)" --arg script "$script" \
		'.root.path = $root | .process.terminal = false | .process.args = ["sh", "-c", $script]' \
		"$dir/config.json" | jq "$filter" >"$dir/config.new"
	mv "$dir/config.new" "$dir/config.json"
	echo "$dir"
}

ALL_CAPS='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_DAC_READ_SEARCH","CAP_FOWNER","CAP_FSETID","CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_LINUX_IMMUTABLE","CAP_NET_BIND_SERVICE","CAP_NET_BROADCAST","CAP_NET_ADMIN","CAP_NET_RAW","CAP_IPC_LOCK","CAP_IPC_OWNER","CAP_SYS_MODULE","CAP_SYS_RAWIO","CAP_SYS_CHROOT","CAP_SYS_PTRACE","CAP_SYS_PACCT","CAP_SYS_ADMIN","CAP_SYS_BOOT","CAP_SYS_NICE","CAP_SYS_TIME","CAP_SYS_TTY_CONFIG","CAP_MKNOD","CAP_LEASE","CAP_AUDIT_WRITE","CAP_AUDIT_CONTROL","CAP_SETFCAP","CAP_MAC_OVERRIDE","CAP_MAC_ADMIN","CAP_SYSLOG","CAP_WAKE_ALARM","CAP_BLOCK_SUSPEND","CAP_AUDIT_READ"]'

# The spec that asks for everything hardrun takes away.
EVERYTHING=".process.noNewPrivileges = false
  | .process.capabilities = {bounding: $ALL_CAPS, effective: $ALL_CAPS, permitted: $ALL_CAPS, inheritable: $ALL_CAPS, ambient: $ALL_CAPS}
  | .root.readonly = false | .linux.maskedPaths = [] | .linux.readonlyPaths = []
  | del(.linux.seccomp) | .linux.resources = {devices: [{allow: true, access: \"rwm\"}]}"

# A policy file: the embedded defaults with the audit log in the test's dir.
# write_policy [EXTRA_JSON [NAME]]
write_policy() {
	local extra=${1:-'{}'} file=$BATS_TEST_TMPDIR/${2:-policy}.json
	jq -n --arg log "$BATS_TEST_TMPDIR/audit.jsonl" '{audit_log: $log}' | jq ". * $extra" >"$file"
	echo "$file"
}

# hr ARGS...: hardrun with the test policy and a JSON log.
hr() {
	"$HARDRUN" --hardrun-policy "$POLICY" --log "$BATS_TEST_TMPDIR/log.json" --log-format json "$@"
}

last_log_msg() {
	tail -n 1 "$BATS_TEST_TMPDIR/log.json" | jq -r .msg
}

CREATED=()
track() { CREATED+=("$1"); }

cleanup_containers() {
	for id in "${CREATED[@]}"; do
		"$HARDRUN" delete -f "$id" >/dev/null 2>&1 || runc delete -f "$id" >/dev/null 2>&1 || true
	done
}

unique_id() { echo "hr-it-$1-$$-$RANDOM"; }

# refute CMD...: fails the test when CMD succeeds.  A bare "! CMD" in the
# middle of a test never fails it: bash's set -e ignores negated commands.
# (tests/lint-negations.sh keeps bare negations out of the suites.)
refute() {
	if "$@"; then
		echo "refute: this succeeded but must not: $*" >&2
		return 1
	fi
	return 0
}
