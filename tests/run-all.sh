#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Runs every test layer and prints one closing line "N passed, N failed, N skipped".
#   tests/run-all.sh [--install] [BUILD_DIR]
# --install: apt-get the build and test dependencies first (Debian 12, root).
# Layers: criterion unit tests (policy/, runtime/ grammar), the same under
# ASan+UBSan and under valgrind (tests/run-valgrind.sh), then the bats
# integration suites with the real runc, the end-to-end suites with docker,
# containerd and podman (they skip, saying why, without root), and bounded
# fuzzing.  The closing lines give the time each layer took.
set -u
cd "$(dirname "$0")/.."
REPO=$PWD

if [ "${1:-}" = "--install" ]; then
	shift
	"$REPO/tests/install-deps.sh" || exit 1
fi
BUILD=${1:-build}

passed=0 failed=0 skipped=0
failed_names=()
layer_times=()

# layer_time NAME: records how long the layer since $layer_start took.
layer_time() {
	layer_times+=("$1 $((SECONDS - layer_start))s")
	layer_start=$SECONDS
}

layer_start=$SECONDS
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" --werror >/dev/null || exit 1
fi
ninja -C "$BUILD" || exit 1
layer_time build

echo "== code format (clang-format, .clang-format)"
if command -v clang-format >/dev/null; then
	if clang-format --dry-run --Werror policy/*.[ch] runtime/*.[ch] runtime/userns/*.[ch] include/hardrun/*.h tests/*/*.[ch]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1)); failed_names+=("clang-format")
	fi
else
	echo "clang-format is not installed: format check skipped"
	skipped=$((skipped + 1))
fi

echo "== negated checks (tests/lint-negations.sh: no bare \"! cmd\" in a bats suite)"
if tests/lint-negations.sh; then
	passed=$((passed + 1))
else
	failed=$((failed + 1)); failed_names+=("lint-negations")
fi

echo "== policy schema (tests/schema: docs/policy.schema.json and the loader agree)"
if python3 tests/schema/check_policy_schema.py "$BUILD/runtime/hardrun" "$REPO"; then
	passed=$((passed + 1))
else
	failed=$((failed + 1)); failed_names+=("policy-schema")
fi

# run_unit LABEL BUILD_DIR: the criterion binaries of one build, counted
# from criterion's "Synthesis" line.
run_unit() {
	local label=$1 dir=$2 t out status line p f c
	echo "== $label"
	for t in "$dir"/tests/test_*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		# test_seccomp_merge loads seccomp filters into its test processes
		# and asks real system calls: under ASan the sanitizer's own calls
		# meet those filters and the runner hangs; it runs in the plain
		# layer and under valgrind (whose filter tests skip themselves)
		if [ -n "${UNIT_SKIP:-}" ] && [[ " $UNIT_SKIP " == *" $(basename "$t") "* ]]; then
			echo "$(basename "$t"): skipped in this layer ($label)"
			skipped=$((skipped + 1))
			continue
		fi
		out=$(timeout --kill-after=10 600 "$t" -j2 2>&1)
		status=$?
		echo "$out" | tail -n 3
		line=$(echo "$out" | grep -a 'Synthesis:' | tail -n 1)
		if [ -z "$line" ]; then
			failed=$((failed + 1)); failed_names+=("$label: $(basename "$t") (no synthesis, exit $status)")
			continue
		fi
		p=$(echo "$line" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p')
		f=$(echo "$line" | sed -n 's/.*Failing: \([0-9]*\).*/\1/p')
		c=$(echo "$line" | sed -n 's/.*Crashing: \([0-9]*\).*/\1/p')
		# a sanitizer's report after the tests (a leak found at a test's
		# exit) fails the binary without failing a test: counted as one
		if [ "$status" -ne 0 ] && [ $((f + c)) -eq 0 ]; then
			c=1
			p=$((p > 0 ? p - 1 : 0))
			echo "$(basename "$t"): exit $status with every test passing (a sanitizer report?)"
		fi
		passed=$((passed + p)); failed=$((failed + f + c))
		[ $((f + c)) -gt 0 ] && failed_names+=("$label: $(basename "$t")")
		[ $((f + c)) -gt 0 ] && echo "$out" | grep -a -E '\[(FAIL|----)\]|SUMMARY' | head -n 40
	done
}

run_unit "unit tests (criterion)" "$BUILD"
layer_time unit

# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer.
ASAN_BUILD="$BUILD-asan"
if [ ! -f "$ASAN_BUILD/build.ninja" ]; then
	meson setup "$ASAN_BUILD" -Db_sanitize=address,undefined -Db_lundef=false >/dev/null || exit 1
fi
if ninja -C "$ASAN_BUILD" >/dev/null; then
	UNIT_SKIP=test_seccomp_merge ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		run_unit "unit tests under ASan+UBSan" "$ASAN_BUILD"
else
	failed=$((failed + 1)); failed_names+=("ASan build")
fi
layer_time asan

# run_script NAME PREFIX COMMAND...: a layer run by a script of its own that
# ends with "PREFIX: N passed, N failed" (or says it skipped).
run_script() {
	local name=$1 prefix=$2 out line p f
	shift 2
	out=$("$@" 2>&1)
	echo "$out"
	line=$(echo "$out" | grep "^$prefix: .* passed" | tail -n 1)
	if [ -n "$line" ]; then
		p=$(echo "$line" | sed -n "s/^$prefix: \([0-9]*\) passed.*/\1/p")
		f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
		passed=$((passed + p)); failed=$((failed + f))
		[ "$f" -gt 0 ] && failed_names+=("$name")
	elif echo "$out" | grep -q 'skipped'; then
		skipped=$((skipped + 1))
	else
		failed=$((failed + 1)); failed_names+=("$name (no result)")
	fi
}

echo "== valgrind: unit tests, hardrun check and policy validate under memcheck"
run_script valgrind valgrind "$REPO/tests/run-valgrind.sh" "$BUILD"
layer_time valgrind

export HARDRUN="$REPO/$BUILD/runtime/hardrun"
[ -x "$HARDRUN" ] || HARDRUN="$BUILD/runtime/hardrun"

# run_bats NAME DIR: one bats layer, counted from its TAP output.
run_bats() {
	local name=$1 dir=$2 tap ok sk nok
	echo "== $name"
	if [ ! -d "$dir" ]; then
		return
	fi
	if ! command -v bats >/dev/null; then
		echo "bats is not installed: $name skipped (apt-get install bats)"
		skipped=$((skipped + 1))
		return
	fi
	tap=$(mktemp)
	bats --tap "$dir" | tee "$tap"
	ok=$(grep -c '^ok ' "$tap")
	sk=$(grep -c '^ok .* # skip' "$tap")
	nok=$(grep -c '^not ok ' "$tap")
	passed=$((passed + ok - sk)); skipped=$((skipped + sk)); failed=$((failed + nok))
	grep '^not ok ' "$tap" | while read -r l; do echo "FAILED ($name): $l"; done
	[ "$nok" -gt 0 ] && failed_names+=("$name: $nok")
	rm -f "$tap"
}

run_bats "integration tests (bats, real runc)" "$REPO/tests/integration"
layer_time integration
# The same suites with hardrun built with ASan+UBSan: a memory error or a
# leak on any path they drive aborts hardrun, and the test fails.
if [ -x "$REPO/$ASAN_BUILD/runtime/hardrun" ]; then
	HARDRUN="$REPO/$ASAN_BUILD/runtime/hardrun" ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		run_bats "integration tests with hardrun under ASan+UBSan" "$REPO/tests/integration"
	layer_time integration-asan
fi
run_bats "end-to-end tests (docker, containerd, podman)" "$REPO/tests/e2e"
layer_time e2e
run_bats "package (Debian package built, installed, removed)" "$REPO/tests/package"
layer_time package
echo "== Kubernetes: pods through containerd's CRI (tests/k8s)"
run_script k8s k8s "$REPO/tests/k8s/run.sh"
layer_time k8s
echo "== Kubernetes manifests: the DaemonSet, its ConfigMaps, the RuntimeClass (tests/k8s/test_manifests.py)"
run_script manifests manifests python3 "$REPO/tests/k8s/test_manifests.py"
layer_time manifests

echo "== fuzzing (libFuzzer, ASan+UBSan, ${FUZZ_SECONDS:-36}s a target) and corpus replay"
run_script fuzzing fuzz "$REPO/tests/fuzz/run-fuzz.sh" "${FUZZ_SECONDS:-36}"
layer_time fuzz
echo "time per layer: ${layer_times[*]}"
for n in "${failed_names[@]}"; do echo "failed: $n"; done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
