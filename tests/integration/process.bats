#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# process_limits and process_labels through real runc: rlimits and
# oomScoreAdj a spec or an exec asks for are held to the policy (what the
# process sees, `ulimit -H` and /proc/self/oom_score_adj, read from
# inside), and an exec cannot pick its own LSM labels.  This host has no
# CAP_SYS_RESOURCE and a hard RLIMIT_NOFILE of 20000: the tests use a
# policy ceiling below what plain runc can grant here, so plain runc shows
# what the spec would get without hardrun.

load helpers

setup() {
	hr_setup
	# ceiling 4096 open files, floor 200 for oom_score_adj
	POLICY=$(write_policy '{"profiles": {"default": {"rules": {"process_limits": {"rlimits": [{"type": "RLIMIT_NOFILE", "max": 4096}, {"type": "RLIMIT_RTPRIO", "max": 0}], "oom_score_adj_min": 200}}}}}' limits)
}

teardown() {
	hr_teardown
}

LIMITS_SCRIPT='echo "nofile=$(ulimit -Hn) soft=$(ulimit -Sn) rtprio=$(ulimit -Hr) oom=$(cat /proc/self/oom_score_adj)"'

# as_parent_oom500 CMD...: CMD run with oom_score_adj 500 (raising needs no
# privilege), so that runc may lower it to 100 without CAP_SYS_RESOURCE.
as_parent_oom500() {
	bash -c 'echo 500 >/proc/self/oom_score_adj && exec "$@"' _ "$@"
}

@test "rlimits above the ceiling and an oomScoreAdj below the floor are lowered and raised; plain runc grants them" {
	bundle=$(make_bundle limits "$LIMITS_SCRIPT" '.process.rlimits = [{type: "RLIMIT_NOFILE", hard: 8192, soft: 8192}] | .process.oomScoreAdj = 100')
	id=$(new_id limits)
	run as_parent_oom500 "$HARDRUN" --hardrun-policy "$POLICY" --log "$LOG" --log-format json run --bundle "$bundle" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "nofile=4096 soft=4096 rtprio=0 oom=200" ]
	line=$(audit_last_for "$id")
	jq -e '[.decisions[] | select(.rule == "process_limits" and .outcome == "changed")] | length == 2' <<<"$line"
	# the same spec through plain runc
	bundle=$(make_bundle plain-limits "$LIMITS_SCRIPT" '.process.rlimits = [{type: "RLIMIT_NOFILE", hard: 8192, soft: 8192}] | .process.oomScoreAdj = 100')
	id=$(new_id plain)
	run as_parent_oom500 "$RUNC" run --bundle "$bundle" "$id"
	echo "plain runc: $output"
	[ "$status" -eq 0 ]
	[ "$output" = "nofile=8192 soft=8192 rtprio=0 oom=100" ]
}

@test "under deny, a raised real-time limit refuses the container" {
	POLICY=$(write_policy '{"profiles": {"default": {"rules": {"process_limits": {"action": "deny"}}}}}' limits-deny)
	bundle=$(make_bundle rtprio "$LIMITS_SCRIPT" '.process.rlimits = [{type: "RLIMIT_RTPRIO", hard: 99, soft: 99}]')
	id=$(new_id rtprio)
	hr_refused run "$bundle" "$id" 'process_limits: RLIMIT_RTPRIO hard limit 99 is above the policy.s ceiling 0'
}

@test "an exec's process file: rlimits, oomScoreAdj and LSM labels are judged too" {
	bundle=$(make_bundle sleeper 'exec sleep 600')
	CID=$(new_id exec)
	as_parent_oom500 "$HARDRUN" --hardrun-policy "$POLICY" --log "$LOG" --log-format json create --bundle "$bundle" "$CID" >/dev/null 2>&1 </dev/null
	hr start "$CID"
	wait_running "$CID"
	f=$BATS_TEST_TMPDIR/process.json
	jq -c --arg s "$LIMITS_SCRIPT" '.args = ["/bin/sh", "-c", $s] | .rlimits = [{type: "RLIMIT_NOFILE", hard: 8192, soft: 8192}] | .oomScoreAdj = 100 | .apparmorProfile = "unconfined" | .selinuxLabel = "system_u:system_r:spc_t:s0"' \
		"$FIXTURES/docker-20.10/exec/03-exec.process.json" >"$f"
	run hr exec -p "$f" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	# runc 1.1.5 applies no oomScoreAdj to an exec (it keeps its caller's,
	# 0 here); the rule judges it anyway, for runtimes that do
	[ "$output" = "nofile=4096 soft=4096 rtprio=0 oom=0" ]
	line=$(audit_last_for "$CID")
	echo "$line"
	jq -e '[.decisions[] | select(.rule == "process_labels" and .outcome == "changed")] | length == 2' <<<"$line"
	jq -e '[.decisions[] | select(.rule == "process_limits" and .outcome == "changed")] | length == 2' <<<"$line"
	# plain runc: the labels make it fail on this host (no AppArmor), the
	# limits would be granted
	run "$RUNC" exec -p "$f" "$CID"
	echo "plain runc: $output"
	[ "$status" -ne 0 ]
	jq -c 'del(.apparmorProfile, .selinuxLabel)' "$f" >"$f.plain"
	run "$RUNC" exec -p "$f.plain" "$CID"
	echo "plain runc: $output"
	[ "$output" = "nofile=8192 soft=8192 rtprio=0 oom=0" ]
}

@test "policy show lists process_limits and process_labels with their settings" {
	POLICY=$(write_policy)
	run --separate-stderr "$HARDRUN" --hardrun-policy "$POLICY" policy show
	echo "$output $stderr"
	[ "$status" -eq 0 ]
	jq -e '.profiles.default.rules.process_limits | .action == "fix" and .oom_score_adj_min == 0 and (.rlimits | map(select(.type == "RLIMIT_NOFILE"))[0].max == 1048576)' <<<"$output"
	jq -e '.profiles.default.rules.process_labels | .action == "fix" and .apparmor_profile == ""' <<<"$output"
}

@test "process_cwd follows symlinks: an image's /app -> /proc/self/fd/7 and a link made at run time in /tmp are refused" {
	POLICY=$(write_policy)
	root=$(private_rootfs cwd)
	ln -s /proc/self/fd/7 "$root/app"
	bundle=$(make_bundle cwd-image 'touch /tmp/ran' '.process.cwd = "/app"' "$root")
	id=$(new_id cwd-image)
	hr_refused run "$bundle" "$id" 'process_cwd: working directory "/app" resolves to "/proc/self/fd/7"'
	# an exec into a running container: the link is made inside it, in
	# its tmpfs, where the host's view of the image cannot see it
	bundle=$(make_bundle cwd-sleeper 'ln -s /proc/self/fd/7 /tmp/x && exec sleep 600')
	CID=$(new_id cwd-exec)
	hr create --bundle "$bundle" "$CID" >/dev/null 2>&1 </dev/null
	hr start "$CID"
	wait_running "$CID"
	for i in $(seq 50); do "$RUNC" exec "$CID" test -L /tmp/x && break; sleep 0.1; done
	run --separate-stderr hr exec --cwd /tmp/x "$CID" touch /tmp/exec-ran
	echo "$output $stderr"
	[ "$status" -eq 1 ]
	assert_log_error 'working directory "/tmp/x" resolves to "/proc/self/fd/7"'
	f=$BATS_TEST_TMPDIR/cwd.json
	jq -c '.cwd = "/tmp/x" | .args = ["touch", "/tmp/exec-ran"]' "$FIXTURES/docker-20.10/exec/03-exec.process.json" >"$f"
	run --separate-stderr hr exec -p "$f" "$CID"
	[ "$status" -eq 1 ]
	assert_log_error 'resolves to "/proc/self/fd/7"'
	run "$RUNC" exec "$CID" test -e /tmp/exec-ran
	[ "$status" -ne 0 ]
	# a link to a magic link of the container's procfs is not followed
	# (its target is the host's view) but caught
	"$RUNC" exec "$CID" ln -s /proc/1/cwd /tmp/y
	run --separate-stderr hr exec --cwd /tmp/y "$CID" true
	[ "$status" -eq 1 ]
	assert_log_error 'working directory "/tmp/y" resolves to "/proc/1/cwd"'
	# a plain directory is fine
	run hr exec --cwd /tmp "$CID" pwd
	[ "$status" -eq 0 ]
	[ "$output" = /tmp ]
}
