#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# linux.cgroupsPath: a container must not be put into another live
# container's cgroup (or one inside or above it), where its resources would
# apply to that container: pids.max of 1 and the other container can no
# longer fork.  Shown to work through plain runc, refused through hardrun.

load helpers

setup() {
	hr_setup
	[ -d /sys/fs/cgroup/pids ] || skip "needs the cgroup v1 pids hierarchy at /sys/fs/cgroup/pids (hybrid cgroups)"
	# runc's state of these tests only: what is live is what they started
	RUNC_ROOT=$BATS_TEST_TMPDIR/runc-root
	TOP=/hardrun-it-cg-$$-$BATS_SUITE_TEST_NUMBER
	CG=$TOP/a
}

teardown() {
	if [ -n "${OTHER_ROOT:-}" ] && [ -n "${A:-}" ]; then
		"$HARDRUN" --hardrun-policy "$POLICY" --root "$OTHER_ROOT" delete -f "$A" >/dev/null 2>&1 || true
	fi
	hr_teardown
	# the parents runc made in every hierarchy
	find /sys/fs/cgroup/*"$TOP" -depth -type d -exec rmdir {} + 2>/dev/null || true
}

# start_a: container A, running `sleep`, in the cgroup $CG.
start_a() {
	local bundle
	A=$(new_id cga)
	bundle=$(make_bundle cga 'sleep 300' ".linux.cgroupsPath = \"$CG\"")
	hr create --bundle "$bundle" "$A" </dev/null >/dev/null 2>&1
	hr start "$A"
	wait_running "$A"
	[ "$(cat "/sys/fs/cgroup/pids$CG/pids.max")" = 4096 ]
}

# b_bundle NAME CGROUPS_PATH: container B, pids limit 1, in CGROUPS_PATH.
b_bundle() {
	make_bundle "$1" true ".linux.cgroupsPath = \"$2\" | .linux.resources.pids = {limit: 1}"
}

@test "cgroups: a container in another live container's cgroup is refused, the other's pids.max unchanged" {
	local b bundle path
	start_a
	for path in "$CG" "$CG/inner" "$TOP/../$CG/." "$TOP"; do
		b=$(new_id cgb)
		bundle=$(b_bundle "cgb-${#path}" "$path")
		run_files hr run --bundle "$bundle" "$b"
		echo "$path: status $status, stderr [$stderr]"
		[ "$status" -eq 1 ]
		assert_log_error "cgroups_path: cgroupsPath \"$path\" .* the cgroup $CG of the live container \"$A\""
		run ! container_exists "$b"
		[ "$(cat "/sys/fs/cgroup/pids$CG/pids.max")" = 4096 ]
	done
	# A still forks
	run runc_ exec "$A" sh -c 'true & wait; echo forked'
	[ "$output" = forked ]
}

@test "cgroups: a sibling cgroup runs; once A is gone its cgroup is free again" {
	local b bundle
	start_a
	b=$(new_id cgb)
	bundle=$(b_bundle cgb "$CG-sibling")
	run_files hr run --bundle "$bundle" "$b"
	echo "status $status, stderr [$stderr]"
	[ "$status" -eq 0 ]
	hr delete -f "$A"
	b=$(new_id cgb2)
	bundle=$(b_bundle cgb2 "$CG")
	run_files hr run --bundle "$bundle" "$b"
	echo "status $status, stderr [$stderr]"
	[ "$status" -eq 0 ]
}

@test "cgroups: a live container in another engine's state directory (state_roots) counts too" {
	local b bundle
	# A lives in another runc root; the policy names it as another engine's
	OTHER_ROOT=$BATS_TEST_TMPDIR/other-engine
	mkdir -m 0700 "$OTHER_ROOT"
	RUNC_ROOT=$OTHER_ROOT start_a
	POLICY=$(write_policy "$(jq -nc --arg r "$OTHER_ROOT" '{profiles: {default: {rules: {cgroups_path: {state_roots: [$r]}}}}}')")
	b=$(new_id cgb)
	bundle=$(b_bundle cgb "$CG/inner")
	run_files hr run --bundle "$bundle" "$b"
	echo "status $status, stderr [$stderr]"
	[ "$status" -eq 1 ]
	assert_log_error "cgroups_path: cgroupsPath \"$CG/inner\" .* the cgroup $CG of the live container \"$A\""
	[ "$(cat "/sys/fs/cgroup/pids$CG/pids.max")" = 4096 ]
}

@test "cgroups: control: through plain runc B takes over A's cgroup and A can no longer fork" {
	local b bundle
	start_a
	b=$(new_id cgb)
	bundle=$(b_bundle cgb "$CG")
	run_files runc_ run --bundle "$bundle" "$b"
	echo "status $status, stderr [$stderr]"
	[ "$(cat "/sys/fs/cgroup/pids$CG/pids.max")" = 1 ]
	run runc_ exec "$A" sh -c 'true & wait; echo forked'
	echo "exec: $output"
	[ "$output" != forked ]
}
