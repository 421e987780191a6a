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
