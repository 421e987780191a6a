# SPDX-License-Identifier: Apache-2.0
# Shared helpers of the end-to-end suites: the real engines (dockerd,
# containerd, podman) driving hardrun.
#
# setup_suite.bash calls e2e_suite_setup once for the whole `bats tests/e2e`
# run: it installs the freshly built hardrun at /usr/local/sbin/hardrun,
# installs examples/policies/profiles.json at /etc/hardrun/profiles.json,
# registers it with docker by `hardrun install docker` (the runtimes of
# examples/docker/daemon.json in /etc/docker/daemon.json, a running dockerd
# reloaded with SIGHUP), starts containerd and dockerd when they are not
# running and imports the busybox image.  e2e_suite_teardown removes what
# the run created, puts daemon.json back with `hardrun install docker
# --uninstall`, restores /etc/hardrun, and stops only the daemons it started.
#
# Each .bats file does `load engines` and `setup() { e2e_require; }`,
# `teardown() { e2e_cleanup; }`.
#
# Environment:
#   HARDRUN            the binary to install (default: build-e2e/, else build/)
#   E2E_TIMEOUT        seconds for one docker/ctr/podman call (default 90)
#   E2E_STATE          the run's bookkeeping (default /run/hardrun-e2e)

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$E2E_DIR/../.." && pwd)
if [ -z "${HARDRUN:-}" ]; then
	HARDRUN=$REPO/build-e2e/runtime/hardrun
	[ -x "$HARDRUN" ] || HARDRUN=$REPO/build/runtime/hardrun
fi
# The one helper library of the bats suites (tests/integration/helpers.bash):
# the busybox rootfs builder, field, refute.  What is here is engine-specific.
# Its per-test timeout is not for these suites: each engine call is bounded
# (E2E_TIMEOUT) and a test makes many.
e2e_test_timeout=${BATS_TEST_TIMEOUT-}
# shellcheck source=../integration/helpers.bash
source "$E2E_DIR/../integration/helpers.bash"
if [ -n "$e2e_test_timeout" ]; then BATS_TEST_TIMEOUT=$e2e_test_timeout; else unset BATS_TEST_TIMEOUT; fi
HR_BIN=/usr/local/sbin/hardrun
HR_STATE=/run/hardrun
E2E_TIMEOUT=${E2E_TIMEOUT:-90}
E2E_STATE=${E2E_STATE:-/run/hardrun-e2e}
# Debian's docker.io client (20.10) when present: /usr/local/bin may hold
# another one first in PATH.
DOCKER=${E2E_DOCKER:-$([ -x /usr/bin/docker ] && echo /usr/bin/docker || command -v docker || echo docker)}
E2E_IMAGE=hardrun-e2e-busybox
E2E_LABEL=hardrun-e2e
E2E_NS=hardrun-e2e
E2E_PROFILES=/etc/hardrun/profiles.json
E2E_AUDIT=$E2E_STATE/audit.jsonl
DOCKER_SOCK=/var/run/docker.sock
CONTAINERD_SOCK=/run/containerd/containerd.sock
# as dockerd passes it in --root (and so as hardrun records it)
DOCKER_RUNC_ROOT=/var/run/docker/runtime-runc/moby
# The default policy's capability allowlist as /proc/PID/status shows it:
# CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID NET_BIND_SERVICE.
CAPS_DEFAULT=00000000000004fb
CAPS_NONE=0000000000000000

# What a container reports about itself, one "key: value" a line.
PROBE='grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status
echo "uid_map: $(awk "{print \$1, \$2, \$3}" /proc/self/uid_map | tr "\n" ";")"
echo "gid_map: $(awk "{print \$1, \$2, \$3}" /proc/self/gid_map | tr "\n" ";")"
echo "owner: $(stat -c %u:%g /bin/busybox)"
echo "uid: $(id -u):$(id -g)"
if touch /x 2>/dev/null; then echo "rootfs: writable"; else echo "rootfs: read-only"; fi'

# ---------------------------------------------------------------------------
# wrappers: every engine call is bounded

d() { timeout --kill-after=10 "$E2E_TIMEOUT" "$DOCKER" "$@"; }
c() { timeout --kill-after=10 "$E2E_TIMEOUT" ctr "$@"; }
p() { timeout --kill-after=10 "$E2E_TIMEOUT" podman "$@"; }

# drun ARGS...: a labelled, removed-on-exit docker run through hardrun.
drun() { d run --rm --label "$E2E_LABEL" --runtime=hardrun "$@"; }

# ---------------------------------------------------------------------------
# requirements

# e2e_missing: why this host cannot run the suites (nothing when it can).
e2e_missing() {
	local need=() cmd
	if [ "$(id -u)" -ne 0 ]; then
		echo "needs root and docker.io + containerd: apt-get install docker.io containerd (run bats as root)"
		return
	fi
	for cmd in docker dockerd containerd ctr runc jq timeout; do
		command -v "$cmd" >/dev/null || need+=("$cmd")
	done
	[ -x /bin/busybox ] || need+=(busybox-static)
	if [ ${#need[@]} -gt 0 ]; then
		echo "needs root and docker.io + containerd: apt-get install docker.io containerd runc busybox-static jq (missing: ${need[*]})"
		return
	fi
	[ -x "$HARDRUN" ] || echo "needs the built hardrun at $HARDRUN: meson setup build-e2e -Dtests=false && ninja -C build-e2e, or set HARDRUN"
}

# In a test's setup(): skip when the host lacks what the suites need, fail
# when the engines should have come up and did not.
e2e_require() {
	local why
	why=$(e2e_missing)
	[ -z "$why" ] || skip "$why"
	if [ -f "$E2E_STATE/broken" ]; then
		echo "the engines did not come up: $(cat "$E2E_STATE/broken")" >&2
		return 1
	fi
}

# ---------------------------------------------------------------------------
# daemons

containerd_up() { timeout 5 ctr --address "$CONTAINERD_SOCK" version >/dev/null 2>&1; }
dockerd_up() { timeout 10 "$DOCKER" info >/dev/null 2>&1; }

# wait_for SECONDS COMMAND...: poll every 0.2 s.
wait_for() {
	local deadline=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}

docker_has_runtimes() {
	local rt
	rt=$(timeout 10 "$DOCKER" info --format '{{json .Runtimes}}' 2>/dev/null) || return 1
	for name in "$@"; do
		echo "$rt" | jq -e --arg n "$name" 'has($n)' >/dev/null || return 1
	done
}

# The pid of a running dockerd (the newest one), empty when none.
dockerd_pid() { pgrep -n -x dockerd || true; }

# start_dockerd: starts dockerd, records its pid in $E2E_STATE/dockerd.pid.
start_dockerd() {
	# its own session, no descriptor of bats' (bats waits for those)
	setsid dockerd --containerd="$CONTAINERD_SOCK" </dev/null >>"$E2E_STATE/dockerd.log" 2>&1 3>&- &
	echo $! >"$E2E_STATE/dockerd.pid"
	wait_for 60 dockerd_up
}

# stop_pid PIDFILE: TERM the recorded process, wait for it (KILL after 30 s).
stop_pid() {
	local file=$1 pid
	[ -f "$file" ] || return 0
	pid=$(cat "$file")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	fi
	rm -f "$file"
}

# The daemon.json of the suite: the runtimes of examples/docker/daemon.json
# registered by hardrun install (the installed binary's path), over the
# host's own daemon.json (hardrun install keeps it under
# /var/lib/hardrun/install/docker and computes the file from it).  --force:
# a test may have written the file by hand.
write_daemon_json() {
	"$HR_BIN" install docker --force "$@" >>"$E2E_STATE/install.log" 2>&1
}

# reload_dockerd: SIGHUP and wait until the runtimes of daemon.json show.
reload_dockerd() {
	local pid
	pid=$(dockerd_pid)
	[ -n "$pid" ] || return 1
	kill -HUP "$pid"
	wait_for 30 docker_has_runtimes "$@"
}

# ---------------------------------------------------------------------------
# the image

# A busybox rootfs as a tar on stdout-less disk: $E2E_STATE/busybox.tar.
busybox_tar() {
	local root=$E2E_STATE/rootfs tar=$E2E_STATE/busybox.tar
	if [ ! -s "$tar" ]; then
		rm -rf "$root"
		busybox_rootfs "$root"
		tar -C "$root" -c . >"$tar"
		rm -rf "$root"
	fi
	echo "$tar"
}

ensure_docker_image() {
	d image inspect "$E2E_IMAGE" >/dev/null 2>&1 && return 0
	d import -c 'ENV PATH=/bin' "$(busybox_tar)" "$E2E_IMAGE" >/dev/null || return 1
	touch "$E2E_STATE/docker-image.imported"
}

# ---------------------------------------------------------------------------
# suite setup and teardown

e2e_suite_setup() {
	[ -z "$(e2e_missing)" ] || return 0
	mkdir -p "$E2E_STATE"
	rm -f "$E2E_STATE/broken" "$E2E_AUDIT"
	if ! e2e_suite_setup_engines; then
		echo "$E2E_BROKEN_WHY" >"$E2E_STATE/broken"
		echo "e2e setup: $E2E_BROKEN_WHY" >&2
	fi
	return 0
}

e2e_suite_setup_engines() {
	E2E_BROKEN_WHY=
	install -m 0755 "$HARDRUN" "$HR_BIN"
	# /etc/hardrun/profiles.json for the daemon.json profiles, with the audit
	# log where the suites read it (the only change to the example).
	if [ ! -d /etc/hardrun ]; then
		mkdir -p /etc/hardrun
		touch "$E2E_STATE/etc-hardrun.created"
	fi
	if [ ! -e "$E2E_STATE/profiles.json.orig" ] && [ ! -e "$E2E_STATE/profiles.json.absent" ]; then
		if [ -e "$E2E_PROFILES" ]; then
			cp -a "$E2E_PROFILES" "$E2E_STATE/profiles.json.orig"
		else
			touch "$E2E_STATE/profiles.json.absent"
		fi
	fi
	jq --arg log "$E2E_AUDIT" '.audit_log = $log' "$REPO/examples/policies/profiles.json" >"$E2E_PROFILES"

	if ! write_daemon_json; then
		E2E_BROKEN_WHY="hardrun install docker failed: $(tail -n 3 "$E2E_STATE/install.log")"
		return 1
	fi

	if ! containerd_up; then
		setsid containerd </dev/null >>"$E2E_STATE/containerd.log" 2>&1 3>&- &
		echo $! >"$E2E_STATE/containerd.pid"
		if ! wait_for 30 containerd_up; then
			E2E_BROKEN_WHY="containerd did not start: $(tail -n 5 "$E2E_STATE/containerd.log")"
			return 1
		fi
	fi
	if [ -z "$(dockerd_pid)" ]; then
		if ! start_dockerd; then
			E2E_BROKEN_WHY="dockerd did not start: $(tail -n 5 "$E2E_STATE/dockerd.log")"
			return 1
		fi
	elif ! wait_for 30 dockerd_up; then
		E2E_BROKEN_WHY="a dockerd is running but does not answer on $DOCKER_SOCK"
		return 1
	fi
	if ! reload_dockerd hardrun hardrun-strict hardrun-rollout hardrun-quarantine; then
		E2E_BROKEN_WHY="dockerd does not list the runtimes of examples/docker/daemon.json after SIGHUP"
		return 1
	fi
	if ! ensure_docker_image; then
		E2E_BROKEN_WHY="docker import of the busybox image failed"
		return 1
	fi
}

e2e_suite_teardown() {
	[ -z "$(e2e_missing)" ] || return 0
	[ -d "$E2E_STATE" ] || return 0
	lockdown_undo
	if dockerd_up; then
		remove_labelled_containers
		if [ -e "$E2E_STATE/docker-image.imported" ]; then
			d rmi -f "$E2E_IMAGE" >/dev/null 2>&1 || true
			rm -f "$E2E_STATE/docker-image.imported"
		fi
	fi
	ctr_cleanup_namespace
	if command -v podman >/dev/null; then
		podman_cleanup
		if [ -e "$E2E_STATE/podman-image.imported" ]; then
			p rmi -f "$E2E_IMAGE" >/dev/null 2>&1 || true
			rm -f "$E2E_STATE/podman-image.imported"
		fi
	fi
	# daemon.json as it was (--force: a test may have left its own edit)
	"$HR_BIN" install docker --uninstall --force >>"$E2E_STATE/install.log" 2>&1 || true
	if [ -f "$E2E_STATE/dockerd.pid" ]; then
		stop_pid "$E2E_STATE/dockerd.pid"
	elif [ -n "$(dockerd_pid)" ]; then
		kill -HUP "$(dockerd_pid)" 2>/dev/null || true
	fi
	stop_pid "$E2E_STATE/containerd.pid"
	# /etc/hardrun as it was
	if [ -e "$E2E_STATE/profiles.json.orig" ]; then
		mv "$E2E_STATE/profiles.json.orig" "$E2E_PROFILES"
	elif [ -e "$E2E_STATE/profiles.json.absent" ]; then
		rm -f "$E2E_PROFILES" "$E2E_STATE/profiles.json.absent"
	fi
	if [ -e "$E2E_STATE/etc-hardrun.created" ]; then
		rmdir /etc/hardrun 2>/dev/null || true
		rm -f "$E2E_STATE/etc-hardrun.created"
	fi
	rm -rf "$E2E_STATE/rootfs" "$E2E_STATE/busybox.tar"
	return 0
}

# ---------------------------------------------------------------------------
# per-test cleanup

remove_labelled_containers() {
	local ids
	ids=$(d ps -aq --filter "label=$E2E_LABEL" 2>/dev/null) || return 0
	[ -z "$ids" ] || echo "$ids" | xargs -r -n 16 timeout 120 "$DOCKER" rm -f >/dev/null 2>&1 || true
}

ctr_cleanup_namespace() {
	local addr=${1:-$CONTAINERD_SOCK} id
	timeout 10 ctr --address "$addr" namespaces ls -q 2>/dev/null | grep -qx "$E2E_NS" || return 0
	for id in $(timeout 10 ctr --address "$addr" -n "$E2E_NS" tasks ls -q 2>/dev/null); do
		timeout 20 ctr --address "$addr" -n "$E2E_NS" tasks kill -s KILL "$id" >/dev/null 2>&1 || true
		timeout 20 ctr --address "$addr" -n "$E2E_NS" tasks delete -f "$id" >/dev/null 2>&1 || true
	done
	for id in $(timeout 10 ctr --address "$addr" -n "$E2E_NS" containers ls -q 2>/dev/null); do
		timeout 20 ctr --address "$addr" -n "$E2E_NS" containers delete "$id" >/dev/null 2>&1 || true
	done
	timeout 30 ctr --address "$addr" -n "$E2E_NS" images ls -q 2>/dev/null |
		xargs -r timeout 30 ctr --address "$addr" -n "$E2E_NS" images rm >/dev/null 2>&1 || true
	timeout 10 ctr --address "$addr" namespaces rm "$E2E_NS" >/dev/null 2>&1 || true
}

podman_cleanup() {
	timeout 60 podman ps -aq --filter "label=$E2E_LABEL" 2>/dev/null |
		xargs -r timeout 60 podman rm -f >/dev/null 2>&1 || true
}

# In a test's teardown(): whatever the test left running goes.
e2e_cleanup() {
	[ -z "$(e2e_missing)" ] || return 0
	remove_labelled_containers
	[ -z "${E2E_TEARDOWN_EXTRA:-}" ] || eval "$E2E_TEARDOWN_EXTRA"
	return 0
}

# ---------------------------------------------------------------------------
# lock-down: hardrun installed as `runc` in front of /usr/sbin/runc.  The
# runc v2 shim that runs Docker's containers resolves "runc" in the PATH it
# inherits from containerd (not dockerd's), so the copy goes where every
# standard PATH, and hardrun's own search list, looks before /usr/sbin.

LOCKDOWN_RUNC=/usr/local/sbin/runc

lockdown_install() {
	[ ! -e "$LOCKDOWN_RUNC" ] || return 1
	touch "$E2E_STATE/lockdown.active"
	install -m 0755 "$HR_BIN" "$LOCKDOWN_RUNC"
}

lockdown_undo() {
	[ -e "$E2E_STATE/lockdown.active" ] || return 0
	if [ -e "$LOCKDOWN_RUNC" ] && cmp -s "$LOCKDOWN_RUNC" "$HR_BIN"; then
		rm -f "$LOCKDOWN_RUNC"
	fi
	rm -f "$E2E_STATE/lockdown.active"
}

# ---------------------------------------------------------------------------
# assertions on what a container reported (its $output)

# field KEY (helpers.bash): the value of "KEY:<tab or space>VALUE" in $output.

# expect_field KEY VALUE
expect_field() {
	local got
	got=$(field "$1")
	if [ "$got" != "$2" ]; then
		echo "expected $1 \"$2\", the container reports \"$got\"" >&2
		return 1
	fi
}

# expect_output_contains TEXT
expect_output_contains() {
	if [[ "$output" != *"$1"* ]]; then
		echo "expected the output to contain: $1" >&2
		return 1
	fi
}

# expect_userns: a private mapping "0 N 65536" with N > 0, for uids and gids.
expect_userns() {
	local map
	for map in uid_map gid_map; do
		if ! [[ "$(field $map)" =~ ^0\ [1-9][0-9]*\ 65536\;$ ]]; then
			echo "expected $map \"0 N 65536\" with N > 0 (a private range), the container reports \"$(field $map)\"" >&2
			return 1
		fi
	done
}

# expect_hardened [CAPEFF]: what the default baseline gives, seen from inside.
expect_hardened() {
	local caps=${1:-$CAPS_DEFAULT}
	expect_field CapEff "$caps"
	expect_field NoNewPrivs 1
	expect_field Seccomp 2
	expect_userns
	expect_field owner 0:0
	expect_field rootfs read-only
}

# expect_refused RULE TEXT...: a failed run whose output names the rule and
# carries hardrun's message.
expect_refused() {
	local rule=$1 text
	shift
	if [ "$status" -eq 0 ]; then
		echo "expected the container to be refused, it ran (status 0)" >&2
		return 1
	fi
	expect_output_contains "hardrun: policy denies container"
	expect_output_contains "$rule"
	for text in "$@"; do expect_output_contains "$text"; done
}

# ---------------------------------------------------------------------------
# host state

hr_ids_entries() { ls -A "$HR_STATE/ids" 2>/dev/null | grep -v '^\.' || true; }
hr_stage_entries() { ls -A "$HR_STATE/stage" 2>/dev/null || true; }
hr_mounts() { grep "$HR_STATE" /proc/self/mountinfo || true; }

# foreign_slots: slots held by containers of other runtime roots than the
# suite's (another hardrun user on this host, e.g. the integration tests).
foreign_slots() {
	local f root
	for f in "$HR_STATE"/ids/*; do
		[ -f "$f" ] || continue
		root=$(sed -n 1p "$f")
		case "$root" in
		"$DOCKER_RUNC_ROOT" | "/run/containerd/runc/$E2E_NS" | "$BATS_RUN_TMPDIR"/*) ;;
		*) basename "$f" ;;
		esac
	done
	return 0
}

# mount_targets: the mount points of this mount namespace, sorted, less
# the staging mounts of other hardrun users' live containers.
mount_targets() {
	local slots
	slots=$(foreign_slots | sed "s|.*|^$HR_STATE/stage/&/|" )
	if [ -n "$slots" ]; then
		awk '{print $5}' /proc/self/mountinfo | grep -v -f <(echo "$slots") | sort
	else
		awk '{print $5}' /proc/self/mountinfo | sort
	fi
}

# expect_hr_state_clean: no entry in /run/hardrun/ids, no mount under
# /run/hardrun, no staging folder -- except those of containers that other
# hardrun users on this host hold right now (none in CI).
expect_hr_state_clean() {
	local foreign
	foreign=$(foreign_slots | tr '\n' ' ')
	if [ -n "$foreign" ]; then
		echo "note: slots $foreign belong to other runtime roots (another hardrun user): checked for orphans only" >&2
		expect_no_orphans
		return
	fi
	if [ -n "$(hr_ids_entries)" ]; then
		echo "entries left in $HR_STATE/ids: $(hr_ids_entries | tr '\n' ' ')" >&2
		return 1
	fi
	if [ -n "$(hr_mounts)" ]; then
		echo "mounts left under $HR_STATE: $(hr_mounts | awk '{print $5}' | tr '\n' ' ')" >&2
		return 1
	fi
	if [ -n "$(hr_stage_entries)" ]; then
		echo "staging folders left: $(hr_stage_entries | tr '\n' ' ')" >&2
		return 1
	fi
}

# The full id of a docker container.
full_id() { d inspect -f '{{.Id}}' "$1"; }

# audit_lines ID: the audit log lines of one container.
audit_lines() { grep -F "\"$1\"" "$E2E_AUDIT" 2>/dev/null || true; }

# hr_entry_ids ROOT: the container ids of /run/hardrun/ids entries whose
# runtime root is ROOT (an entry: root, id, "pid start").
hr_entry_ids() {
	local f
	for f in "$HR_STATE"/ids/*; do
		[ -f "$f" ] || continue
		[ "$(sed -n 1p "$f")" = "$1" ] && sed -n 2p "$f"
	done
	return 0
}

# expect_no_orphans: every staging folder and every mount under /run/hardrun
# belongs to a live allocation (an entry in /run/hardrun/ids).
expect_no_orphans() {
	local dir slot bad=0 target
	for dir in "$HR_STATE"/stage/*; do
		[ -e "$dir" ] || continue
		slot=$(basename "$dir")
		if [ ! -e "$HR_STATE/ids/$slot" ]; then
			echo "orphan staging folder $dir (no $HR_STATE/ids/$slot): $(ls -A "$dir" | tr '\n' ' ')" >&2
			bad=1
		fi
	done
	while read -r target; do
		slot=${target#"$HR_STATE"/stage/}
		slot=${slot%%/*}
		if [ ! -e "$HR_STATE/ids/$slot" ]; then
			echo "orphan mount $target" >&2
			bad=1
		fi
	done < <(awk '{print $5}' /proc/self/mountinfo | grep "^$HR_STATE/" || true)
	return $bad
}

# expect_released ROOT ID...: nothing of these (removed) containers is left:
# no id-range entry, no runtime state folder, no mount naming them.
expect_released() {
	local root=$1 id entries bad=0
	shift
	entries=$(hr_entry_ids "$root")
	for id in "$@"; do
		if echo "$entries" | grep -qx "$id"; then
			echo "$id still holds an entry in $HR_STATE/ids" >&2
			bad=1
		fi
		if [ -e "$root/$id" ]; then
			echo "$id still has runtime state in $root/$id" >&2
			bad=1
		fi
		if grep -q "$id" /proc/self/mountinfo; then
			echo "$id still has mounts: $(grep "$id" /proc/self/mountinfo | awk '{print $5}' | tr '\n' ' ')" >&2
			bad=1
		fi
	done
	expect_no_orphans || bad=1
	return $bad
}
