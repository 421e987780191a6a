#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# valgrind's memcheck over what parses input: the criterion unit tests; the
# hardrun binary itself on every captured spec, every example policy and
# the saved fuzzing inputs (`hardrun check`, `hardrun policy validate`, which
# parse and enforce without running a container).  The integration suites
# run against an ASan+UBSan hardrun instead (run-all.sh): Debian 12's
# valgrind (3.19) does not know openat2(2), which create needs to resolve
# paths inside the rootfs.  Any invalid access, use
# of uninitialised memory or leak (definite or indirect) is a failure.
#   tests/run-valgrind.sh BUILD_DIR
# Ends with "valgrind: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-build}
HARDRUN=$BUILD/runtime/hardrun
LOGS=$(mktemp -d /tmp/hardrun-valgrind.XXXXXX)
trap 'rm -rf "$LOGS"' EXIT
passed=0 failed=0

if ! command -v valgrind >/dev/null; then
	echo "valgrind is not installed: skipped (apt-get install valgrind)"
	exit 0
fi

# valgrind replaces malloc in a dynamic program only: a static-PIE hardrun
# (the default, -Dstatic_pie) is checked as the same code linked dynamically.
if ! readelf -d "$HARDRUN" | grep -q NEEDED; then
	DYNAMIC_BUILD=$BUILD-dynamic
	if [ ! -f "$DYNAMIC_BUILD/build.ninja" ]; then
		meson setup "$DYNAMIC_BUILD" -Dstatic_pie=false -Dtests=false -Dman=disabled >/dev/null || exit 1
	fi
	ninja -C "$DYNAMIC_BUILD" runtime/hardrun >/dev/null || exit 1
	HARDRUN=$DYNAMIC_BUILD/runtime/hardrun
fi

# memcheck NAME COMMAND...: runs COMMAND (and the processes it starts) under
# memcheck; passes when no process reported an error.  COMMAND's own exit
# status is judged only when MUST_SUCCEED=1 (a denied spec exits non-zero by
# design; a unit test binary must pass under valgrind as it does without).
memcheck() {
	local name=$1 status
	shift
	rm -f "$LOGS"/vg.*
	valgrind --quiet --trace-children=yes --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect --log-file="$LOGS/vg.%p" "$@" >"$LOGS/out" 2>&1
	status=$?
	if [ "${MUST_SUCCEED:-0}" = 1 ] && [ "$status" -ne 0 ]; then
		failed=$((failed + 1))
		echo "FAILED (valgrind): $name exited $status"
		grep -E 'Assertion|FAIL|CRASH|^\[----\]   ' "$LOGS/out" | head -n 40
		return
	fi
	# Errors are the "==PID==" lines (with --quiet, nothing else is);
	# "--PID--" lines are valgrind's own notes, such as its not knowing
	# seccomp(2), which libseccomp probes and does without.
	# valgrind warns, in three "==PID==" lines, of an ioctl it cannot
	# describe (NS_GET_NSTYPE, which the namespace checks use): a note about
	# valgrind, not an error in hardrun.
	sed -i -E '/Warning: noted but unhandled ioctl/,+2d' "$LOGS"/vg.* 2>/dev/null
	if grep -qE '^==[0-9]+==' "$LOGS"/vg.* 2>/dev/null; then
		failed=$((failed + 1))
		echo "FAILED (valgrind): $name"
		grep -hE '^==[0-9]+==' "$LOGS"/vg.* | head -n 60
	else
		passed=$((passed + 1))
	fi
}

echo "== criterion unit tests under valgrind"
for t in "$BUILD"/tests/test_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	MUST_SUCCEED=1 memcheck "$(basename "$t")" "$t" --jobs=1
done

echo "== hardrun check / policy validate / report under valgrind"
for spec in tests/fixtures/*/*/config.json; do
	memcheck "check $spec" "$HARDRUN" check --config "$spec" --format json
done
for policy in examples/policies/*.json policy/default-policy.json; do
	memcheck "policy validate $policy" "$HARDRUN" policy validate "$policy"
done
memcheck "report tests/fixtures/audit/rollout.jsonl" "$HARDRUN" report --audit-log tests/fixtures/audit/rollout.jsonl --format json
memcheck "report (table)" "$HARDRUN" report --audit-log tests/fixtures/audit/rollout.jsonl
# the fuzzers' saved inputs (crashes once found, now regressions), each fed
# to the parser of its target
for input in tests/fuzz/regressions/*/*; do
	[ -f "$input" ] || continue
	case $input in
	*/fuzz_json/* | */fuzz_spec/*) memcheck "check $input" "$HARDRUN" check --config "$input" ;;
	*/fuzz_policy/*) memcheck "policy validate $input" "$HARDRUN" policy validate "$input" ;;
	esac
done

echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
