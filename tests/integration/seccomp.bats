#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Seccomp never loosens a spec, through the real runc: a spec's own profile
# (allow-by-default with denials, kills, traps, logs, notify rules with a
# seccomp agent, argument conditions) is merged with the default profile,
# and each answer is asserted from inside the container (the probe prints
# the errno a call gets).  The policy's own profile file is trusted like the
# policy, and the must-deny list holds whatever its default action.

load helpers

setup_file() {
	# the seccomp agent runs on the host, next to runc
	if command -v "${CC:-cc}" >/dev/null; then
		"${CC:-cc}" -O2 -o "$BATS_FILE_TMPDIR/seccomp_agent" "$BATS_TEST_DIRNAME/seccomp_agent.c" \
			2>"$BATS_FILE_TMPDIR/agent.err" || true
	fi
}

setup() {
	hr_setup
	require_probe
	AGENT_PID=
}

teardown() {
	if [ -n "$AGENT_PID" ]; then
		kill "$AGENT_PID" 2>/dev/null || true
		wait "$AGENT_PID" 2>/dev/null || true
	fi
	hr_teardown
}

# A profile that allows everything but what RULES (a jq array) says.
allow_but() {
	echo ".linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\", architectures: [\"SCMP_ARCH_X86_64\"], syscalls: $1}"
}

# probe_run NAME FILTER TESTS...: runs the probe's TESTS in a container of
# a bundle made with FILTER, through `hr` (or through RUNTIME when set, e.g.
# plain runc); $output has the probe's lines and probe_status=N.
probe_run() {
	local name=$1 filter=$2
	shift 2
	BUNDLE=$(make_bundle "$name" "grep -E '^Seccomp:' /proc/self/status; /bin/probe $*; echo probe_status=\$?" "$filter")
	CID=$(new_id "$name")
	if [ -n "${RUNTIME:-}" ]; then
		run runc_ run --bundle "$BUNDLE" "$CID"
	else
		run hr run --bundle "$BUNDLE" "$CID"
	fi
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field Seccomp)" = 2 ]
}

@test "an allow-by-default profile's EACCES for mkdir stays, the default profile applies around it" {
	probe_run eacces "$(allow_but '[{names: ["mkdir"], action: "SCMP_ACT_ERRNO", errnoRet: 13}]')" \
		mkdir unshare_user keyctl clone3
	[ "$(field mkdir)" = EACCES ]
	# what the default profile and the must-deny list deny
	[ "$(field unshare_user)" = EPERM ]
	[ "$(field keyctl)" = EPERM ]
	[ "$(field clone3)" = ENOSYS ]
	jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO"' "$(hardened_spec "$CID")"
	jq -e '.decisions[] | select(.rule == "seccomp" and (.message | test("kept and made at least as strict")))' <<<"$(audit_last_for "$CID")"
}

@test "plain runc gives the same EACCES for the same spec (the answer hardrun keeps)" {
	# the template's root is read-only: plain runc cannot write into the shared rootfs
	jq -e '.root.readonly == true' "$(spec_template)"
	RUNTIME=runc probe_run plain "$(allow_but '[{names: ["mkdir"], action: "SCMP_ACT_ERRNO", errnoRet: 13}]')" mkdir mkdir755
	[ "$(field mkdir)" = EACCES ]
	[ "$(field mkdir755)" = EACCES ]
}

@test "a denial under an argument condition keeps its condition: EACCES for mode 0700 only" {
	probe_run cond "$(allow_but '[{names: ["mkdir"], action: "SCMP_ACT_ERRNO", errnoRet: 13, args: [{index: 1, value: 448, op: "SCMP_CMP_EQ"}]}]')" \
		mkdir mkdir755
	[ "$(field mkdir)" = EACCES ]
	[ "$(field mkdir755)" = ok ]
}

@test "a kill or a trap for mkdir stays: the process dies of SIGSYS" {
	for action in SCMP_ACT_KILL SCMP_ACT_KILL_PROCESS SCMP_ACT_TRAP; do
		probe_run "kill$RANDOM" "$(allow_but "[{names: [\"mkdir\"], action: \"$action\"}]")" mkdir755
		echo "action $action"
		[ "$(field mkdir755)" = "" ]
		[ "$(field probe_status)" = $((128 + 31)) ]
		jq -e --arg a "$action" '.linux.seccomp.syscalls[] | select(.action == $a and (.names | index("mkdir")))' "$(hardened_spec "$CID")"
	done
}

@test "a log rule for mkdir stays a log rule (the call runs), a log rule for keyctl does not let it run" {
	probe_run log "$(allow_but '[{names: ["mkdir", "keyctl"], action: "SCMP_ACT_LOG"}]')" mkdir keyctl
	[ "$(field mkdir)" = ok ]
	[ "$(field keyctl)" = EPERM ]
	jq -e '.linux.seccomp.syscalls[] | select(.action == "SCMP_ACT_LOG" and (.names | index("mkdir")))' "$(hardened_spec "$CID")"
}

# agent_start: the seccomp agent listening at $SOCK, answering mkdir with
# EUSERS (87), writing the state runc sends to $STATE.
agent_start() {
	[ -x "$BATS_FILE_TMPDIR/seccomp_agent" ] || skip "needs a C compiler for the seccomp agent: $(head -n 3 "$BATS_FILE_TMPDIR/agent.err" 2>/dev/null)"
	SOCK=$BATS_TEST_TMPDIR/agent.sock
	STATE=$BATS_TEST_TMPDIR/agent.state
	"$BATS_FILE_TMPDIR/seccomp_agent" "$SOCK" 87 "$STATE" 2>"$BATS_TEST_TMPDIR/agent.log" &
	AGENT_PID=$!
	for _ in $(seq 50); do
		[ -S "$SOCK" ] && return 0
		sleep 0.1
	done
	echo "the agent did not listen: $(cat "$BATS_TEST_TMPDIR/agent.log")"
	return 1
}

@test "a notify rule reaches the spec's seccomp agent through hardrun: mkdir answers what the agent says" {
	agent_start
	probe_run notify "$(allow_but '[{names: ["mkdir"], action: "SCMP_ACT_NOTIFY"}]')
		| .linux.seccomp.listenerPath = \"$SOCK\" | .linux.seccomp.listenerMetadata = \"hardrun-it-metadata\"" \
		mkdir unshare_user
	[ "$(field mkdir)" = EUSERS ]
	[ "$(field unshare_user)" = EPERM ]
	# runc handed the agent the notify fd with the container's state and the metadata
	grep -q hardrun-it-metadata "$STATE"
	grep -q "$CID" "$STATE"
	grep -q 'answered with an errno' "$BATS_TEST_TMPDIR/agent.log"
	jq -e --arg s "$SOCK" '.linux.seccomp.listenerPath == $s and .linux.seccomp.listenerMetadata == "hardrun-it-metadata"' "$(hardened_spec "$CID")"
}

@test "a notify rule for a call the default profile denies is denied, the agent never asked" {
	agent_start
	probe_run notifydenied "$(allow_but '[{names: ["keyctl", "mkdir"], action: "SCMP_ACT_NOTIFY"}]')
		| .linux.seccomp.listenerPath = \"$SOCK\"" keyctl mkdir
	[ "$(field keyctl)" = EPERM ]
	[ "$(field mkdir)" = EUSERS ]
	[ "$(grep -c 'answered' "$BATS_TEST_TMPDIR/agent.log")" -eq 1 ]
}

# seccomp_policy PROFILE_FILE: a policy whose seccomp rule names the file.
seccomp_policy() {
	write_policy "{\"profiles\": {\"default\": {\"rules\": {\"seccomp\": {\"profile\": \"$1\"}}}}}" seccomp-policy
}

@test "a policy profile that allows by default still denies the must-deny list: unshare -U fails inside" {
	profile=$BATS_TEST_TMPDIR/allow-all.json
	echo '{"defaultAction": "SCMP_ACT_ALLOW"}' >"$profile"
	chmod 0644 "$profile"
	POLICY=$(seccomp_policy "$profile")
	BUNDLE=$(make_bundle allowall "grep -E '^Seccomp:' /proc/self/status; /bin/probe unshare_user mount keyctl clone3 mkdir; unshare -U true 2>/dev/null && echo busybox_unshare=ok || echo busybox_unshare=failed" 'del(.linux.seccomp)')
	CID=$(new_id allowall)
	run hr run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field Seccomp)" = 2 ]
	[ "$(field unshare_user)" = EPERM ]
	[ "$(field mount)" = EPERM ]
	[ "$(field keyctl)" = EPERM ]
	[ "$(field clone3)" = ENOSYS ]
	[ "$(field busybox_unshare)" = failed ]
	# the profile's own permissiveness otherwise stays: mkdir runs
	[ "$(field mkdir)" = ok ]
}

@test "a policy profile file anyone may write (0666) or owned by nobody: the policy is refused, nothing runs" {
	for how in 0666 nobody; do
		profile=$BATS_TEST_TMPDIR/profile-$how.json
		echo '{"defaultAction": "SCMP_ACT_ALLOW"}' >"$profile"
		if [ "$how" = 0666 ]; then chmod 0666 "$profile"; else chmod 0644 "$profile" && chown 65534 "$profile"; fi
		POLICY=$(seccomp_policy "$profile")
		BUNDLE=$(make_bundle "untrusted$how" 'echo ran=yes')
		CID=$(new_id "untrusted$how")
		run hr run --bundle "$BUNDLE" "$CID"
		echo "$how: $output"
		[ "$status" -ne 0 ]
		[ "$(field ran)" = "" ]
		assert_log_error "seccomp profile $profile is not trusted"
		run ! container_exists "$CID"
		run "$HARDRUN" policy validate "$POLICY"
		echo "validate: $output"
		[ "$status" -ne 0 ]
		[[ "$output" == *"seccomp profile $profile is not trusted"* ]]
	done
	# the same file made root's alone is accepted
	chown 0 "$profile"
	run "$HARDRUN" policy validate "$POLICY"
	echo "$output"
	[ "$status" -eq 0 ]
}
