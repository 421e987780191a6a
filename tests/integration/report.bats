#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# `hardrun report`: the audit log summarized per rule, per profile and per
# container.  On a recorded log (tests/fixtures/audit/rollout.jsonl: a
# rollout container with an exec, a hardened one, a refused one, a line cut
# short by a full disk, a container with a credential in its env, one
# quarantined for joining the host's network) the counts
# are known; on a live log, written by containers run through real runc
# under the rollout profile, they must match what ran.

load helpers

RECORDED=$REPO/tests/fixtures/audit/rollout.jsonl

teardown() {
	[ -z "${LIVE:-}" ] || hr_teardown
}

report_json() {
	"$HARDRUN" report --audit-log "$1" --format json
}

@test "report on a recorded audit log: counts per rule, profile and container" {
	run report_json "$RECORDED"
	echo "$output"
	[ "$status" -eq 0 ]
	jq -e '.records == 6 and .skipped_lines == 1 and .decisions == {allow: 2, modify: 2, deny: 1, quarantine: 1}' <<<"$output"
	jq -e '[.rules[] | select(.rule == "capabilities")][0] | .changed == 3 and .audited == 2 and .denied == 0' <<<"$output"
	jq -e '[.rules[] | select(.rule == "privileged")][0].denied == 1' <<<"$output"
	jq -e '[.rules[] | select(.rule == "secrets")][0].audited == 1' <<<"$output"
	jq -e '[.rules[] | select(.rule == "host_namespaces")][0].quarantined == 1' <<<"$output"
	jq -e '[.profiles[] | select(.profile == "default")][0] | .records == 3 and .quarantine == 1 and .changed == 6 and .quarantined == 1' <<<"$output"
	jq -e '[.profiles[] | select(.profile == "rollout")][0] | .records == 2 and .allow == 2 and .audited == 5' <<<"$output"
	jq -e '[.profiles[] | select(.profile == "strict")][0] | .deny == 1 and .denied == 2' <<<"$output"
	# one row a container: the exec folded into its create, the image kept
	jq -e '.containers | length == 5' <<<"$output"
	jq -e '.containers[0] | .container == "c1c1c1c1c1c1c1c1" and .records == 2 and .image == "localhost/hardrun/busybox:latest" and .audited == 5' <<<"$output"
}

@test "report as a table by default; a missing log or a bad option is a clear error" {
	run "$HARDRUN" report --audit-log "$RECORDED"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"records:   6 (allow 2, modify 2, deny 1, quarantine 1); 1 lines skipped"* ]]
	echo "$output" | grep -Eq '^  secrets +0 +0 +1 +0$'
	echo "$output" | grep -Eq '^  c1c1c1c1c1c1 +localhost/hardrun/busybox:latest +rollout +2 allow +0 +0 +5 +0$'
	echo "$output" | grep -Eq '^  c5c5c5c5c5c5 +- +default +1 quarantine +2 +0 +0 +1$'
	run "$HARDRUN" report --audit-log /nonexistent/audit.jsonl
	[ "$status" -eq 2 ]
	[[ "$output" == *"cannot read the audit log /nonexistent/audit.jsonl"* ]]
	run "$HARDRUN" report --colour
	[ "$status" -eq 2 ]
	[[ "$output" == *'unexpected argument "--colour"'* ]]
}

@test "report on a live log: containers run under the rollout profile show what enforcement would change" {
	LIVE=1
	hr_setup
	jq --arg log "$AUDIT" --arg runc "$RUNC" '.audit_log = $log | .runtime = $runc' \
		"$REPO/examples/policies/profiles.json" >"$BATS_TEST_TMPDIR/profiles.json"
	POLICY=$BATS_TEST_TMPDIR/profiles.json
	for name in one two; do
		bundle=$(make_bundle "live-$name" 'echo ran=yes' "$EVERYTHING_FILTER
			| .process.capabilities |= map_values(map(select(. != \"CAP_SYS_RESOURCE\")))")
		id=$(new_id "live-$name")
		ids+=("$id")
		run "$HARDRUN" --hardrun-policy "$POLICY" --hardrun-profile rollout run --bundle "$bundle" "$id"
		echo "$output"
		[ "$status" -eq 0 ]
	done
	run report_json "$AUDIT"
	echo "$output"
	[ "$status" -eq 0 ]
	jq -e '.records == 2 and .decisions.allow == 2 and .skipped_lines == 0' <<<"$output"
	jq -e '[.profiles[] | select(.profile == "rollout")][0] | .records == 2 and .changed == 0 and .audited > 6' <<<"$output"
	for rule in user_namespace capabilities no_new_privileges seccomp privileged; do
		jq -e --arg r "$rule" '[.rules[] | select(.rule == $r)][0].audited >= 2' <<<"$output"
	done
	for id in "${ids[@]}"; do
		jq -e --arg id "$id" '[.containers[] | select(.container == $id)][0] | .last_decision == "allow" and .audited > 3' <<<"$output"
	done
}

@test "report names every line it cannot read, and why; the image column says it is the caller's claim" {
	log=$BATS_TEST_TMPDIR/mixed.jsonl
	cp "$RECORDED" "$log"
	printf '{"container":"c9","decision":"allow","document":"/tmp/\xff.json"}\n' >>"$log"
	head -c $((17 << 20)) /dev/zero | tr '\0' x >>"$log"
	printf '\n[1,2]\n' >>"$log"
	n=$(wc -l <"$RECORDED")
	run report_json "$log"
	[ "$status" -eq 0 ]
	jq -e '.records == 6 and .skipped_lines == 4' <<<"$output"
	jq -e --argjson n "$n" '.unreadable_lines | map(.line) == [5, $n + 1, $n + 2, $n + 3]' <<<"$output"
	jq -e '.unreadable_lines[1].why | test("^not JSON: .*UTF-8")' <<<"$output"
	jq -e '.unreadable_lines[2].why == "longer than 16 MiB" and .unreadable_lines[3].why == "not an audit record"' <<<"$output"
	jq -e '.containers[0].image_source | test("not verified")' <<<"$output"
	run "$HARDRUN" report --audit-log "$log"
	[ "$status" -eq 0 ]
	[[ "$output" == *"4 lines skipped (unreadable, listed below)"* ]]
	[[ "$output" == *"unreadable line $((n + 2)): longer than 16 MiB"* ]]
	[[ "$output" == *"whoever runs a container can set these"* ]]
}

@test "audit lines are JSON whatever the bytes (a -p path with 0xFF) and bounded (a 100 KiB env name)" {
	LIVE=1
	hr_setup
	bundle=$(make_bundle sleeper 'exec sleep 600')
	CID=$(new_id report-exec)
	hr create --bundle "$bundle" "$CID" >/dev/null 2>&1 </dev/null
	hr start "$CID"
	wait_running "$CID"
	f=$BATS_TEST_TMPDIR/$'proc\xff.json'
	jq -c '.args = ["true"]' "$FIXTURES/docker-20.10/exec/03-exec.process.json" >"$f"
	run hr exec -p "$f" "$CID"
	[ "$status" -eq 0 ]
	# a credential under a huge name: the secrets rule names it
	name="X_SECRET_$(head -c 100000 /dev/zero | tr '\0' A)"
	bundle=$(make_bundle huge 'true' ".process.env += [\"$name=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"]")
	id=$(new_id huge)
	hr create --bundle "$bundle" "$id" >/dev/null 2>&1 </dev/null
	# every line is JSON, the exec's document spelled with \xff
	jq -e . "$AUDIT" >/dev/null
	audit_last_for "$CID" | jq -e '.document | endswith("proc\\xff.json")'
	line=$(audit_last_for "$id")
	[ "${#line}" -lt 65536 ]
	jq -e '[.decisions[] | select(.rule == "secrets" and (.message | test("more bytes\\]")))] | length == 1' <<<"$line"
	run report_json "$AUDIT"
	jq -e '.skipped_lines == 0 and .records == 3' <<<"$output"
}
