#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# What engines bind, judged for the container being created (issue 13):
# a named volume is what its mount really is (a bind volume of /run or /etc
# is refused like a bind of /run or /etc), another container's engine files
# are never an exception, and a rootfs inside an engine's store is refused.
# Each route is the engine's own: docker's `volume create -o o=bind`,
# `--mount ...,volume-opt=...`, podman's `volume create` and `--rootfs`.
# Engines: setup_suite.bash.

load engines

ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

setup() { e2e_require; }

teardown() {
	local v
	for v in "${DOCKER_VOLUMES[@]}"; do
		d volume rm -f "$v" >/dev/null 2>&1 || true
	done
	for v in "${PODMAN_VOLUMES[@]}"; do
		p volume rm -f "$v" >/dev/null 2>&1 || true
	done
	command -v podman >/dev/null && podman_cleanup
	e2e_cleanup
}

DOCKER_VOLUMES=()
PODMAN_VOLUMES=()

need_podman() {
	command -v podman >/dev/null || skip "needs podman: apt-get install podman"
	p image exists "$E2E_IMAGE" ||
		p import --change 'ENV PATH=/bin' "$(busybox_tar)" "$E2E_IMAGE" >/dev/null
}

# hp ARGS...: podman run through hardrun, labelled, with the ulimits.
hp() { p --runtime "$HR_BIN" run --label "$E2E_LABEL" "${ULIMITS[@]}" "$@"; }

@test "docker: a volume created as a bind of /run is refused, naming the volume and /run" {
	local vol=hr-e2e-bindvol-$$
	DOCKER_VOLUMES+=("$vol")
	d volume create -o type=none -o o=bind -o device=/run "$vol" >/dev/null
	run drun -v "$vol:/h" "$E2E_IMAGE" sh -c 'ls /h/docker.sock && echo reached'
	echo "$output"
	expect_refused sensitive_mounts
	expect_output_contains "volume \"/var/lib/docker/volumes/$vol/_data\" at \"/h\" is a mount of the host path \"/run\""
	[[ "$output" != *reached* ]]
}

@test "docker: --mount type=volume with volume-opt device=/etc is refused like a bind of /etc" {
	local vol=hr-e2e-mountvol-$$
	DOCKER_VOLUMES+=("$vol")
	run drun --mount "type=volume,source=$vol,target=/h,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/etc" \
		"$E2E_IMAGE" sh -c 'touch /h/hardrun-e2e-owned && echo wrote'
	echo "$output"
	expect_refused sensitive_mounts
	expect_output_contains "is a mount of the host path \"/etc\", which exposes the sensitive host path \"/etc\""
	[ ! -e /etc/hardrun-e2e-owned ]
}

@test "docker: a plain named volume still runs, and is the container's own" {
	local vol=hr-e2e-plainvol-$$
	DOCKER_VOLUMES+=("$vol")
	d volume create "$vol" >/dev/null
	run drun -v "$vol:/data" "$E2E_IMAGE" sh -c 'echo kept >/data/f && cat /data/f'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *kept* ]]
}

@test "docker: binding another live container's /var/lib/docker/containers/ID/hosts is refused" {
	local other
	other=$(d run -d --label "$E2E_LABEL" --runtime=hardrun "$E2E_IMAGE" sleep 120)
	[ -f "/var/lib/docker/containers/$other/hosts" ]
	cp "/var/lib/docker/containers/$other/hosts" "$BATS_TEST_TMPDIR/hosts.before"
	run drun -v "/var/lib/docker/containers/$other/hosts:/x" "$E2E_IMAGE" sh -c 'echo owned >/x'
	echo "$output"
	expect_refused sensitive_mounts
	expect_output_contains "bind mount of \"/var/lib/docker/containers/$other/hosts\" at \"/x\" exposes the sensitive host path \"/var/lib/docker\""
	cmp "/var/lib/docker/containers/$other/hosts" "$BATS_TEST_TMPDIR/hosts.before"
}

@test "docker: --network container:X still runs (X's hosts, hostname and resolv.conf are bound into it)" {
	local other
	other=$(d run -d --label "$E2E_LABEL" --runtime=hardrun "$E2E_IMAGE" sleep 120)
	run drun --network "container:$other" "$E2E_IMAGE" sh -c 'cat /etc/hosts >/dev/null && echo ran'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *ran* ]]
}

@test "docker: --ipc container:X (X shareable) still runs (X's /dev/shm is bound into it)" {
	local other
	run d run -d --label "$E2E_LABEL" --runtime=hardrun --ipc shareable "$E2E_IMAGE" sleep 120
	if [ "$status" -ne 0 ] && [[ "$output" == *'at "/dev/shm"'*"operation not permitted"* ]]; then
		# X's own mounts/shm is its own (the policy allows it); runc then
		# cannot remount the staged bind with tmpfs's locked flags
		skip "a shareable container does not start under hardrun yet (staging of its mounts/shm): $output"
	fi
	[ "$status" -eq 0 ]
	other=$output
	run drun --ipc "container:$other" "$E2E_IMAGE" sh -c 'ls -d /dev/shm && echo ran'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *ran* ]]
}

@test "podman: a volume created as a bind of /run is refused" {
	need_podman
	local vol=hr-e2e-pbindvol-$$
	PODMAN_VOLUMES+=("$vol")
	p volume create -o type=none -o o=bind -o device=/run "$vol" >/dev/null
	run hp --rm --network none -v "$vol:/h" "$E2E_IMAGE" sh -c 'ls /h && echo reached'
	echo "$output"
	expect_refused sensitive_mounts
	expect_output_contains "is a mount of the host path \"/run\""
	[[ "$output" != *reached* ]]
}

@test "podman: binding another container's overlay-containers/ID/userdata/attach is refused" {
	need_podman
	local other dir
	other=$(hp -d --network none "$E2E_IMAGE" sleep 120)
	dir=/var/lib/containers/storage/overlay-containers/$other/userdata
	[ -e "$dir/attach" ] || skip "podman made no $dir/attach here: $(ls "$dir")"
	run hp --rm --network none -v "$dir/attach:/x" "$E2E_IMAGE" true
	echo "$output"
	expect_refused sensitive_mounts
	expect_output_contains "bind mount of \"$dir/attach\" at \"/x\" exposes the sensitive host path \"/var/lib/containers\""
}

@test "podman: --rootfs /var/lib/docker/overlay2 is refused" {
	need_podman
	[ -d /var/lib/docker/overlay2 ] || skip "docker keeps no /var/lib/docker/overlay2 here"
	run hp --rm --network none --rootfs /var/lib/docker/overlay2 /bin/true
	echo "$output"
	expect_refused sensitive_mounts
	expect_output_contains "root filesystem \"/var/lib/docker/overlay2\" exposes the sensitive host path \"/var/lib/docker\""
}
