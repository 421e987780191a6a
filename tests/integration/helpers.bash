# SPDX-License-Identifier: Apache-2.0
# Shared setup of the integration suites: hardrun in front of the real runc,
# real containers on a busybox rootfs.  Each .bats file does
#
#   load helpers
#   setup()    { hr_setup; }
#   teardown() { hr_teardown; }
#
# and then makes bundles (make_bundle), runs hardrun through `hr` (the test
# policy and a JSON --log file), and asserts what the container reports
# about itself.
#
# Environment:
#   HARDRUN       the hardrun binary (default: $REPO/build/runtime/hardrun)
#   RUNC          the real runc (default: the first runc in PATH that is not
#                 a hardrun installed as runc)
#   CC            the C compiler for the static probe (default: cc)
#   HARDRUN_IT_CACHE  where the busybox rootfs and the probe are built once
#                 per run (default: $BATS_RUN_TMPDIR/hardrun-it)

bats_require_minimum_version 1.5.0

# A hardrun that hangs (or a container that never exits) fails its test
# instead of stalling the run.
BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-300}

HELPERS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HELPERS_DIR/../.." && pwd)
HARDRUN=${HARDRUN:-$REPO/build/runtime/hardrun}

# find_real_runc: the first runc in PATH that is not a hardrun installed as
# runc (the end-to-end suites do that to close `--runtime=runc`).
find_real_runc() {
	local dir
	local IFS=:
	for dir in $PATH /usr/sbin /usr/bin /sbin /bin; do
		if [ -x "$dir/runc" ] && ! "$dir/runc" --version 2>/dev/null | grep -q '^hardrun version'; then
			echo "$dir/runc"
			return
		fi
	done
	echo /usr/sbin/runc
}
RUNC=${RUNC:-$(find_real_runc)}
BUSYBOX=${BUSYBOX:-$(command -v busybox 2>/dev/null || echo /bin/busybox)}
HR_CACHE=${HARDRUN_IT_CACHE:-${BATS_RUN_TMPDIR:-$HELPERS_DIR/.work}/hardrun-it}
FIXTURES=$REPO/tests/fixtures

# all_caps_json: every capability this kernel has (0 to cap_last_cap), named
# by libcap (capsh), as a JSON array.  Derived, not written out, so that it
# cannot go stale when a kernel adds one (a written-out copy missed
# CAP_SYS_RESOURCE and everything after CAP_AUDIT_READ).
all_caps_json() {
	local last
	last=$(cat /proc/sys/kernel/cap_last_cap 2>/dev/null) && command -v capsh >/dev/null || return 1
	capsh --decode="$(printf '0x%x' $(((1 << (last + 1)) - 1)))" |
		jq -Rc 'sub("^[^=]*="; "") | ascii_upcase | split(",") | map(select(startswith("CAP_")))'
}
ALL_CAPS=$(all_caps_json 2>/dev/null)
[[ $ALL_CAPS == '["CAP_'* ]] || ALL_CAPS='[]'

# The default policy's capability allowlist as /proc/PID/status shows it:
# CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID NET_BIND_SERVICE.
ALLOWED_CAPS=00000000000004fb

# A jq filter: the spec that asks for everything the baseline takes away.
EVERYTHING_FILTER=".process.noNewPrivileges = false
  | .process.capabilities = {bounding: \$all, effective: \$all, permitted: \$all, inheritable: \$all, ambient: \$all}
  | .root.readonly = false
  | .linux.maskedPaths = [] | .linux.readonlyPaths = []
  | del(.linux.seccomp) | del(.linux.uidMappings) | del(.linux.gidMappings)
  | .linux.namespaces |= map(select(.type != \"user\"))
  | .linux.resources.devices = [{allow: true, access: \"rwm\"}]"

# What the container tells about itself: its status lines, its id map, and
# the probe's verdicts (when the probe could be built).
REPORT_SCRIPT='cat /proc/self/status
echo "uid_map=$(cat /proc/self/uid_map)"
if [ -x /bin/probe ]; then /bin/probe; fi'

# ---------------------------------------------------------------------------
# requirements

# hr_missing: prints what this host lacks for the suites, nothing when ready.
hr_missing() {
	local need=()
	[ "$(id -u)" -eq 0 ] || need+=("root")
	[ -x "$RUNC" ] || need+=("runc")
	[ -x "$BUSYBOX" ] || need+=("busybox-static")
	command -v jq >/dev/null || need+=("jq")
	[ "$ALL_CAPS" != '[]' ] || need+=("capsh (libcap2-bin)")
	if [ ${#need[@]} -gt 0 ]; then
		echo "needs root and runc, busybox-static, jq (missing: ${need[*]}): run as root after apt-get install runc busybox-static jq bats"
		return
	fi
	if [ ! -x "$HARDRUN" ]; then
		echo "needs the hardrun binary at $HARDRUN: build it with 'cd $REPO && ninja -C build' or set HARDRUN"
	fi
}

hr_require() {
	local why
	why=$(hr_missing)
	[ -z "$why" ] || skip "$why"
}

# have_probe: the static probe was built (needs a C compiler with a static libc).
have_probe() {
	[ -x "$(hr_rootfs)/bin/probe" ]
}

require_probe() {
	have_probe || skip "needs 'cc -static' (apt-get install gcc libc6-dev) to build the probe: $(cat "$HR_CACHE/probe.err" 2>/dev/null | head -n 3)"
}

# ---------------------------------------------------------------------------
# the rootfs, built once per run

# busybox_rootfs DIR: busybox with a link for each applet in DIR/bin, and the
# directories every container mounts on; the one rootfs builder of the
# integration and end-to-end suites (tests/e2e/engines.bash's image).
busybox_rootfs() {
	local applet
	mkdir -p "$1/bin" "$1"/{proc,sys,dev,tmp,run,var/tmp,etc}
	cp "$BUSYBOX" "$1/bin/busybox"
	for applet in $("$BUSYBOX" --list); do
		[ "$applet" = busybox ] || ln -sf busybox "$1/bin/$applet"
	done
}

# hr_rootfs: the path of the shared busybox rootfs, building it the first
# time.  Mount points are precreated: a container's root in a user namespace
# cannot create them in a rootfs owned by the host's root.
hr_rootfs() {
	local root=$HR_CACHE/rootfs tmp
	if [ -f "$HR_CACHE/rootfs.done" ]; then
		echo "$root"
		return
	fi
	mkdir -p "$HR_CACHE"
	tmp=$(mktemp -d "$HR_CACHE/rootfs.XXXXXX")
	busybox_rootfs "$tmp"
	mkdir -p "$tmp"/{mnt,root,home}
	ln -s ../run "$tmp/var/run"
	: >"$tmp/etc/hosts"
	: >"$tmp/etc/hostname"
	: >"$tmp/etc/resolv.conf"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$tmp/etc/passwd"
	echo 'root:x:0:' >"$tmp/etc/group"
	if ! "${CC:-cc}" -static -O2 -o "$tmp/bin/probe" "$HELPERS_DIR/probe.c" 2>"$HR_CACHE/probe.err"; then
		rm -f "$tmp/bin/probe"
	fi
	chmod -R go-w "$tmp"
	chmod 755 "$tmp"
	chmod 1777 "$tmp/tmp" "$tmp/var/tmp"
	rm -rf "$root"
	mv "$tmp" "$root"
	touch "$HR_CACHE/rootfs.done"
	echo "$root"
}

# private_rootfs NAME: a copy of the rootfs only this test uses, for
# containers (plain runc) that may write into their root.
private_rootfs() {
	local dst=$BATS_TEST_TMPDIR/rootfs-$1
	cp -a "$(hr_rootfs)" "$dst"
	echo "$dst"
}

# ---------------------------------------------------------------------------
# bundles and policies

# spec_template: `runc spec` output, made once per run.
spec_template() {
	local t=$HR_CACHE/runc-spec.json dir
	if [ ! -f "$t" ]; then
		mkdir -p "$HR_CACHE"
		dir=$(mktemp -d "$HR_CACHE/spec.XXXXXX") || return 1
		(cd "$dir" && "$RUNC" spec) || return 1
		mv "$dir/config.json" "$t"
		rmdir "$dir"
	fi
	echo "$t"
}

# make_bundle NAME SCRIPT [JQ_FILTER [ROOTFS]]: a bundle directory under the
# test's tmpdir whose process runs `sh -c SCRIPT` on the busybox rootfs.
# JQ_FILTER is applied last; in it $all (every capability), $root and
# $docker_seccomp (docker 20.10's default profile, from the fixtures) are
# defined.
make_bundle() {
	local name=$1 script=$2 filter=${3:-.} root=${4:-}
	local dir=$BATS_TEST_TMPDIR/$name
	[ -n "$root" ] || root=$(hr_rootfs)
	mkdir -p "$dir"
	jq --arg root "$root" --arg script "$script" --argjson all "$ALL_CAPS" \
		--argjson docker_seccomp "$(jq -c .linux.seccomp "$FIXTURES/docker-20.10/default/config.json")" "
		.root.path = \$root
		| .process.terminal = false
		| .process.args = [\"/bin/sh\", \"-c\", \$script]
		| .process.env = [\"PATH=/bin\", \"HOME=/root\"]
		| $filter" "$(spec_template)" >"$dir/config.json" || return 1
	echo "$dir"
}

# write_policy [EXTRA_JSON [NAME]]: a policy file in the test's tmpdir: the
# embedded defaults plus an audit log of the test's own and the real runc
# named as the runtime (whatever else PATH holds meanwhile), merged with EXTRA.
write_policy() {
	local extra=${1:-'{}'} file=$BATS_TEST_TMPDIR/${2:-policy}.json
	jq -n --arg log "$AUDIT" --arg runc "$RUNC" --argjson extra "$extra" \
		'{audit_log: $log, runtime: $runc} * $extra' >"$file" || return 1
	echo "$file"
}

# ---------------------------------------------------------------------------
# running things

# A test may set RUNC_ROOT to keep its containers in a runc state directory
# of its own (`runc list` then shows only them, whatever else runs here).
RUNC_ROOT=${RUNC_ROOT:-}

# hr ARGS...: hardrun with the test policy and runc's JSON log options.
hr() {
	"$HARDRUN" --hardrun-policy "$POLICY" --log "$LOG" --log-format json ${RUNC_ROOT:+--root "$RUNC_ROOT"} "$@"
}

# runc_ ARGS...: the real runc, with the test's RUNC_ROOT if any.
runc_() {
	"$RUNC" ${RUNC_ROOT:+--root "$RUNC_ROOT"} "$@"
}

# new_id NAME: a container id no other test or run uses; it is deleted in
# teardown whatever happens.
new_id() {
	local id
	id="hrit-$1-$BATS_SUITE_TEST_NUMBER-$$-$RANDOM"
	track "$id"
	echo "$id"
}

track() {
	echo "$1" >>"$BATS_TEST_TMPDIR/.containers"
}

# track_path PATH: a host path outside the test's tmpdir, made by the test
# and only by it, that teardown removes (rm -rf).
track_path() {
	echo "rm $1" >>"$BATS_TEST_TMPDIR/.paths"
}

# track_dir DIR: a directory the test created where others may put things
# meanwhile: teardown removes it only if it is empty by then.
track_dir() {
	echo "rmdir $1" >>"$BATS_TEST_TMPDIR/.paths"
}

# container_state ID: runc's status of the container ("" when none).
container_state() {
	runc_ state "$1" 2>/dev/null | jq -r .status 2>/dev/null
}

container_exists() {
	runc_ state "$1" >/dev/null 2>&1
}

# wait_stopped ID [SECONDS]
wait_stopped() {
	local i
	for i in $(seq $((${2:-10} * 10))); do
		[ "$(container_state "$1")" = stopped ] && return 0
		sleep 0.1
	done
	echo "container $1 did not stop: $(container_state "$1")"
	return 1
}

# wait_running ID: the container's process is past exec (not "created").
wait_running() {
	local i
	for i in $(seq 100); do
		[ "$(container_state "$1")" = running ] && return 0
		sleep 0.1
	done
	echo "container $1 is not running: $(container_state "$1")"
	return 1
}

# run_files CMD...: like `run --separate-stderr`, but stdout and stderr go
# through files: a container that `create` made (which holds its stdio open
# until it exits) cannot block the test when a refusal fails to happen.
run_files() {
	local out=$BATS_TEST_TMPDIR/.run.out err=$BATS_TEST_TMPDIR/.run.err
	status=0
	"$@" >"$out" 2>"$err" </dev/null || status=$?
	output=$(cat "$out")
	stderr=$(cat "$err")
}

# ---------------------------------------------------------------------------
# assertions on output and logs

# field NAME [TEXT]: the value of "NAME:<tab>value" (or "NAME=value") in TEXT
# (default $output), e.g. `field CapEff`, `field keyctl`.
field() {
	local text=${2-$output}
	printf '%s\n' "$text" | awk -v k="$1" '
		index($0, k ":") == 1 { v = substr($0, length(k) + 2); sub(/^[ \t]+/, "", v); print v; exit }
		index($0, k "=") == 1 { print substr($0, length(k) + 2); exit }'
}

# caps_within HEX [ALLOWED]: a capability mask is a subset of the allowlist.
caps_within() {
	local v=$1 allowed=${2:-$ALLOWED_CAPS}
	[ -n "$v" ] || return 1
	(((0x$v & ~0x$allowed) == 0))
}

# assert_hardened_status: $output holds /proc/self/status of a hardened process.
assert_hardened_status() {
	local eff bnd
	eff=$(field CapEff)
	bnd=$(field CapBnd)
	echo "CapEff=$eff CapBnd=$bnd NoNewPrivs=$(field NoNewPrivs) Seccomp=$(field Seccomp)"
	caps_within "$eff"
	caps_within "$bnd"
	caps_within "$(field CapPrm)"
	[ "$(field CapInh)" = 0000000000000000 ]
	[ "$(field CapAmb)" = 0000000000000000 ]
	[ "$(field NoNewPrivs)" = 1 ]
	[ "$(field Seccomp)" = 2 ]
}

# assert_userns: the uid_map= line is a private range, not the host's ids.
assert_userns() {
	local map
	map=$(field uid_map)
	echo "uid_map: $map"
	read -r inside outside count <<<"$map"
	[ "$inside" = 0 ]
	[ "$outside" -ge 100000 ]
	[ "$count" = 65536 ]
}

# log_last: the last line hardrun (or runc) wrote to the --log file.
log_last() {
	tail -n 1 "$LOG"
}

# assert_log_error PATTERN: the last --log line is a JSON error line, in
# runc's form, whose msg starts with "hardrun: " and matches PATTERN (ERE).
assert_log_error() {
	local line
	[ -s "$LOG" ] || {
		echo "no --log output"
		return 1
	}
	line=$(log_last)
	echo "log: $line"
	jq -e '.level == "error" and (.msg | type == "string") and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T"))' <<<"$line" >/dev/null
	jq -r .msg <<<"$line" | grep -q '^hardrun: '
	jq -r .msg <<<"$line" | grep -Eq -- "$1"
}

# hr_refused COMMAND BUNDLE ID PATTERN: `hr COMMAND` of the bundle fails
# with PATTERN in the --log file, and no container exists.
hr_refused() {
	run hr "$1" --bundle "$2" "$3"
	echo "$output"
	[ "$status" -eq 1 ]
	assert_log_error "$4"
	refute container_exists "$3"
}

# audit_last_for ID: the last audit line about container ID.
audit_last_for() {
	[ -f "$AUDIT" ] || return 1
	jq -c --arg id "$1" 'select(.container == $id)' "$AUDIT" | tail -n 1
}

# ---------------------------------------------------------------------------
# setup and teardown

hr_setup() {
	hr_require
	hr_rootfs >/dev/null
	AUDIT=$BATS_TEST_TMPDIR/audit.jsonl
	LOG=$BATS_TEST_TMPDIR/log.json
	POLICY=$(write_policy)
	: >"$BATS_TEST_TMPDIR/.containers"
	: >"$BATS_TEST_TMPDIR/.paths"
	cd "$BATS_TEST_TMPDIR" || return 1
}

# Deletes every container the test made (through hardrun, so it also frees
# the id range and the staging mounts; runc directly as a fallback) and the
# host paths it created, whether the test passed or not.
hr_teardown() {
	local id p
	cd / || true
	if [ -f "$BATS_TEST_TMPDIR/.containers" ]; then
		while read -r id; do
			[ -n "$id" ] || continue
			"$HARDRUN" ${POLICY:+--hardrun-policy "$POLICY"} ${RUNC_ROOT:+--root "$RUNC_ROOT"} delete -f "$id" >/dev/null 2>&1 || true
			runc_ delete -f "$id" >/dev/null 2>&1 || true
		done <"$BATS_TEST_TMPDIR/.containers"
	fi
	if [ -f "$BATS_TEST_TMPDIR/.paths" ]; then
		# newest first: what was made inside a directory goes before it
		tac "$BATS_TEST_TMPDIR/.paths" | while read -r how p; do
			case "$how" in
			rm) rm -rf -- "$p" ;;
			rmdir) rmdir -- "$p" 2>/dev/null || true ;;
			esac
		done
	fi
}

# hardened_spec ID: the spec hardrun handed runc for container ID, the
# config.json of its private bundle under /run/hardrun/bundles (hardrun never
# writes the caller's); it stays there until the container is deleted.
hardened_spec() {
	local f
	f=$(ls -t /run/hardrun/bundles/*/"$1".*/config.json 2>/dev/null | head -n 1)
	[ -n "$f" ] || {
		echo "no private bundle for $1" >&2
		return 1
	}
	echo "$f"
}

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
