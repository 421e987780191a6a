# SPDX-License-Identifier: Apache-2.0
# One engine start for every e2e suite (bats >= 1.7 runs this once per
# `bats tests/e2e`): see engines.bash.
source "$(dirname "${BASH_SOURCE[0]}")/engines.bash"

setup_suite() {
	e2e_suite_setup
}

teardown_suite() {
	e2e_suite_teardown
}
