#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Beyond the baseline, with the real runc: credentials in the spec (the
# secrets rule), and the integrity of what hardrun trusts (the real runtime
# and the policy file).

load helpers

setup() {
	hr_setup
}

teardown() {
	hr_teardown
}

AWS_SECRET=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
GH_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345

# A bundle whose env and args carry credentials.
leaky_bundle() {
	make_bundle "$1" 'echo ran=yes' ".process.env += [\"AWS_SECRET_ACCESS_KEY=$AWS_SECRET\", \"DB_PASSWORD_FILE=/run/secrets/db\"]
		| .process.args = [\"/bin/sh\", \"-c\", \"echo ran=yes\", \"--token=$GH_TOKEN\"]"
}

# ran BUNDLE ID: `hr run` of the bundle succeeds and its container ran.
ran() {
	run hr run --bundle "$1" "$2"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field ran)" = yes ]
}

# assert_no_secret FILE...: none of the values is in any of the files.
assert_no_secret() {
	local f
	for f in "$@"; do
		[ -e "$f" ] || continue
		if grep -F -e "$AWS_SECRET" -e "$GH_TOKEN" "$f"; then
			echo "a secret's value leaked into $f"
			return 1
		fi
	done
}

@test "secrets in env and args: audited by name by default, the container runs, no value in any log" {
	bundle=$(leaky_bundle leaky)
	id=$(new_id leaky)
	run hr run --bundle "$bundle" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field ran)" = yes ]
	line=$(audit_last_for "$id")
	echo "audit: $line"
	jq -e '[.decisions[] | select(.rule == "secrets" and .outcome == "audited")] | length == 2' <<<"$line" >/dev/null
	jq -e '.decisions[] | select(.rule == "secrets") | select(.message | test("env AWS_SECRET_ACCESS_KEY holds"))' <<<"$line" >/dev/null
	jq -e '.decisions[] | select(.rule == "secrets") | select(.message | test("process.args\\[3\\] \\(token\\) holds a GitHub token"))' <<<"$line" >/dev/null
	# the reference to a secret file is not a finding
	refute jq -e '.decisions[] | select(.message | test("DB_PASSWORD_FILE"))' <<<"$line" >/dev/null
	echo "$output" >"$BATS_TEST_TMPDIR/stderr"
	assert_no_secret "$AUDIT" "$LOG" "$BATS_TEST_TMPDIR/stderr"
}

@test "secrets with action deny: refused naming the variable, never its value; no container" {
	POLICY=$(write_policy '{"profiles": {"default": {"rules": {"secrets": {"action": "deny"}}}}}' secrets-deny)
	bundle=$(leaky_bundle leaky-deny)
	cp "$bundle/config.json" "$BATS_TEST_TMPDIR/original.json"
	id=$(new_id leaky-deny)
	hr_refused create "$bundle" "$id" 'secrets: env AWS_SECRET_ACCESS_KEY holds'
	cmp "$bundle/config.json" "$BATS_TEST_TMPDIR/original.json"
	echo "$output" >"$BATS_TEST_TMPDIR/stderr"
	assert_no_secret "$AUDIT" "$LOG" "$BATS_TEST_TMPDIR/stderr"
}

@test "a real runtime that group or others can write is refused, for create and pass-through alike" {
	cp "$RUNC" "$BATS_TEST_TMPDIR/runc"
	chmod 0757 "$BATS_TEST_TMPDIR/runc"
	POLICY=$(write_policy "{\"runtime\": \"$BATS_TEST_TMPDIR/runc\"}" writable-runtime)
	bundle=$(make_bundle writable 'echo ran=yes')
	id=$(new_id writable)
	hr_refused run "$bundle" "$id" "real runtime $BATS_TEST_TMPDIR/runc is not trusted: .* is writable by others \\(mode 0757\\)"
	run hr state "$id"
	[ "$status" -eq 1 ]
	assert_log_error 'is writable by others'
	# the same file, no longer writable: runs
	chmod 0755 "$BATS_TEST_TMPDIR/runc"
	ran "$bundle" "$id"
}

@test "a runtime that is not the pinned build is refused; the pinned one runs" {
	bundle=$(make_bundle pinned 'echo ran=yes')
	id=$(new_id pinned)
	POLICY=$(write_policy '{"runtime_sha256": "0000000000000000000000000000000000000000000000000000000000000000"}' wrong-pin)
	hr_refused run "$bundle" "$id" "real runtime $RUNC is not the one the policy pins: its SHA-256 is $(sha256sum "$RUNC" | cut -c1-64)"
	POLICY=$(write_policy "{\"runtime_sha256\": \"$(sha256sum "$RUNC" | cut -c1-64)\"}" right-pin)
	ran "$bundle" "$id"
}

@test "a policy file others can write starts no container; check still reads it, validate reports it" {
	chmod 0666 "$POLICY"
	bundle=$(make_bundle open-policy 'echo ran=yes')
	id=$(new_id open-policy)
	hr_refused run "$bundle" "$id" "the policy $POLICY is not trusted: .* is writable by others"
	# pass-through commands read the policy's runtime: refused too
	run hr state "$id"
	[ "$status" -eq 1 ]
	assert_log_error "the policy $POLICY is not trusted"
	# validate applies the runtime's trust checks: invalid, in the same words
	run "$HARDRUN" policy validate "$POLICY"
	[ "$status" -eq 1 ]
	[[ "$output" == *"the policy $POLICY is not trusted: "*"is writable by others"* ]]
}

@test "exec and delete refuse an untrusted runtime too: no command runs it" {
	bundle=$(make_bundle live 'sleep 60')
	id=$(new_id live)
	# not through `run`: the created container's init would hold its pipe
	hr create --bundle "$bundle" "$id" </dev/null >/dev/null 2>&1
	cp "$RUNC" "$BATS_TEST_TMPDIR/runc"
	chmod 0757 "$BATS_TEST_TMPDIR/runc"
	POLICY=$(write_policy "{\"runtime\": \"$BATS_TEST_TMPDIR/runc\"}" writable-runtime)
	run hr exec "$id" true
	echo "$output"
	[ "$status" -eq 1 ]
	assert_log_error 'is writable by others'
	run hr delete -f "$id"
	[ "$status" -eq 1 ]
	assert_log_error 'is writable by others'
	container_exists "$id"
}
