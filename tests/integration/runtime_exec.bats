#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The real runtime hardrun executes is the very file it checked (owner,
# mode, the policy's SHA-256 pin): it is executed from the descriptor that
# was opened for the checks, never looked up by path again; --version names
# the commit hardrun was built from.

load helpers

setup() {
	hr_setup
}

teardown() {
	hr_teardown
}

@test "the runtime is executed from the descriptor that was checked and hashed" {
	command -v strace >/dev/null || skip "needs strace (apt-get install strace)"
	dir=$BATS_TEST_TMPDIR/rt
	mkdir -m 0755 "$dir"
	cp "$RUNC" "$dir/runc"
	pin=$(sha256sum "$dir/runc" | cut -d' ' -f1)
	POLICY=$(write_policy "{\"runtime\": \"$dir/runc\", \"runtime_sha256\": \"$pin\"}" pinned)
	run strace -f -s 1024 -e trace=openat,execve,execveat -o "$BATS_TEST_TMPDIR/trace" \
		"$HARDRUN" --hardrun-policy "$POLICY" list -q
	[ "$status" -eq 0 ]
	cat "$BATS_TEST_TMPDIR/trace"
	fd=$(grep -F "openat(AT_FDCWD, \"$dir/runc\", O_RDONLY|O_CLOEXEC) = " "$BATS_TEST_TMPDIR/trace" | head -n 1 | sed 's/.* = //')
	[ -n "$fd" ]
	grep -q "execveat($fd, \"\", \[\"$dir/runc\", \"list\", \"-q\"\]" "$BATS_TEST_TMPDIR/trace"
	# nothing executes the path itself
	refute grep -q "execve(\"$dir/runc\"" "$BATS_TEST_TMPDIR/trace"
}

@test "a runtime replaced after it was pinned is refused, the new file never runs" {
	dir=$BATS_TEST_TMPDIR/rt
	mkdir -m 0755 "$dir"
	cp "$RUNC" "$dir/runc"
	pin=$(sha256sum "$dir/runc" | cut -d' ' -f1)
	POLICY=$(write_policy "{\"runtime\": \"$dir/runc\", \"runtime_sha256\": \"$pin\"}" pinned)
	run "$HARDRUN" --hardrun-policy "$POLICY" list -q
	[ "$status" -eq 0 ]
	printf '#!/bin/sh\ntouch %s/ran\n' "$dir" >"$dir/runc.new"
	chmod 0755 "$dir/runc.new"
	mv "$dir/runc.new" "$dir/runc"
	run "$HARDRUN" --hardrun-policy "$POLICY" --log "$LOG" --log-format json list -q
	[ "$status" -eq 1 ]
	assert_log_error 'is not the one the policy pins'
	[ ! -e "$dir/ran" ]
}

@test "--version names the commit hardrun was built from, after the runtime's lines" {
	run "$HARDRUN" --hardrun-policy "$POLICY" --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "runc version "* ]]
	grep -Eq '^hardrun commit: ([0-9a-f]{7,}(-dirty)?|unknown)$' <<<"$output"
}
