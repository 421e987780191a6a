#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Containers that join another container's namespaces through the engine
# (issue 14: whatever hardrun does must hold for every way a container
# joins a namespace).  Docker's --network/--ipc container:X of a hardrun
# container: the joiner shares X's id range and user namespace, and docker
# exec into it works and is hardened.  Engines: setup_suite.bash.

load engines

setup() { e2e_require; }
teardown() { e2e_cleanup; }

@test "docker run --network container:X --ipc container:X: X's id range, and docker exec into the joiner is hardened" {
	d run -d --label "$E2E_LABEL" --runtime=hardrun --name hr-e2e-jx --ipc shareable "$E2E_IMAGE" sleep 300 >/dev/null
	x_map=$(d exec hr-e2e-jx cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //')
	d run -d --label "$E2E_LABEL" --runtime=hardrun --name hr-e2e-joiner --network container:hr-e2e-jx \
		--ipc container:hr-e2e-jx "$E2E_IMAGE" sleep 300 >/dev/null
	run d exec hr-e2e-joiner sh -c "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_hardened
	expect_field uid_map "$(echo "$x_map" | tr '\n' ';')"
	[ "$(d exec hr-e2e-joiner readlink /proc/self/ns/net)" = "$(d exec hr-e2e-jx readlink /proc/self/ns/net)" ]
}
