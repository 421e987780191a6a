#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Fuzzes every target for a bounded time under ASan+UBSan, then replays the
# seed corpus and every saved crash (tests/fuzz/regressions/TARGET/) as
# regression tests.  A crash fails the run and is saved for the next one.
#   tests/fuzz/run-fuzz.sh [SECONDS_PER_TARGET]     (default 60)
# Prints "fuzz: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
REPO=$PWD
SECONDS_PER_TARGET=${1:-60}
BUILD=build-fuzz
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

if ! command -v clang >/dev/null; then
	echo "fuzz: skipped: needs clang and libclang-rt-14-dev (apt-get install clang libclang-rt-14-dev)"
	exit 0
fi
if [ ! -f "$BUILD/build.ninja" ]; then
	CC=clang meson setup "$BUILD" -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
		-Dtests=false >/dev/null || exit 1
fi
ninja -C "$BUILD" >/dev/null || exit 1

# Seeds: the captured engine specs and process files, the example policies,
# the captured argv (NUL-separated, as fuzz_cli reads them).
mkdir -p "$WORK"/{fuzz_json,fuzz_spec,fuzz_policy,fuzz_cli,fuzz_mountinfo}
i=0
for f in tests/fixtures/*/*/*.json; do
	i=$((i + 1))
	cp "$f" "$WORK/fuzz_json/seed$i"
	cp "$f" "$WORK/fuzz_spec/seed$i"
done
for f in examples/policies/*.json policy/default-policy.json; do
	cp "$f" "$WORK/fuzz_policy/$(basename "$f")"
done
cp tests/fuzz/seeds/mountinfo/* "$WORK/fuzz_mountinfo/"
for f in tests/fixtures/*/*/*.argv; do
	i=$((i + 1))
	tr '\n' '\0' <"$f" >"$WORK/fuzz_cli/seed$i"
done

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
passed=0 failed=0
for t in fuzz_json fuzz_spec fuzz_policy fuzz_cli fuzz_mountinfo; do
	regressions="tests/fuzz/regressions/$t"
	mkdir -p "$WORK/crashes-$t"
	if "$BUILD/tests/fuzz/$t-libfuzzer" -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 \
		-artifact_prefix="$WORK/crashes-$t/" "$WORK/$t" >"$WORK/$t.log" 2>&1; then
		echo "fuzz $t: $(grep -a -o 'Done [0-9]* runs' "$WORK/$t.log" | tail -n 1) in ${SECONDS_PER_TARGET}s: no crash"
		passed=$((passed + 1))
	else
		echo "fuzz $t: CRASH"
		tail -n 40 "$WORK/$t.log"
		mkdir -p "$regressions"
		cp "$WORK/crashes-$t"/* "$regressions/" 2>/dev/null
		echo "saved the input under $regressions/: commit it as a regression test once fixed"
		failed=$((failed + 1))
	fi
	replay_dirs=("$WORK/$t")
	[ -d "$regressions" ] && replay_dirs+=("$regressions")
	if "$BUILD/tests/fuzz/$t-replay" "${replay_dirs[@]}" >"$WORK/$t.replay" 2>&1; then
		passed=$((passed + 1))
	else
		echo "replay $t: FAILED"
		tail -n 30 "$WORK/$t.replay"
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
