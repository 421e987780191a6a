#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Input hardrun must refuse, cleanly: every case exits 1 (no crash, no
# signal), says what is wrong on stderr and in the --log file (runc's JSON
# error form), prints nothing on stdout, leaves config.json byte-identical,
# and no container or id range exists afterwards.

load helpers

setup() {
	hr_setup
	BUNDLE=$(make_bundle bad 'echo container-ran')
	BASE=$(jq -c . "$BUNDLE/config.json")
}

teardown() {
	hr_teardown
}

# set_spec TEXT: config.json becomes TEXT exactly (printf %b escapes allowed).
set_spec() {
	printf '%b' "$1" >"$BUNDLE/config.json"
}

# set_spec_from_base SED_EXPR [JQ_FILTER]: the valid base spec, compact, with
# a textual edit jq could not express (big numbers, duplicate keys).
set_spec_from_base() {
	jq -c "${2:-.}" <<<"$BASE" | sed "$1" >"$BUNDLE/config.json"
	if [ -n "$1" ] && cmp -s "$BUNDLE/config.json" <(jq -c "${2:-.}" <<<"$BASE"); then
		echo "the edit $1 changed nothing"
		return 1
	fi
}

# refused PATTERN [HARDRUN_ARGS...]: `hardrun create` of the bundle fails the
# way it must, with an error matching PATTERN (ERE).
refused() {
	local pattern=$1 id
	shift
	cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/before.json"
	id=$(new_id bad)
	if [ $# -eq 0 ]; then set -- --hardrun-policy "$POLICY"; fi
	run_files "$HARDRUN" "$@" --log "$LOG" --log-format json create --bundle "$BUNDLE" "$id"
	echo "status $status"
	echo "stdout [$output]"
	echo "stderr [$stderr]"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == "hardrun: "* ]]
	grep -Eq -- "$pattern" <<<"$stderr"
	assert_log_error "$pattern"
	cmp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/before.json"
	[ -z "$(find "$BUNDLE" -name '.config.json.hardrun-*')" ]
	refute container_exists "$id"
	refute grep -rqs -- "$id" /run/hardrun/ids
	refute grep -qs "\"container\":\"$id\".*\"decision\":\"\(modify\|allow\)\"" "$AUDIT"
}

@test "control: the base spec runs" {
	id=$(new_id good)
	run hr run --bundle "$BUNDLE" "$id"
	[ "$status" -eq 0 ]
	[[ "$output" == *container-ran* ]]
}

@test "truncated JSON" {
	set_spec "$(head -c 200 <<<"$BASE")"
	refused 'invalid JSON|premature|EOF'
}

@test "not JSON at all" {
	set_spec 'this is not json, it is a config file\n'
	refused 'invalid JSON'
}

@test "an empty file" {
	set_spec ''
	refused 'empty'
}

@test "a 70 MB file" {
	{
		printf '{"ociVersion":"1.0.2","x":"'
		head -c 70000000 /dev/zero | tr '\0' a
		printf '"}'
	} >"$BUNDLE/config.json"
	SECONDS=0
	refused 'larger than'
	[ "$SECONDS" -lt 10 ]
}

@test "nesting 200 levels deep" {
	set_spec "$(python3 -c 'print("{\"process\":" + "[" * 200 + "]" * 200 + "}")' 2>/dev/null ||
		printf '{"process":%s%s}' "$(printf '[%.0s' $(seq 200))" "$(printf ']%.0s' $(seq 200))")"
	refused 'nesting deeper than'
}

@test "invalid UTF-8 in a string" {
	set_spec_from_base 's/container-ran/container-\xff\xfe-ran/'
	refused 'UTF-8'
}

@test "a \\\\u0000 escape in a string" {
	set_spec_from_base 's/container-ran/container\\u0000ran/'
	refused 'NUL'
}

@test "an unpaired UTF-16 surrogate escape" {
	set_spec_from_base 's/container-ran/container\\ud800ran/'
	refused 'surrogate'
}

@test "trailing data after the document" {
	printf '%s {"process": {}}' "$BASE" >"$BUNDLE/config.json"
	refused 'trailing'
}

@test "an out-of-range integer: linux.resources.pids.limit 99999999999999999999999" {
	set_spec_from_base 's/"limit":123/"limit":99999999999999999999999/' '.linux.resources.pids = {limit: 123}'
	refused 'pids.*99999999999999999999999'
}

@test "an out-of-range integer: process.user.uid 1e400" {
	set_spec_from_base 's/"uid":0/"uid":1e400/'
	refused 'uid'
}

@test "an integer field given a fraction: process.user.gid 1.5" {
	set_spec_from_base 's/"gid":0/"gid":1.5/'
	refused 'gid'
}

@test "wrong type: process is a string" {
	set_spec_from_base '' '.process = "x"'
	refused 'process: a JSON string where runc.s Go decoder needs an object'
}

@test "wrong type: mounts is an object" {
	set_spec_from_base '' '.mounts = {}'
	refused 'mounts: a JSON object where runc.s Go decoder needs an array'
}

@test "wrong type: the document is an array" {
	set_spec '[]'
	refused 'not an object|expected object'
}

@test "missing process" {
	set_spec_from_base '' 'del(.process)'
	refused 'no process'
}

# Duplicate and case-variant keys are read as runc's Go decoder reads them
# (differential.bats, godiff.bats); refused only where runc's decode fails.
@test "duplicate keys: a later Process of the wrong type" {
	set_spec_from_base 's/}$/,"Process":5}/'
	refused 'process: a JSON number where'
}

@test "case-variant keys: a later PROCESS null leaves no process" {
	set_spec_from_base 's/}$/,"PROCESS":null}/'
	refused 'no process'
}

@test "the bundle has no config.json" {
	rm "$BUNDLE/config.json"
	: >"$BATS_TEST_TMPDIR/none"
	id=$(new_id nospec)
	run_files hr create --bundle "$BUNDLE" "$id"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	assert_log_error 'config.json'
	[ ! -e "$BUNDLE/config.json" ]
	refute container_exists "$id"
}

@test "policy: malformed JSON" {
	echo '{"audit_log": "/tmp/x", ' >"$BATS_TEST_TMPDIR/bad-policy.json"
	refused 'cannot load the policy.*invalid JSON' --hardrun-policy "$BATS_TEST_TMPDIR/bad-policy.json"
}

@test "policy: a directory given as --hardrun-policy" {
	mkdir "$BATS_TEST_TMPDIR/policy-dir"
	refused 'cannot load the policy.*not a regular file' --hardrun-policy "$BATS_TEST_TMPDIR/policy-dir"
}

@test "policy: a file that does not exist" {
	refused 'cannot load the policy.*no-such-policy.json' --hardrun-policy "$BATS_TEST_TMPDIR/no-such-policy.json"
}

@test "policy: an unknown capability in the allowlist" {
	write_policy '{"profiles": {"default": {"rules": {"capabilities": {"allow": ["CAP_CHOWN", "CAP_FLY"]}}}}}' capfly >/dev/null
	refused 'cannot load the policy.*CAP_FLY' --hardrun-policy "$BATS_TEST_TMPDIR/capfly.json"
}

@test "policy: an unknown key, an unknown rule, a bad action" {
	write_policy '{"audit_logg": "/tmp/x"}' p1 >/dev/null
	refused 'cannot load the policy.*audit_logg' --hardrun-policy "$BATS_TEST_TMPDIR/p1.json"
	write_policy '{"profiles": {"default": {"rules": {"no_such_rule": {"action": "fix"}}}}}' p2 >/dev/null
	refused 'cannot load the policy.*no_such_rule' --hardrun-policy "$BATS_TEST_TMPDIR/p2.json"
	write_policy '{"profiles": {"default": {"rules": {"seccomp": {"action": "maybe"}}}}}' p3 >/dev/null
	refused 'cannot load the policy.*seccomp' --hardrun-policy "$BATS_TEST_TMPDIR/p3.json"
}

@test "policy: a profile that does not exist" {
	refused 'no profile named "nope"' --hardrun-policy "$POLICY" --hardrun-profile nope
}
