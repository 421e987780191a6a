#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Id ranges through docker (issue 13 item 8): a container that shares
# another's network (`--network container:jx`) runs in jx's user namespace;
# removing jx must not free the range while the joiner still runs in it.
# The ranges are read from the host (/proc/PID/uid_map of each container's
# init).  Engines: setup_suite.bash.

load engines

setup() { e2e_require; }
teardown() { e2e_cleanup; }

# host_uid_base NAME: the host uid of container id 0 of a running container.
host_uid_base() {
	local pid
	pid=$(d inspect -f '{{.State.Pid}}' "$1")
	[ -n "$pid" ] && [ "$pid" -gt 0 ] || return 1
	awk '$1 == 0 {print $2}' "/proc/$pid/uid_map"
}

@test "docker run --network container:jx, then rm -f jx: the next container's range is not the joiner's" {
	jx=$(full_id "$(d run -d --label "$E2E_LABEL" --runtime=hardrun "$E2E_IMAGE" sleep 300)")
	joiner=$(full_id "$(d run -d --label "$E2E_LABEL" --runtime=hardrun --network "container:$jx" "$E2E_IMAGE" sleep 300)")
	base_jx=$(host_uid_base "$jx")
	base_joiner=$(host_uid_base "$joiner")
	echo "jx $base_jx, joiner $base_joiner"
	# the joiner runs in jx's user namespace
	[ "$base_joiner" = "$base_jx" ]
	d rm -f "$jx"
	[ "$(d inspect -f '{{.State.Running}}' "$joiner")" = true ]
	next=$(full_id "$(d run -d --label "$E2E_LABEL" --runtime=hardrun "$E2E_IMAGE" sleep 300)")
	base_next=$(host_uid_base "$next")
	echo "next $base_next"
	[ $((base_next > base_joiner ? base_next - base_joiner : base_joiner - base_next)) -ge 65536 ]
	# and from inside: the joiner and the new container are different users on the host
	run d exec "$next" sh -c "$PROBE"
	echo "$output"
	expect_userns
	d rm -f "$joiner" "$next"
	expect_released "$DOCKER_RUNC_ROOT" "$jx" "$joiner" "$next"
}
