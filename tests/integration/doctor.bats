#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# hardrun doctor: each check tested both ways on this machine (the host put
# into the failing state, the check fails with its fix; the host restored,
# it passes), drift against a saved baseline, --fix, the output formats and
# exit statuses.  Everything a test changes is put back in teardown.

load helpers

setup() {
	hr_setup
	RESTORE=$BATS_TEST_TMPDIR/restore.sh
	: >"$RESTORE"
}

teardown() {
	release_state_lock
	bash "$RESTORE" || true
	hr_teardown
}

# set_sysctl NAME VALUE: sets it now and restores the value it had in teardown
set_sysctl() {
	local f=/proc/sys/${1//.//}
	echo "echo $(cat "$f") >$f" >>"$RESTORE"
	echo "$2" >"$f"
}

# keep_file PATH: PATH is put back as it is now (or removed) in teardown
keep_file() {
	if [ -e "$1" ]; then
		cp -a "$1" "$BATS_TEST_TMPDIR/kept.$(basename "$1")"
		echo "cp -a '$BATS_TEST_TMPDIR/kept.$(basename "$1")' '$1'" >>"$RESTORE"
	else
		echo "rm -f '$1'" >>"$RESTORE"
	fi
}

doctor() {
	"$HARDRUN" --hardrun-policy "$POLICY" doctor "$@"
}

# check_status ID: pass, fail or skip, from --format json
check_status() {
	doctor --format json | jq -r --arg id "$1" '.checks[] | select(.id == $id) | .status'
}

# check_field ID FIELD: one field of check ID, from --format json
check_field() {
	doctor --format json | jq -r --arg id "$1" --arg f "$2" '.checks[] | select(.id == $id) | .[$f]'
}

# expect_fail ID FIX: check ID fails and its fix is exactly FIX
expect_fail() {
	local out
	out=$(doctor --format json | jq -c --arg id "$1" '.checks[] | select(.id == $id)')
	echo "$out"
	[ "$(jq -r .status <<<"$out")" = fail ]
	[ "$(jq -r .fix <<<"$out")" = "$2" ]
}

# hold_e2e_lock: the engines' lock (their config files, shared sysctls) until
# teardown closes the test's descriptors; skips when another run keeps it
hold_e2e_lock() {
	exec {E2E_LOCK_FD}>>/tmp/hardrun-e2e.lock
	flock -w 120 "$E2E_LOCK_FD" || skip "the engines' lock /tmp/hardrun-e2e.lock stayed taken"
}

@test "a sysctl check fails with its fix when the host is weakened, and passes when it is not" {
	set_sysctl kernel.kptr_restrict 0
	run doctor --fail-on medium
	[ "$status" -eq 1 ]
	grep -q '^FAIL medium   sysctl.kernel.kptr_restrict: ' <<<"$output"
	grep -q "fix: sysctl -w kernel.kptr_restrict=1 && echo 'kernel.kptr_restrict = 1' >>/etc/sysctl.d/90-hardrun.conf" <<<"$output"
	echo 1 >/proc/sys/kernel/kptr_restrict
	[ "$(check_status sysctl.kernel.kptr_restrict)" = pass ]
	run doctor --fail-on medium
	refute grep -q 'sysctl.kernel.kptr_restrict' <<<"$output"
}

@test "--fix sets the failed sysctls now and in a drop-in under /etc/sysctl.d, and explains the rest" {
	keep_file /etc/sysctl.d/90-hardrun.conf
	set_sysctl kernel.kptr_restrict 0
	set_sysctl fs.protected_regular 0
	run doctor --fix
	echo "$output"
	[ "$(cat /proc/sys/kernel/kptr_restrict)" = 1 ]
	[ "$(cat /proc/sys/fs/protected_regular)" -ge 1 ]
	grep -qx 'kernel.kptr_restrict = 1' /etc/sysctl.d/90-hardrun.conf
	grep -qx 'fs.protected_regular = 1' /etc/sysctl.d/90-hardrun.conf
	grep -q '^fixed sysctl.kernel.kptr_restrict' <<<"$output"
	[ "$(check_status sysctl.kernel.kptr_restrict)" = pass ]
	# a second --fix keeps one line per setting
	set_sysctl kernel.kptr_restrict 0
	doctor --fix >/dev/null || true
	[ "$(grep -c '^kernel.kptr_restrict' /etc/sysctl.d/90-hardrun.conf)" -eq 1 ]
}

@test "hardrun's state directory writable by others fails runtime.state_dir" {
	mkdir -p /run/hardrun
	echo "chmod $(stat -c %a /run/hardrun) /run/hardrun" >>"$RESTORE"
	chmod 0777 /run/hardrun
	[ "$(check_status runtime.state_dir)" = fail ]
	doctor --format json | jq -e '.checks[] | select(.id == "runtime.state_dir") | .fix == "chown root:root /run/hardrun && chmod 0711 /run/hardrun"'
	chmod 0711 /run/hardrun
	[ "$(check_status runtime.state_dir)" = pass ]
}

@test "a real runtime others can replace fails runtime.real_runtime; the trusted one passes" {
	dir=$BATS_TEST_TMPDIR/rt
	mkdir -m 0755 "$dir"
	cp "$RUNC" "$dir/runc"
	chmod 0777 "$dir/runc"
	POLICY=$(write_policy "{\"runtime\": \"$dir/runc\"}" untrusted)
	[ "$(check_status runtime.real_runtime)" = fail ]
	doctor --format json | jq -e '.checks[] | select(.id == "runtime.real_runtime") | .found | test("writable by others")'
	chmod 0755 "$dir/runc"
	[ "$(check_status runtime.real_runtime)" = pass ]
}

@test "docker's daemon.json: registration and the CIS daemon settings, both ways" {
	[ -x /usr/bin/dockerd ] || [ -x /usr/sbin/dockerd ] || skip "needs docker.io"
	mkdir -p /etc/docker
	keep_file /etc/docker/daemon.json
	echo '{"icc": true}' >/etc/docker/daemon.json
	[ "$(check_status engines.docker.icc)" = fail ]
	[ "$(check_status engines.docker.registered)" = fail ]
	jq -n --arg hr "$HARDRUN" '{icc: false, "no-new-privileges": true, runtimes: {hardrun: {path: $hr}}, "default-runtime": "hardrun"}' \
		>/etc/docker/daemon.json
	[ "$(check_status engines.docker.icc)" = pass ]
	[ "$(check_status engines.docker.no_new_privileges)" = pass ]
	[ "$(check_status engines.docker.registered)" = pass ]
	[ "$(check_status engines.docker.default_runtime)" = pass ]
	chmod 0666 /etc/docker/daemon.json
	[ "$(check_status engines.docker.config_mode)" = fail ]
}

@test "a container started with plain runc is listed with the policy's verdict; one through hardrun is not" {
	plain=$(new_id plain)
	hardened=$(new_id hardened)
	b1=$(make_bundle plain 'sleep 60')
	b2=$(make_bundle hardened 'sleep 60')
	runc_ run -d --bundle "$b1" "$plain" >/dev/null
	hr run -d --bundle "$b2" "$hardened" >/dev/null
	run doctor --format json
	found=$(jq -r '.checks[] | select(.id == "containers.unhardened") | .found' <<<"$output")
	echo "$found"
	[[ "$found" == *"/$plain (policy: "* ]]
	[[ "$found" != *"$hardened"* ]]
	runc_ delete -f "$plain"
	found=$(doctor --format json | jq -r '.checks[] | select(.id == "containers.unhardened") | .found')
	[[ "$found" != *"$plain"* ]]
}

@test "drift: --save records the host, --baseline reports what changed since, exit 1" {
	set_sysctl kernel.dmesg_restrict "$(cat /proc/sys/kernel/dmesg_restrict)"
	doctor --save "$BATS_TEST_TMPDIR/base.json" >/dev/null || true
	jq -e '.version == 1 and (.observed["sysctl.kernel.dmesg_restrict"] | type == "string")' "$BATS_TEST_TMPDIR/base.json"
	run doctor --fail-on critical --baseline "$BATS_TEST_TMPDIR/base.json"
	refute grep -q '^drift ' <<<"$output"
	echo $((1 - $(cat /proc/sys/kernel/dmesg_restrict))) >/proc/sys/kernel/dmesg_restrict
	run doctor --fail-on critical --baseline "$BATS_TEST_TMPDIR/base.json"
	[ "$status" -eq 1 ]
	grep -q '^drift sysctl.kernel.dmesg_restrict: baseline "[01]", now "[01]"$' <<<"$output"
}

@test "output: junit is XML with a testcase per check; bad arguments and an unreadable baseline exit 2" {
	run doctor --format junit
	python3 -c 'import sys, xml.etree.ElementTree as ET; s = ET.fromstring(sys.stdin.read()); assert s.tag == "testsuite" and len(s) == int(s.get("tests")) > 20' <<<"$output"
	run doctor --format yaml
	[ "$status" -eq 2 ]
	run doctor --fail-on urgent
	[ "$status" -eq 2 ]
	run doctor --baseline "$BATS_TEST_TMPDIR/none.json"
	[ "$status" -eq 2 ]
	run doctor --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: hardrun doctor"* ]]
}

# every sysctl check, one at a time: the weak value fails with the fix that
# sets the expected value, the expected value passes.  Each sysctl is put
# back in teardown.  user.max_user_namespaces=0 stops every user namespace on
# the host, so the test holds the engines' lock while it runs.
@test "every sysctl check: fails with its fix when weakened, passes when set" {
	hold_e2e_lock
	# name weak_value expected_value [passing value to set, if not that]
	while read -r name weak want good; do
		# unprivileged_bpf_disabled=1 is locked until reboot: only 2 can
		# be weakened (and set to 2 again)
		if [ "$name" = kernel.unprivileged_bpf_disabled ] && [ "$(cat /proc/sys/kernel/unprivileged_bpf_disabled)" = 1 ]; then
			[ "$(check_status "sysctl.$name")" = pass ]
			continue
		fi
		# user.* sysctls are read-only outside the initial user namespace
		f=/proc/sys/${name//.//}
		if ! (echo "$(cat "$f")" >"$f") 2>/dev/null; then
			echo "# $name is read-only here: only its passing side is checked" >&3
			[ "$(check_status "sysctl.$name")" = pass ]
			continue
		fi
		set_sysctl "$name" "$weak"
		expect_fail "sysctl.$name" "sysctl -w $name=$want && echo '$name = $want' >>/etc/sysctl.d/90-hardrun.conf"
		echo "${good:-$want}" >"/proc/sys/${name//.//}"
		[ "$(check_status "sysctl.$name")" = pass ]
		bash "$RESTORE"
	done <<-EOF
		kernel.unprivileged_bpf_disabled 0 1 2
		kernel.kptr_restrict 0 1
		kernel.dmesg_restrict 0 1
		kernel.perf_event_paranoid 1 2
		fs.protected_symlinks 0 1
		fs.protected_hardlinks 0 1
		fs.protected_fifos 0 1
		fs.protected_regular 0 1
		fs.suid_dumpable 1 0
		kernel.randomize_va_space 1 2
		net.ipv4.conf.all.rp_filter 0 1
		user.max_user_namespaces 0 1
	EOF
}

@test "a hardrun binary others can replace fails runtime.hardrun_owner; a root-only copy passes" {
	dir=$BATS_TEST_TMPDIR/bin
	mkdir -m 0755 "$dir"
	cp "$HARDRUN" "$dir/hardrun"
	chmod 0757 "$dir/hardrun"
	out=$("$dir/hardrun" --hardrun-policy "$POLICY" doctor --format json | jq -c '.checks[] | select(.id == "runtime.hardrun_owner")')
	echo "$out"
	[ "$(jq -r .status <<<"$out")" = fail ]
	[ "$(jq -r .fix <<<"$out")" = "chown root:root $dir/hardrun && chmod go-w $dir/hardrun (and its directories)" ]
	chmod 0755 "$dir/hardrun"
	out=$("$dir/hardrun" --hardrun-policy "$POLICY" doctor --format json | jq -r '.checks[] | select(.id == "runtime.hardrun_owner") | .status')
	[ "$out" = pass ]
}

@test "a policy others can write fails runtime.policy with its fix; root's passes" {
	chmod 0666 "$POLICY"
	expect_fail runtime.policy "hardrun policy validate FILE"
	run doctor --fail-on critical
	[ "$status" -eq 1 ]
	chmod 0644 "$POLICY"
	[ "$(check_status runtime.policy)" = pass ]
}

@test "the real runtime's version: an old runc fails runtime.runc_version, a fixed one passes" {
	dir=$BATS_TEST_TMPDIR/fake
	mkdir -m 0755 "$dir"
	printf '#!/bin/sh\necho "runc version 1.1.5"\n' >"$dir/runc"
	chmod 0755 "$dir/runc"
	POLICY=$(write_policy "{\"runtime\": \"$dir/runc\"}" oldrunc)
	expect_fail runtime.runc_version "install runc 1.2.8, 1.3.3 or later"
	printf '#!/bin/sh\necho "runc version 1.1.5+ds1"\n' >"$dir/runc"
	expect_fail runtime.runc_version "check the distribution's advisories for CVE-2024-21626 and CVE-2025-31133/52565/52881 against runc version 1.1.5+ds1"
	printf '#!/bin/sh\necho "runc version 1.3.3"\n' >"$dir/runc"
	[ "$(check_status runtime.runc_version)" = pass ]
}

@test "the audit log and its directory writable by others fail runtime.audit_log{,_dir}; root's pass" {
	log=$(jq -r .audit_log "$POLICY")
	dir=$(dirname "$log")
	touch "$log"
	chmod 0640 "$log"
	chmod 0750 "$dir"
	[ "$(check_status runtime.audit_log)" = pass ]
	[ "$(check_status runtime.audit_log_dir)" = pass ]
	chmod 0666 "$log"
	expect_fail runtime.audit_log "chown root:adm $log && chmod 0640 $log"
	chmod 0777 "$dir"
	expect_fail runtime.audit_log_dir "chown root:adm $dir && chmod 0750 $dir"
	chmod 0640 "$log"
	chmod 0750 "$dir"
	[ "$(check_status runtime.audit_log)" = pass ]
	[ "$(check_status runtime.audit_log_dir)" = pass ]
}

# The engines' config files only: no daemon is started, reloaded or stopped,
# but the files are the engines', so the engines' lock is held.
@test "docker's daemon.json, every CIS setting both ways; data-root mode; containerd and podman registration" {
	[ -x /usr/bin/dockerd ] || [ -x /usr/sbin/dockerd ] || skip "needs docker.io"
	hold_e2e_lock
	mkdir -p /etc/docker
	keep_file /etc/docker/daemon.json
	echo '{"icc": true, "live-restore": false, "userland-proxy": true, "no-new-privileges": false, "hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"]}' >/etc/docker/daemon.json
	chmod 0644 /etc/docker/daemon.json
	expect_fail engines.docker.icc "\"icc\": false in /etc/docker/daemon.json, then kill -HUP \$(pidof dockerd)"
	expect_fail engines.docker.live_restore "\"live-restore\": true in /etc/docker/daemon.json, then kill -HUP \$(pidof dockerd)"
	expect_fail engines.docker.userland_proxy "\"userland-proxy\": false in /etc/docker/daemon.json, then kill -HUP \$(pidof dockerd)"
	expect_fail engines.docker.no_new_privileges "\"no-new-privileges\": true in /etc/docker/daemon.json, then kill -HUP \$(pidof dockerd)"
	expect_fail engines.docker.tcp_tls "remove tcp:// from \"hosts\" or set \"tlsverify\": true with certificates"
	expect_fail engines.docker.registered "\"runtimes\": {\"hardrun\": {\"path\": \"/usr/local/sbin/hardrun\"}} in /etc/docker/daemon.json"
	expect_fail engines.docker.default_runtime "\"default-runtime\": \"hardrun\" in /etc/docker/daemon.json"
	[ "$(check_status engines.docker.config_mode)" = pass ]
	chmod 0646 /etc/docker/daemon.json
	[ "$(check_status engines.docker.config_mode)" = fail ]
	jq -n --arg hr "$HARDRUN" '{icc: false, "live-restore": true, "userland-proxy": false, "no-new-privileges": true, hosts: ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"], tlsverify: true, runtimes: {hardrun: {path: $hr}}, "default-runtime": "hardrun"}' \
		>/etc/docker/daemon.json
	chmod 0644 /etc/docker/daemon.json
	for id in icc live_restore userland_proxy no_new_privileges tcp_tls registered default_runtime config_mode; do
		[ "$(check_status "engines.docker.$id")" = pass ] || { echo "engines.docker.$id"; false; }
	done
	if [ -d /var/lib/docker ]; then
		echo "chmod $(stat -c %a /var/lib/docker) /var/lib/docker" >>"$RESTORE"
		chmod 0717 /var/lib/docker
		expect_fail engines.docker.data_root_mode "chown root:root /var/lib/docker && chmod 0710 /var/lib/docker"
		chmod 0710 /var/lib/docker
		[ "$(check_status engines.docker.data_root_mode)" = pass ]
	fi
	if [ -x /usr/bin/containerd ]; then
		mkdir -p /etc/containerd
		keep_file /etc/containerd/config.toml
		echo 'version = 2' >/etc/containerd/config.toml
		[ "$(check_status engines.containerd.registered)" = fail ]
		printf '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hardrun.options]\nBinaryName = "%s"\n' "$HARDRUN" >>/etc/containerd/config.toml
		[ "$(check_status engines.containerd.registered)" = pass ]
	fi
	if [ -x /usr/bin/podman ]; then
		mkdir -p /etc/containers
		keep_file /etc/containers/containers.conf
		printf '[engine]\n' >/etc/containers/containers.conf
		[ "$(check_status engines.podman.registered)" = fail ]
		printf '[engine.runtimes]\nhardrun = ["%s"]\n' "$HARDRUN" >>/etc/containers/containers.conf
		[ "$(check_status engines.podman.registered)" = pass ]
	fi
}

# A temporary --root removed with a container still recorded left its
# private bundle under /run/hardrun/bundles for good (only a create under
# the same root collected it).  Any create now collects the private bundles
# of an absolute root that no longer exists, once older than a create can
# take; a young one and a live root's are kept.
@test "private bundles of a runtime root that no longer exists are collected by the next create" {
	gone=$BATS_TEST_TMPDIR/gone-root
	live=$BATS_TEST_TMPDIR/live-root
	old=$(new_id old)
	young=$(new_id young)
	kept=$(new_id kept)
	b=$(make_bundle gone 'true')
	RUNC_ROOT=$gone hr create --bundle "$b" "$old" >/dev/null
	RUNC_ROOT=$gone hr create --bundle "$b" "$young" >/dev/null
	RUNC_ROOT=$live hr create --bundle "$b" "$kept" >/dev/null
	old_dir=$(ls -d /run/hardrun/bundles/*/"$old".??????)
	young_dir=$(ls -d /run/hardrun/bundles/*/"$young".??????)
	kept_dir=$(ls -d /run/hardrun/bundles/*/"$kept".??????)
	[ "$(cat "$(dirname "$old_dir")/.root")" = "$gone" ]
	# the containers die with their root (runc kept no record elsewhere)
	RUNC_ROOT=$gone runc_ delete -f "$old"
	RUNC_ROOT=$gone runc_ delete -f "$young"
	rm -rf "$gone"
	touch -d '-20 minutes' "$old_dir" "$kept_dir"
	other=$(new_id other)
	hr create --bundle "$b" "$other" >/dev/null
	hr delete -f "$other"
	[ ! -e "$old_dir" ]
	[ -d "$young_dir" ]
	[ -d "$kept_dir" ]
	RUNC_ROOT=$live runc_ delete -f "$kept"
	rm -rf "$young_dir" "$kept_dir"
}

# Every create reads the directory of each root it ever saw: a gone root's
# goes once nothing is left in it, and a live root's stays.
@test "the directory of a runtime root that no longer exists goes once it is empty" {
	gone=$BATS_TEST_TMPDIR/emptied-root
	live=$BATS_TEST_TMPDIR/still-root
	a=$(new_id a) k=$(new_id k)
	b=$(make_bundle emptied 'true')
	RUNC_ROOT=$gone hr create --bundle "$b" "$a" >/dev/null
	RUNC_ROOT=$live hr create --bundle "$b" "$k" >/dev/null
	gone_top=$(dirname "$(ls -d /run/hardrun/bundles/*/"$a".??????)")
	live_top=$(dirname "$(ls -d /run/hardrun/bundles/*/"$k".??????)")
	RUNC_ROOT=$gone hr delete -f "$a"
	RUNC_ROOT=$live hr delete -f "$k"
	# both directories are empty now (their .root aside); one root goes
	[ -d "$gone_top" ] && [ -d "$live_top" ]
	rm -rf "$gone"
	other=$(new_id other)
	hr create --bundle "$b" "$other" >/dev/null
	hr delete -f "$other"
	[ ! -e "$gone_top" ]
	[ "$(cat "$live_top/.root")" = "$live" ]
	# the root comes back: its directory is made again and used
	RUNC_ROOT=$gone hr create --bundle "$b" "$a" >/dev/null
	[ "$(cat "$gone_top/.root")" = "$gone" ]
	[ -d "$(ls -d "$gone_top/$a".??????)" ]
	RUNC_ROOT=$gone hr delete -f "$a"
}

# ---------------------------------------------------------------------------
# hardrun's state under /run/hardrun (state.*): each container's id-range
# entry, staging mounts, private bundle and profile record live only as long
# as the container.  An engine that removes a container without `hardrun
# delete` leaves them; doctor reports them and --fix reclaims exactly them.

# state_slot ID: the allocator's entry number of container ID ("" if none)
state_slot() {
	local f
	for f in /run/hardrun/ids/*; do
		[ -f "$f" ] && [ "$(sed -n 2p "$f")" = "$1" ] && basename "$f"
	done
	return 0
}

# state_record ID: the profile record of container ID under $RUNC_ROOT
state_record() {
	echo "/run/hardrun/containers/$(printf '%s\0%s' "${RUNC_ROOT:-/run/runc}" "$1" | sha256sum | cut -d' ' -f1).json"
}

# state_found ID: the found text of check ID (fails when doctor did not
# answer, so that a crash never passes for "nothing found")
state_found() {
	local out
	out=$(doctor --format json) || [ $? -eq 1 ] || return 1
	jq -er --arg id "$1" '.checks[] | select(.id == $id) | .found' <<<"$out"
}

# assert_found ID TEXT / refute_found ID TEXT: check ID's found text names TEXT, or not
assert_found() {
	local found
	found=$(state_found "$1") || return 1
	echo "$1: $found"
	[[ "$found" == *"$2"* ]]
}

refute_found() {
	local found
	found=$(state_found "$1") || return 1
	echo "$1: $found"
	[[ "$found" != *"$2"* ]]
}

# stage_mounts SLOT: how many mounts the mount table has under stage/SLOT
stage_mounts() {
	grep -c " /run/hardrun/stage/$1[/ ]" /proc/self/mountinfo || true
}

# hold_state_lock: the allocator's lock (every create takes it, and reclaims
# whatever state is stale), so that state the test made stale stays there
# while doctor is asked about it; release_state_lock before `doctor --fix`
# (which takes it).  Other helpers' creates wait meanwhile.
hold_state_lock() {
	exec {STATE_LOCK_FD}>>/run/hardrun/ids.lock
	flock -w 60 "$STATE_LOCK_FD"
}

release_state_lock() {
	if [ -n "${STATE_LOCK_FD:-}" ]; then
		exec {STATE_LOCK_FD}>&-
		STATE_LOCK_FD=
	fi
}

# refute_state_names: no state.* check names $ID or its staging slot
refute_state_names() {
	local c found
	for c in ranges stage bundles containers; do
		refute_found "state.$c" "$ID" && refute_found "state.$c" "stage/$SLOT " || return 1
	done
}

# a hardrun container, running, with a range of its own, staged rootfs,
# private bundle and record; sets ID, SLOT, BUNDLE_DIR, RECORD
start_state_container() {
	RUNC_ROOT=$BATS_TEST_TMPDIR/runc-root
	ID=$(new_id "$1")
	hr run -d --bundle "$(make_bundle "$1" 'exec sleep 600')" "$ID" >/dev/null
	wait_running "$ID"
	SLOT=$(state_slot "$ID")
	BUNDLE_DIR=$(ls -d /run/hardrun/bundles/*/"$ID".??????)
	RECORD=$(state_record "$ID")
	echo "slot $SLOT bundle $BUNDLE_DIR record $RECORD"
	[ -n "$SLOT" ] && [ -d "/run/hardrun/stage/$SLOT" ] && [ -f "$RECORD" ]
	[ "$(stage_mounts "$SLOT")" -ge 1 ]
}

@test "state: a container removed behind hardrun's back fails state.{ranges,stage,bundles,containers}; --fix reclaims it, the mount table and /run/hardrun clean" {
	start_state_container gone
	hold_state_lock
	# as an engine that deletes the container with the real runc
	runc_ delete -f "$ID"
	refute container_exists "$ID"
	expect_fail state.ranges 'hardrun doctor --fix'
	expect_fail state.stage 'hardrun doctor --fix'
	expect_fail state.bundles 'hardrun doctor --fix'
	expect_fail state.containers 'hardrun doctor --fix'
	assert_found state.ranges "ids/$SLOT: $RUNC_ROOT/$ID (own, uids "
	assert_found state.stage "/run/hardrun/stage/$SLOT (mounts left: "
	assert_found state.stage "; its entry's container is gone)"
	refute_found state.stage "/run/hardrun/stage/$SLOT (mounts left: 0;"
	assert_found state.bundles "$BUNDLE_DIR ($RUNC_ROOT/$ID)"
	assert_found state.containers "containers/$(basename "$RECORD") ($RUNC_ROOT/$ID)"
	release_state_lock
	run doctor --fix --fail-on critical
	echo "$output"
	grep -q "^fixed state.ranges slot $SLOT: released its id range (removed /run/hardrun/ids/$SLOT)$" <<<"$output"
	grep -q "^fixed state.ranges slot $SLOT: unmounted (MNT_DETACH) and removed /run/hardrun/stage/$SLOT$" <<<"$output"
	grep -q "^fixed state.bundles: removed $BUNDLE_DIR$" <<<"$output"
	grep -q "^fixed state.containers: removed $RECORD$" <<<"$output"
	refute grep -q '^not fixed state\.' <<<"$output"
	[ "$(state_slot "$ID")" = "" ]
	[ ! -e "/run/hardrun/stage/$SLOT" ]
	[ "$(stage_mounts "$SLOT")" -eq 0 ]
	[ ! -e "$BUNDLE_DIR" ]
	[ ! -e "$RECORD" ]
	for c in ranges stage bundles containers; do
		[ "$(check_status "state.$c")" = pass ]
		[ "$(check_field "state.$c" found)" = "none stale" ]
	done
}

@test "state: a live container's range, staging, bundle and record pass and survive --fix; it still runs and exec works" {
	start_state_container live
	refute_state_names
	run doctor --fix --fail-on critical
	echo "$output"
	refute grep -q "$ID\|slot $SLOT:\|$(basename "$RECORD")" <<<"$output"
	[ "$(container_state "$ID")" = running ]
	[ "$(state_slot "$ID")" = "$SLOT" ]
	[ "$(stage_mounts "$SLOT")" -ge 1 ]
	[ -f "$BUNDLE_DIR/config.json" ] && [ -f "$RECORD" ]
	run hr exec "$ID" cat /proc/self/status
	[ "$status" -eq 0 ]
	assert_hardened_status
	# everything else stale went with --fix: the host passes
	for c in ranges stage bundles containers; do
		[ "$(check_status "state.$c")" = pass ]
	done
}

@test "state: a create still under way (its process alive, runc not yet told) is never stale, even with runc's state gone" {
	start_state_container pending
	# (started before the lock is taken: it must not inherit it)
	sleep 600 &
	pid=$!
	echo "kill $pid" >>"$RESTORE"
	hold_state_lock
	runc_ delete -f "$ID"
	start=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$pid/stat")
	# the process that wrote each piece of state, as if it were still
	# creating the container: the allocator's entry, the bundle's creator
	# file and the record's creator
	sed -i "3s/.*/$pid $start/" "/run/hardrun/ids/$SLOT"
	echo "$pid $start" >"$BUNDLE_DIR/.creator"
	jq -c --argjson p "$pid" --argjson s "$start" '.creator_pid = $p | .creator_start = $s' "$RECORD" >"$RECORD.new"
	mv "$RECORD.new" "$RECORD"
	refute_state_names
	release_state_lock
	run doctor --fix --fail-on critical
	[ -f "/run/hardrun/ids/$SLOT" ] && [ -d "/run/hardrun/stage/$SLOT" ] && [ -d "$BUNDLE_DIR" ] && [ -f "$RECORD" ]
	# the create is over: now all of it is stale
	hold_state_lock
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	assert_found state.ranges "ids/$SLOT: "
	assert_found state.bundles "$BUNDLE_DIR"
	assert_found state.containers "$(basename "$RECORD")"
	release_state_lock
	doctor --fix >/dev/null || true
	[ ! -e "/run/hardrun/stage/$SLOT" ] && [ ! -e "$BUNDLE_DIR" ] && [ ! -e "$RECORD" ]
}

@test "state: a bundle or record an older hardrun wrote (no creator named) is stale only once older than a create can take" {
	start_state_container legacy
	hold_state_lock
	runc_ delete -f "$ID"
	rm "$BUNDLE_DIR/.creator"
	jq -c 'del(.creator_pid, .creator_start)' "$RECORD" >"$RECORD.new"
	mv "$RECORD.new" "$RECORD"
	refute_found state.bundles "$ID"
	refute_found state.containers "$(basename "$RECORD")"
	touch -d '-20 minutes' "$BUNDLE_DIR" "$RECORD"
	assert_found state.bundles "$BUNDLE_DIR ($RUNC_ROOT/$ID)"
	assert_found state.containers "$(basename "$RECORD") ($RUNC_ROOT/$ID)"
	release_state_lock
	run doctor --fix --fail-on critical
	grep -q "^fixed state.bundles: removed $BUNDLE_DIR$" <<<"$output"
	grep -q "^fixed state.containers: removed $RECORD$" <<<"$output"
	[ ! -e "$BUNDLE_DIR" ] && [ ! -e "$RECORD" ]
}

# A container whose init exited but that runc still holds (stopped, its
# delete to come): the allocator reclaims its range and staging as soon as
# its init is gone, so doctor reports them; its private bundle and record
# stay for its delete (runc's delete still runs its poststop hooks from that
# bundle), and that delete still works after --fix.
@test "state: a stopped container not yet deleted: range and staging stale, bundle and record kept for its delete" {
	RUNC_ROOT=$BATS_TEST_TMPDIR/runc-root
	ID=$(new_id stopped)
	hr run -d --bundle "$(make_bundle stopped 'exit 0')" "$ID" >/dev/null
	wait_stopped "$ID"
	SLOT=$(state_slot "$ID")
	BUNDLE_DIR=$(ls -d /run/hardrun/bundles/*/"$ID".??????)
	RECORD=$(state_record "$ID")
	[ -n "$SLOT" ] && [ -f "$RECORD" ]
	hold_state_lock
	assert_found state.ranges "ids/$SLOT: $RUNC_ROOT/$ID (own, uids "
	refute_found state.bundles "$ID"
	refute_found state.containers "$(basename "$RECORD")"
	release_state_lock
	run doctor --fix --fail-on critical
	[ "$(state_slot "$ID")" = "" ]
	[ -f "$BUNDLE_DIR/config.json" ] && [ -f "$RECORD" ]
	hr delete "$ID"
	refute container_exists "$ID"
	[ ! -e "$BUNDLE_DIR" ] && [ ! -e "$RECORD" ]
}

# --fix judges every item again under the lock a create takes, and a piece
# of state whose create still runs is never stale: doctor --fix over and
# over while containers are created takes nothing from them.
@test "state: doctor --fix running over and over during creates takes nothing from a starting or live container" {
	RUNC_ROOT=$BATS_TEST_TMPDIR/runc-root
	b=$(make_bundle race 'exec sleep 600')
	(while :; do doctor --fix >/dev/null 2>&1 || true; done) &
	loop=$!
	echo "kill $loop 2>/dev/null" >>"$RESTORE"
	ids=()
	for i in 1 2 3 4 5 6 7 8; do
		id=$(new_id "race$i")
		hr run -d --bundle "$b" "$id" >/dev/null
		ids+=("$id")
	done
	kill "$loop"
	wait "$loop" 2>/dev/null || true
	for id in "${ids[@]}"; do
		echo "$id"
		[ "$(container_state "$id")" = running ]
		[ -n "$(state_slot "$id")" ]
		[ -f "$(state_record "$id")" ]
		ls -d /run/hardrun/bundles/*/"$id".??????
		run hr exec "$id" cat /proc/self/status
		[ "$status" -eq 0 ]
		assert_hardened_status
	done
}
