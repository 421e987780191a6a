#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Learned seccomp profiles through real runc: a workload runs under the
# seccomp rule's "learn" mode (its calls outside the floor logged by the
# kernel), `hardrun seccomp learn` turns the kernel's records into a
# minimal profile, and under that profile the workload still runs while a
# call it never made (statfs, behind df) is denied; the default profile
# allows it, so the denial is the learned profile's doing.

load helpers

setup() {
	hr_setup
	[ -w /proc/sys/kernel/printk_ratelimit ] || skip "needs a writable /proc/sys/kernel/printk_ratelimit"
	grep -qw log /proc/sys/kernel/seccomp/actions_logged || skip "the kernel does not log SCMP_ACT_LOG (kernel.seccomp.actions_logged)"
	# the kernel drops rate-limited records: learning needs all of them
	cat /proc/sys/kernel/printk_ratelimit >"$BATS_TEST_TMPDIR/ratelimit"
	echo 0 >/proc/sys/kernel/printk_ratelimit
}

teardown() {
	[ ! -f "$BATS_TEST_TMPDIR/ratelimit" ] || cat "$BATS_TEST_TMPDIR/ratelimit" >/proc/sys/kernel/printk_ratelimit
	hr_teardown
}

# statfs(2), which the workload never calls
DISK_FREE='if df / >/dev/null; then echo disk_free=ok; else echo disk_free=denied; fi'
WORKLOAD='mkdir -p /tmp/w && echo hello >/tmp/w/f && cat /tmp/w/f && ls /tmp/w && uname -n && echo workload=done'

# run_workload NAME SCRIPT: runs SCRIPT through hardrun with $POLICY, which
# must succeed; sets id.
run_workload() {
	local bundle
	bundle=$(make_bundle "$1" "$2")
	id=$(new_id "$1")
	run hr run --bundle "$bundle" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
}

# seccomp_policy SETTINGS NAME: a policy whose seccomp rule has SETTINGS.
seccomp_policy() {
	write_policy "{\"profiles\": {\"default\": {\"rules\": {\"seccomp\": $1}}}}" "$2"
}

@test "learn a workload's system calls, enforce the learned profile: it still runs, a call it never made is denied" {
	POLICY=$(seccomp_policy '{"mode": "learn"}' learn)
	run_workload learn "$WORKLOAD"
	[ "$(field workload)" = done ]
	jq -e '.decisions[] | select(.rule == "seccomp" and (.message | test("learning")))' <<<"$(audit_last_for "$id")"

	learned=$BATS_TEST_TMPDIR/learned.json
	run "$HARDRUN" seccomp learn --container "$id" --audit-log "$AUDIT" --output "$learned"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"system calls of container $id learned from"* ]]
	cat "$learned"
	jq -e '.defaultAction == "SCMP_ACT_ERRNO" and (.syscalls[0].names | index("read") != null)' "$learned"
	# what the workload did beyond the floor, and not what it did not do
	jq -e '.syscalls[0].names | (index("mkdir") != null or index("mkdirat") != null) and index("uname") != null and index("statfs") == null' "$learned"

	POLICY=$(seccomp_policy "{\"profile\": \"$learned\"}" enforce)
	run_workload enforce "$WORKLOAD; $DISK_FREE"
	[ "$(field workload)" = done ]
	[ "$(field disk_free)" = denied ]
	[[ "$output" == *"Operation not permitted"* ]]
	jq -e --arg f "$learned" '.decisions[] | select(.rule == "seccomp" and (.message | contains($f)))' <<<"$(audit_last_for "$id")"

	# under the default profile the same df runs
	POLICY=$(write_policy)
	run_workload default "$WORKLOAD; $DISK_FREE"
	[ "$(field disk_free)" = ok ]
}

@test "seccomp learn: clear errors for an unknown container, a missing log, a broken learned profile" {
	run "$HARDRUN" seccomp learn --container nosuch --audit-log "$AUDIT"
	[ "$status" -eq 2 ]
	[[ "$output" == *"cannot read the audit log"* || "$output" == *"has no create of container nosuch"* ]]
	run "$HARDRUN" seccomp learn
	[ "$status" -eq 2 ]
	[[ "$output" == *"--container is required"* ]]
	echo '{"defaultAction": "SCMP_ACT_BOGUS"}' >"$BATS_TEST_TMPDIR/broken.json"
	POLICY=$(seccomp_policy "{\"profile\": \"$BATS_TEST_TMPDIR/broken.json\"}" broken)
	bundle=$(make_bundle broken 'true')
	id=$(new_id broken)
	hr_refused run "$bundle" "$id" "broken.json"
}
