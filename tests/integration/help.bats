#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# hardrun's own help next to runc's: `hardrun help`, `COMMAND --help` for
# hardrun's commands, runc's text for runc's (engines and runc's tests read
# it) with one line in front pointing at hardrun's, the man pages and the
# bash completion.

load helpers

setup() {
	hr_setup
}

teardown() {
	hr_teardown
}

@test "hardrun help lists hardrun's own commands and its flags" {
	run "$HARDRUN" help
	[ "$status" -eq 0 ]
	for c in check policy report seccomp; do
		grep -Eq "^  $c +[a-z]" <<<"$output"
	done
	[[ "$output" == *"--hardrun-policy FILE"* ]]
	[[ "$output" == *"hardrun-policy(5)"* ]]
}

@test "COMMAND --help and help COMMAND print the command's usage, exit 0, run nothing" {
	for c in check policy report seccomp; do
		run "$HARDRUN" "$c" --help
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" == "usage: hardrun"*"$c"* ]]
		run "$HARDRUN" help "$c"
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" == "usage: hardrun"*"$c"* ]]
	done
	run "$HARDRUN" check --bundle /nonexistent -h
	[ "$status" -eq 0 ]
	[[ "$output" == *"--config FILE"* ]]
}

@test "--help and help for runc's commands stay runc's, with one line pointing at hardrun help" {
	run "$HARDRUN" --hardrun-policy "$POLICY" --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "hardrun: this is runc's help; "*"hardrun help" ]]
	expected=$("$RUNC" --help)
	[ "$(tail -n +3 <<<"$output")" = "$expected" ]
	run "$HARDRUN" --hardrun-policy "$POLICY" help create
	[ "$status" -eq 0 ]
	[ "$output" = "$("$RUNC" help create)" ]
	run "$HARDRUN" --hardrun-policy "$POLICY" create --help
	[ "$status" -eq 0 ]
	[ "$output" = "$("$RUNC" create --help)" ]
}

@test "the man pages are built and render; the completion offers hardrun's commands" {
	build=$(cd "$(dirname "$HARDRUN")/.." && pwd)
	if [ ! -f "$build/docs/hardrun.8" ]; then
		skip "the man pages are not built (needs scdoc: apt-get install scdoc)"
	fi
	run man -l "$build/docs/hardrun.8"
	[ "$status" -eq 0 ]
	[[ "$output" == *"COMMANDS OF ITS OWN"* ]]
	run man -l "$build/docs/hardrun-policy.5"
	[ "$status" -eq 0 ]
	[[ "$output" == *"sensitive_mounts"* ]]
	[ -f /usr/share/bash-completion/bash_completion ] || skip "needs bash-completion"
	run bash -c "source /usr/share/bash-completion/bash_completion; source '$REPO/docs/completion/hardrun'
		COMP_LINE='hardrun ch'; COMP_POINT=10; COMP_WORDS=(hardrun ch); COMP_CWORD=1; _hardrun; echo \"\${COMPREPLY[*]}\"
		COMP_LINE='hardrun check --fo'; COMP_POINT=18; COMP_WORDS=(hardrun check --fo); COMP_CWORD=2; _hardrun; echo \"\${COMPREPLY[*]}\"
		COMP_LINE='hardrun check --format '; COMP_POINT=23; COMP_WORDS=(hardrun check --format ''); COMP_CWORD=3; _hardrun; echo \"\${COMPREPLY[*]}\""
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "check checkpoint" ]
	[ "${lines[1]}" = "--format" ]
	[ "${lines[2]}" = "text json sarif junit" ]
}
