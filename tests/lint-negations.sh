#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Fails when a bats suite or helper negates a command as a statement of its
# own ("! cmd" on a line, or after &&, ||, ;, then, do, else, {).  Bash's
# set -e, which is how bats fails a test, ignores a negated command, so
# such a line passes whatever happens.  Write `refute cmd` (helpers.bash,
# engines.bash), `run ! cmd` and then check $status, or an `if`.
#   tests/lint-negations.sh [FILE...]   (default: every suite and helper)
cd "$(dirname "$0")/.." || exit 2
if [ $# -eq 0 ]; then
	set -- $(find tests -name '*.bats' -o -name '*.bash' | sort)
fi
found=$(grep -nHE '(^|&&|\|\||;|\bthen|\bdo|\belse|\{)[[:space:]]*![[:space:]]' "$@" |
	grep -vE '^[^:]+:[0-9]+:[[:space:]]*(if|elif|while|until|#)[[:space:]]')
if [ -n "$found" ]; then
	echo "negated commands that cannot fail a test (use refute, or run ! and check \$status):"
	echo "$found"
	exit 1
fi
exit 0
