#!/usr/bin/env bats
# The specs captured from docker 20.10, podman 4.3 and containerd 1.6 run
# through hardrun with the real runc, adapted to this host only where they
# name things that exist on the capturing host: the rootfs, the engines'
# bind files (recreated at the same paths, which the policy's exceptions
# name), hooks that call the engine, cgroup paths and rlimits.

load lib

setup() {
	require_runc
	POLICY=$(write_policy)
	CREATED_FILES=()
}

teardown() {
	cleanup_containers
	for f in "${CREATED_FILES[@]}"; do rm -rf "$f"; done
}

# adapt FIXTURE: a bundle running the fixture's spec on the busybox rootfs.
adapt() {
	local fixture=$1 dir=$BATS_TEST_TMPDIR/$(echo "$1" | tr / -)
	mkdir -p "$dir"
	jq --arg root "$(make_rootfs)" --arg cg "/hardrun-it/$(basename "$dir")-$$" '
	    .root.path = $root | del(.hooks) | del(.process.rlimits) | .linux.cgroupsPath = $cg
	    | .process.terminal = false
	    | .process.args = ["sh", "-c", "grep -E \"^(CapEff|NoNewPrivs|Seccomp):\" /proc/self/status; echo uid_map $(cat /proc/self/uid_map)"]
	    | .process.env = ["PATH=/bin"]' "$REPO/tests/fixtures/$fixture/config.json" >"$dir/config.json"
	# the engine's bind sources, where the spec expects them
	for src in $(jq -r '.mounts[] | select(.type == "bind" or ((.options // []) | index("rbind"))) | .source' "$dir/config.json"); do
		[ -e "$src" ] && continue
		local top=$src
		while [ ! -e "$(dirname "$top")" ]; do top=$(dirname "$top"); done
		CREATED_FILES+=("$top")
		if [[ "$src" == */shm ]]; then mkdir -p "$src"; else mkdir -p "$(dirname "$src")" && echo "# $fixture" >"$src"; fi
	done
	echo "$dir"
}

run_fixture() {
	local bundle id
	bundle=$(adapt "$1")
	id=$(unique_id fx)
	track "$id"
	run hr run --bundle "$bundle" "$id"
	echo "$1: $output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"CapEff:	00000000000004fb"* ]]
	[[ "$output" == *"NoNewPrivs:	1"* ]]
	[[ "$output" == *"Seccomp:	2"* ]]
	[[ "$output" != *"uid_map 0 0 4294967295"* ]]
	grep -q '"decision":"modify"' "$BATS_TEST_TMPDIR/audit.jsonl"
}

@test "docker 20.10 default spec runs hardened" {
	run_fixture docker-20.10/default
}

@test "docker 20.10 --privileged spec runs as an ordinary hardened container" {
	# plain runc cannot even start it here: the host lacks CAP_SYS_RESOURCE
	bundle=$(adapt docker-20.10/privileged)
	run runc run --bundle "$bundle" "$(unique_id plainpriv)"
	[ "$status" -ne 0 ]
	run_fixture docker-20.10/privileged
}

@test "docker 20.10 --cap-add ALL --security-opt seccomp=unconfined spec runs hardened" {
	run_fixture docker-20.10/capadd-all-unconfined
}

@test "docker 20.10 exec fixture's container runs hardened" {
	run_fixture docker-20.10/exec
}

@test "podman 4.3 default spec runs hardened" {
	run_fixture podman-4.3/default
}

@test "containerd 1.6 ctr default spec runs hardened" {
	run_fixture containerd-1.6-ctr/default
}
