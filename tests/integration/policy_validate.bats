#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# `hardrun policy validate`: every problem of a policy at once, each with its
# JSON pointer and "did you mean", the runtime's own trust checks of the
# file, --format json; and the runtime refusing what validate refuses, in
# the same words.

load helpers

setup() {
	hr_setup
}

teardown() {
	hr_teardown
}

# A policy with five problems in different places.
several_problems() {
	write_policy '{"audit_mod": true, "default_profile": "strcit",
		"profiles": {"default": {"rules": {
			"capabilites": {"action": "fix"},
			"capabilities": {"allow": ["CAP_CHOWN", "CAP_FLY"]},
			"pids_limit": {"Limit": 5}}},
		"strict": {"extends": "defualt"}}}' several
}

@test "validate reports every problem of a policy at once, each where it is" {
	policy=$(several_problems)
	run "$HARDRUN" policy validate "$policy"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"policy $policy: /audit_mod: unknown key \"audit_mod\""* ]]
	[[ "$output" == *"/profiles/default/rules/capabilites: unknown rule \"capabilites\""* ]]
	[[ "$output" == *"/profiles/default/rules/capabilities/allow/1: rule \"capabilities\": allow: unknown capability \"CAP_FLY\""* ]]
	[[ "$output" == *"/profiles/default/rules/pids_limit/Limit: unknown setting \"Limit\""* ]]
	[[ "$output" == *"/profiles/strict/extends: no profile named \"defualt\""* ]]
	[[ "$output" == *"/default_profile: no profile named \"strcit\""* ]]
	[[ "$output" == *"invalid policy $policy: 6 problems"* ]]
}

@test "validate says what a misspelt name most likely meant" {
	policy=$(several_problems)
	run "$HARDRUN" policy validate "$policy"
	[ "$status" -eq 1 ]
	[[ "$output" == *'unknown key "audit_mod" (did you mean "audit_mode"?)'* ]]
	[[ "$output" == *'unknown rule "capabilites" (did you mean "capabilities"?)'* ]]
	[[ "$output" == *'unknown setting "Limit" (did you mean "limit"?)'* ]]
	[[ "$output" == *'no profile named "defualt" (did you mean "default"?)'* ]]
	[[ "$output" == *'no profile named "strcit" (did you mean "strict"?)'* ]]
	# no guess for a name that is nothing like a known one
	[[ "$output" != *'CAP_FLY" (did you mean'* ]]
}

@test "validate --format json: the problems as a list of path, message, suggestion" {
	policy=$(several_problems)
	run "$HARDRUN" policy validate --format json "$policy"
	echo "$output"
	[ "$status" -eq 1 ]
	jq -e '.valid == false and (.errors | length) == 6' <<<"$output"
	jq -e '.errors[] | select(.path == "/profiles/default/rules/capabilites")
		| .message == "unknown rule \"capabilites\"" and .suggestion == "capabilities"' <<<"$output"
	jq -e '.errors[] | select(.path == "/profiles/default/rules/capabilities/allow/1") | .suggestion == null' <<<"$output"
	jq -e '[.errors[] | keys == ["message", "path", "suggestion"]] | all' <<<"$output"
	run "$HARDRUN" policy validate --format json "$POLICY"
	[ "$status" -eq 0 ]
	jq -e '.valid and .errors == [] and .default_profile == "default" and .profiles == ["default"]' <<<"$output"
	run "$HARDRUN" policy validate --format yaml "$POLICY"
	[ "$status" -eq 2 ]
}

@test "a valid policy is still valid, in the same words" {
	run "$HARDRUN" policy validate "$POLICY"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "policy $POLICY is valid: 1 profile (default), default \"default\"" ]
	for f in "$REPO"/examples/policies/*.json; do
		run "$HARDRUN" policy validate "$f"
		echo "$f: $output"
		[ "$status" -eq 0 ]
		[[ "$output" == "policy $f is valid: "* ]]
	done
}

@test "the runtime refuses a misspelt policy too, with the same did-you-mean" {
	policy=$(write_policy '{"profiles": {"default": {"rules": {"pids_limit": {"Limit": 5}}}}}' misspelt)
	POLICY=$policy
	bundle=$(make_bundle misspelt 'echo ran=yes')
	id=$(new_id misspelt)
	hr_refused run "$bundle" "$id" 'profiles.default.rules.pids_limit: unknown setting "Limit" \(did you mean "limit"\?\)'
	run "$HARDRUN" policy validate "$policy"
	[ "$status" -eq 1 ]
	[[ "$output" == *'/profiles/default/rules/pids_limit/Limit: unknown setting "Limit" (did you mean "limit"?)'* ]]
}

# validate_refuses_like_runtime WHAT WHY: validate reports the policy
# invalid with the message the runtime refuses to start a container with,
# which says WHY.
validate_refuses_like_runtime() {
	bundle=$(make_bundle "untrusted-$1" 'echo ran=yes')
	id=$(new_id "untrusted-$1")
	hr_refused run "$bundle" "$id" "the policy $POLICY is not trusted"
	msg=$(jq -r .msg <<<"$(log_last)")
	msg=${msg#hardrun: *: }
	echo "runtime: $msg"
	run "$HARDRUN" policy validate "$POLICY"
	echo "validate: $output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"the policy $POLICY is not trusted: "* ]]
	[[ "$output" == *"$msg"* ]]
	[[ "$output" == *"$2"* ]]
	jq -e '.valid == false and .errors[0].path == ""' <<<"$("$HARDRUN" policy validate --format json "$POLICY")"
	# the content alone is valid
	run "$HARDRUN" policy validate --no-trust-check "$POLICY"
	[ "$status" -eq 0 ]
}

@test "a world-writable policy is invalid for validate, as the runtime refuses it" {
	chmod 0666 "$POLICY"
	validate_refuses_like_runtime world-writable "is writable by others (mode 0666)"
}

@test "a policy owned by another user, or in a directory others can write, is invalid for validate" {
	chown 65534 "$POLICY"
	validate_refuses_like_runtime nobody "is owned by uid 65534, not root"
	chown 0 "$POLICY"
	dir=$BATS_TEST_TMPDIR/open
	mkdir -m 0777 "$dir"
	cp "$POLICY" "$dir/policy.json"
	POLICY=$dir/policy.json
	validate_refuses_like_runtime open-dir "$dir is writable by others"
}
