#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Commands that read no spec go to runc untouched: hardrun's stdout, stderr
# (apart from logrus' timestamp) and exit status are runc's own, for
# containers hardrun created.

load helpers

setup() {
	hr_setup
	# a runc state directory of the test's own: `list` shows only its containers
	RUNC_ROOT=$BATS_TEST_TMPDIR/runc-root
}

teardown() {
	hr_teardown
}

# start_sleeper NAME: a running container created by hardrun; echoes its id.
start_sleeper() {
	local bundle id
	bundle=$(make_bundle "$1" 'exec sleep 600')
	id=$(new_id "$1")
	hr create --bundle "$bundle" "$id" >/dev/null 2>&1 </dev/null || return 1
	hr start "$id" || return 1
	wait_running "$id" >/dev/null || return 1
	echo "$id"
}

# strip_time: logrus text lines carry the time of the call.
strip_time() {
	sed -E 's/time="[^"]*" //'
}

# same_as_runc ARGS...: `runc ARGS` and `hardrun ARGS` (with hardrun's own
# flags, which it must take out) give the same stdout, stderr and status.
# NORMALIZE, when set, is a command both stdouts go through first.
same_as_runc() {
	local r_out r_err r_status norm=${NORMALIZE:-cat}
	run --separate-stderr "$RUNC" --root "$RUNC_ROOT" "$@"
	r_out=$($norm <<<"$output") r_err=$(strip_time <<<"$stderr") r_status=$status
	run --separate-stderr "$HARDRUN" --hardrun-policy "$POLICY" --root "$RUNC_ROOT" --hardrun-profile default "$@"
	echo "== $*"
	echo "runc ($r_status): $r_out $r_err"
	echo "hardrun ($status): $output $(strip_time <<<"$stderr")"
	[ "$status" -eq "$r_status" ]
	[ "$($norm <<<"$output")" = "$r_out" ]
	[ "$(strip_time <<<"$stderr")" = "$r_err" ]
}

# ps's C column is the CPU use of the moment: blanked before comparing.
no_cpu_column() {
	awk '{ $4 = "-"; print }'
}

@test "state, ps, list and features of a hardrun container are runc's, byte for byte" {
	id=$(start_sleeper pass)
	[ "$(container_state "$id")" = running ]
	same_as_runc state "$id"
	[ "$(jq -r .status <<<"$output")" = running ]
	NORMALIZE=no_cpu_column same_as_runc ps "$id"
	[[ "$output" == *"sleep 600"* ]]
	same_as_runc ps "$id" -eo pid,user,args
	[[ "$output" == *"sleep 600"* ]]
	same_as_runc ps --format json "$id"
	[ "$(jq length <<<"$output")" -eq 1 ]
	same_as_runc list
	[[ "$output" == *"$id"* ]]
	same_as_runc list -q
	same_as_runc list --format json
	same_as_runc features
	jq -e .ociVersionMin <<<"$output"
}

@test "errors of pass-through commands are runc's: unknown container, bad flags" {
	same_as_runc state hrit-no-such-container
	[ "$status" -ne 0 ]
	same_as_runc ps hrit-no-such-container
	same_as_runc kill hrit-no-such-container KILL
	same_as_runc delete hrit-no-such-container
	[ "$status" -ne 0 ]
	same_as_runc state
	same_as_runc list --no-such-flag
	[ "$status" -ne 0 ]
}

# `hardrun --help` is runc's text after one line pointing at `hardrun help`,
# which is hardrun's own (help.bats)
@test "help of runc's commands and spec are runc's" {
	same_as_runc state --help
	same_as_runc help create
	same_as_runc create --help
	mkdir runc-spec hardrun-spec
	(cd runc-spec && "$RUNC" spec)
	(cd hardrun-spec && "$HARDRUN" --hardrun-policy "$POLICY" spec)
	cmp runc-spec/config.json hardrun-spec/config.json
}

@test "events --stats gives runc's event for the container" {
	id=$(start_sleeper events)
	run --separate-stderr runc_ events --stats "$id"
	r_status=$status r_keys=$(jq -c '[.type, .id, (.data | keys)]' <<<"$output")
	run --separate-stderr "$HARDRUN" --hardrun-policy "$POLICY" --root "$RUNC_ROOT" events --stats "$id"
	[ "$status" -eq "$r_status" ]
	[ "$(jq -c '[.type, .id, (.data | keys)]' <<<"$output")" = "$r_keys" ]
	[ "$(jq -r .id <<<"$output")" = "$id" ]
}

@test "pause, resume, kill and delete through hardrun act like runc's" {
	a=$(start_sleeper a)
	b=$(start_sleeper b)
	# pause and resume
	run hr pause "$a"
	[ "$status" -eq 0 ] && [ -z "$output" ]
	[ "$(container_state "$a")" = paused ]
	same_as_runc pause "$a" # already paused: the same error
	[ "$status" -ne 0 ]
	run hr resume "$a"
	[ "$status" -eq 0 ] && [ -z "$output" ]
	[ "$(container_state "$a")" = running ]
	# a harmless signal: same (empty) output and status
	same_as_runc kill "$a" CONT
	[ "$status" -eq 0 ]
	[ "$(container_state "$a")" = running ]
	# KILL through hardrun, and through runc
	run hr kill "$a" KILL
	[ "$status" -eq 0 ] && [ -z "$output" ]
	runc_ kill "$b" KILL
	wait_stopped "$a"
	wait_stopped "$b"
	same_as_runc kill "$a" KILL # not running any more: the same error
	same_as_runc state "$a"
	# delete: hardrun's is runc's, and it also frees the id range
	slot=$(grep -l -- "$a" /run/hardrun/ids/* | xargs -n1 basename)
	[ -n "$slot" ]
	grep -q " /run/hardrun/stage/$slot/" /proc/self/mountinfo
	run --separate-stderr hr delete "$a"
	h_status=$status h_out=$output
	run --separate-stderr runc_ delete "$b"
	[ "$h_status" -eq "$status" ] && [ "$h_status" -eq 0 ]
	[ "$h_out" = "$output" ] && [ -z "$h_out" ]
	refute container_exists "$a"
	refute container_exists "$b"
	refute grep -rqs -- "$a" /run/hardrun/ids
	refute grep -q " /run/hardrun/stage/$slot/" /proc/self/mountinfo
}

@test "pass-through commands work with a broken policy, and leave no audit line" {
	id=$(start_sleeper broken)
	lines_before=$(wc -l <"$AUDIT")
	echo '{ this is not a policy' >"$BATS_TEST_TMPDIR/broken.json"
	run --separate-stderr runc_ state "$id"
	expected=$output
	run --separate-stderr "$HARDRUN" --hardrun-policy "$BATS_TEST_TMPDIR/broken.json" --root "$RUNC_ROOT" state "$id"
	[ "$status" -eq 0 ]
	[ "$output" = "$expected" ]
	run hr list -q
	run hr ps "$id"
	run hr kill "$id" CONT
	[ "$(wc -l <"$AUDIT")" -eq "$lines_before" ]
}

@test "--version prints runc's version first, then hardrun's" {
	run --separate-stderr "$RUNC" --version
	runc_version=$output
	run --separate-stderr "$HARDRUN" --hardrun-policy "$POLICY" --version
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "runc version "* ]]
	n=$(wc -l <<<"$runc_version")
	[ "$(head -n "$n" <<<"$output")" = "$runc_version" ]
	[[ "${lines[$n]}" =~ ^hardrun\ version\ [0-9]+\.[0-9]+ ]]
	run --separate-stderr "$HARDRUN" --hardrun-policy "$POLICY" -v
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "runc version "* ]]
}

@test "a command neither runc nor hardrun knows is an error" {
	run --separate-stderr "$HARDRUN" --log "$LOG" --log-format json frobnicate hrit-x
	echo "status $status stdout [$output] stderr [$stderr]"
	[ "$status" -ne 0 ]
	[ "$status" -lt 128 ]
	[ -z "$output" ]
	[[ "$stderr" == *frobnicate* ]]
	assert_log_error frobnicate
	run "$RUNC" frobnicate hrit-x
	[ "$status" -ne 0 ]
}
