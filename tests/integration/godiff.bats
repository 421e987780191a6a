#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The Go differential: runc decodes config.json with Go's encoding/json into
# runtime-spec's types; hardrun must read every spec exactly so.  The Go
# program in tests/godiff (standard library only, built here) generates specs
# with case variants, duplicates at every depth, merges, nulls and map keys,
# and checks (1) that hardrun with nothing enforced reads each one as Go does
# and refuses exactly what Go refuses, and (2) that the spec the default
# policy would hand runc, decoded by Go, holds the baseline.

load helpers

setup_file() {
	command -v go >/dev/null || return 0
	export GODIFF=$BATS_FILE_TMPDIR/godiff
	# no module proxy: GOPATH mode, the standard library only
	(cd "$REPO/tests/godiff" && GO111MODULE=off GOFLAGS= GOCACHE="$BATS_FILE_TMPDIR/gocache" \
		go build -o "$GODIFF" .) >"$BATS_FILE_TMPDIR/build.log" 2>&1 || true
}

setup() {
	hr_setup
	command -v go >/dev/null || skip "needs Go 1.19 (apt-get install golang-go)"
	[ -x "$GODIFF" ] || {
		cat "$BATS_FILE_TMPDIR/build.log"
		false
	}
}

teardown() {
	hr_teardown
}

@test "godiff: hardrun reads every generated spec as runc's Go decoder does" {
	run "$GODIFF" run -hardrun "$HARDRUN" -dir "$BATS_TEST_TMPDIR"
	echo "$output" | tail -n 40
	[ "$status" -eq 0 ]
	[[ "$output" =~ godiff:\ ([0-9]+)\ passed,\ 0\ failed ]]
	[ "${BASH_REMATCH[1]}" -ge 300 ]
}

@test "godiff view: a stale slice element revives an earlier mount (Go's own behaviour, pinned)" {
	printf '%s' '{"process":{"cwd":"/"},"mounts":[{"destination":"/a"},{"destination":"/b","type":"bind","source":"/etc","options":["rbind"]}],"Mounts":[{"destination":"/a"}],"MOUNTS":[{"destination":"/a"},{"destination":"/c"}]}' >"$BATS_TEST_TMPDIR/stale.json"
	run "$GODIFF" view "$BATS_TEST_TMPDIR/stale.json"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -c '.mounts[1]' <<<"$output")" = '{"destination":"/c","type":"bind","source":"/etc","options":["rbind"]}' ]
}
