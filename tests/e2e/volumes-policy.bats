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

# The volume owner's first uid and gid in the embedded default policy.
VOLUME_OWNER=1946157056

# no_host_user_files DIR: nothing under DIR is owned by a host user or
# group (ids below 65536): all of it is the volume owner's.
no_host_user_files() {
	local found
	found=$(find "$1" \( -uid -65536 -o -gid -65536 \) -print)
	echo "owned by host users: ${found:-none}"
	[ -z "$found" ]
}

@test "docker: a setuid copy made in a named volume is the volume owner's on disk, never host root's (issue 13 item 2)" {
	local vol=hr-e2e-suidvol-$$ data
	DOCKER_VOLUMES+=("$vol")
	d volume create "$vol" >/dev/null
	data=/var/lib/docker/volumes/$vol/_data
	run drun -v "$vol:/data" "$E2E_IMAGE" sh -c 'cp /bin/busybox /data/bb && chmod 4755 /data/bb && mkdir /data/svc && chown 999:999 /data/svc && stat -c "%u %g %a" /data/bb /data/svc'
	echo "$output"
	[ "$status" -eq 0 ]
	# the container sees what it made
	[ "${lines[0]}" = "0 0 4755" ]
	[ "${lines[1]}" = "999 999 755" ]
	# the host's disk holds no setuid-root file
	[ "$(stat -c '%u %g %a' "$data/bb")" = "$VOLUME_OWNER $VOLUME_OWNER 4755" ]
	[ "$(stat -c '%u %g' "$data/svc")" = "$((VOLUME_OWNER + 999)) $((VOLUME_OWNER + 999))" ]
	no_host_user_files "$data"
}

@test "docker: the image's files docker copies into a new volume show as the image has them, and are moved off host ids" {
	local vol=hr-e2e-copyvol-$$ data
	DOCKER_VOLUMES+=("$vol")
	# a new volume over /bin: dockerd copies the image's /bin into it
	run drun -v "$vol:/bin" "$E2E_IMAGE" sh -c 'stat -c "%u %g" /bin /bin/busybox && echo added >/bin/added'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "0 0" ]
	[ "${lines[1]}" = "0 0" ]
	data=/var/lib/docker/volumes/$vol/_data
	[ "$(stat -c %u "$data/busybox")" = "$VOLUME_OWNER" ]
	no_host_user_files "$data"
	# a second container, another range, still owns and writes it
	run drun -v "$vol:/bin" "$E2E_IMAGE" sh -c 'cat /bin/added && echo again >>/bin/added && echo wrote'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *wrote* ]]
}

@test "podman: a setuid copy made in a named volume is the volume owner's on disk, never host root's" {
	need_podman
	local vol=hr-e2e-psuidvol-$$ data
	PODMAN_VOLUMES+=("$vol")
	p volume create "$vol" >/dev/null
	data=$(p volume inspect --format '{{.Mountpoint}}' "$vol")
	run hp --rm --network none -v "$vol:/data" "$E2E_IMAGE" sh -c 'cp /bin/busybox /data/bb && chmod 4755 /data/bb && stat -c "%u %a" /data/bb'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "0 4755" ]
	[ "$(stat -c '%u %a' "$data/bb")" = "$VOLUME_OWNER 4755" ]
	no_host_user_files "$data"
}
