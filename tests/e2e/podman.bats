#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# podman 4.3 (as root) through hardrun: `podman --runtime hardrun`, and
# examples/podman/containers.conf through CONTAINERS_CONF so that a plain
# `podman run` goes through hardrun.  podman needs
# `--ulimit nofile=1024:1024 --ulimit nproc=1024:1024` on these hosts (the
# hard limit is below podman's default).  The image is the same busybox tar
# as Docker's, `podman import`ed; a variant of it carries empty
# /etc/hostname, /etc/hosts and /etc/resolv.conf (as most distribution
# images do) for the tests that isolate what hardrun enforces from
# podman's bind targets.  Engines: setup_suite.bash.

load engines

ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
IMAGE_ETC=$E2E_IMAGE-etc

podman_missing() {
	command -v podman >/dev/null || echo "needs podman: apt-get install podman"
}

setup_file() {
	[ -z "$(e2e_missing)" ] && [ -z "$(podman_missing)" ] || return 0
	local root=$BATS_FILE_TMPDIR/rootfs-etc
	if ! p image exists "$E2E_IMAGE"; then
		p import --change 'ENV PATH=/bin' "$(busybox_tar)" "$E2E_IMAGE" >/dev/null
		touch "$E2E_STATE/podman-image.imported"
	fi
	mkdir -p "$root"
	tar -C "$root" -xf "$(busybox_tar)"
	touch "$root/etc/hostname" "$root/etc/hosts" "$root/etc/resolv.conf"
	tar -C "$root" -c . | p import --change 'ENV PATH=/bin' - "$IMAGE_ETC" >/dev/null
}

teardown_file() {
	[ -z "$(e2e_missing)" ] && [ -z "$(podman_missing)" ] || return 0
	podman_cleanup
	p rmi -f "$IMAGE_ETC" >/dev/null 2>&1 || true
}

setup() {
	e2e_require
	local why
	why=$(podman_missing)
	[ -z "$why" ] || skip "$why"
}
teardown() { podman_cleanup; }

# hp ARGS...: podman run through hardrun, labelled, with the ulimits.
hp() { p --runtime "$HR_BIN" run --label "$E2E_LABEL" "${ULIMITS[@]}" "$@"; }

# podman's containers run in runc's default root
PODMAN_RUNC_ROOT=/run/runc

@test "podman with plain runc works on this host (the baseline for the tests below)" {
	run p --runtime /usr/sbin/runc run --rm --label "$E2E_LABEL" "${ULIMITS[@]}" "$E2E_IMAGE" sh -c "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_field uid_map "0 0 4294967295;"
}

@test "podman --runtime hardrun run (default network, image without /etc files): hardened" {
	run hp --rm "$E2E_IMAGE" sh -c "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_hardened
}

# The next two split the test above into its two causes.
@test "podman --runtime hardrun run, default network (a netns podman made, joined by path): hardened" {
	run hp --rm "$IMAGE_ETC" sh -c "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_hardened
}

# The netns podman made belongs to the host's user namespace, so runc in the
# container's new one can neither mount sysfs nor write podman's
# ping_group_range "0 0": hardrun does both from the host, in that netns.
@test "podman default network: sysfs shows the container's own interfaces, read-only; ping_group_range is podman's 0 0" {
	run hp --rm "$IMAGE_ETC" sh -c 'ls /sys/class/net | tr "\n" " "; echo; cat /proc/sys/net/ipv4/ping_group_range; touch /sys/x 2>&1 || echo sys-read-only; ip -o link 2>/dev/null | wc -l'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *eth0* ]]
	[[ "${lines[0]}" != *docker0* ]] # the host's bridge is not in this namespace
	read -r lo hi <<<"${lines[1]}"
	[ "$lo" = 0 ] && [ "$hi" = 0 ]
	[[ "$output" == *sys-read-only* ]]
}

@test "podman --runtime hardrun run --network none, image without /etc/hostname (podman binds one there): hardened" {
	run hp --rm --network none "$E2E_IMAGE" sh -c "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_hardened
}

@test "podman --runtime hardrun run --network none, image with /etc/hostname: hardened" {
	run hp --rm --network none "$IMAGE_ETC" sh -c "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_hardened
}

@test "podman --runtime hardrun run --privileged (--network none): hardened" {
	run hp --rm --network none --privileged "$IMAGE_ETC" sh -c "$PROBE
		if [ -e /dev/vda ] || [ -e /dev/kmsg ]; then echo 'host-devices: present'; else echo 'host-devices: absent'; fi"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_hardened
	expect_field host-devices absent
}

@test "podman -v /etc:/hostetc is refused, hardrun's error in podman's output" {
	run hp --rm -v /etc:/hostetc "$E2E_IMAGE" true
	echo "$output"
	expect_refused 'sensitive_mounts: bind mount of "/etc"'
	expect_output_contains "Error:"
}

@test "podman exec and exec --privileged into a hardrun container (--network none): hardened" {
	id=$(hp -d --network none "$IMAGE_ETC" sleep 300)
	run p exec "$id" sh -c "$PROBE"
	echo "exec: $output"
	[ "$status" -eq 0 ]
	expect_hardened
	run p exec --privileged "$id" sh -c "$PROBE"
	echo "exec --privileged: $output"
	[ "$status" -eq 0 ]
	expect_hardened
	[ "$(hr_entry_ids "$PODMAN_RUNC_ROOT" | grep -cx "$id")" -eq 1 ]
	p rm -f "$id" >/dev/null
	expect_released "$PODMAN_RUNC_ROOT" "$id"
}

@test "podman exec into a hardrun container on podman's network (a netns the host owns): hardened, in the container's netns" {
	id=$(hp -d "$IMAGE_ETC" sleep 300)
	pid=$(p inspect --format '{{.State.Pid}}' "$id")
	# podman made the network namespace in the host's user namespace
	[ "$(readlink /proc/$pid/ns/net)" != "$(readlink /proc/self/ns/net)" ]
	run p exec "$id" sh -c "$PROBE"
	echo "exec: $output"
	[ "$status" -eq 0 ]
	expect_hardened
	run p exec "$id" readlink /proc/self/ns/net
	[ "$status" -eq 0 ]
	[ "$output" = "$(readlink /proc/$pid/ns/net)" ]
	p rm -f "$id" >/dev/null
	expect_released "$PODMAN_RUNC_ROOT" "$id"
}

@test "examples/podman/containers.conf (CONTAINERS_CONF): plain podman run goes through hardrun" {
	export CONTAINERS_CONF=$REPO/examples/podman/containers.conf
	run p info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}}'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "hardrun $HR_BIN" ]
	run p run --rm --label "$E2E_LABEL" "${ULIMITS[@]}" --network none "$IMAGE_ETC" sh -c "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_hardened
	run p run --rm --label "$E2E_LABEL" "${ULIMITS[@]}" -v /etc:/hostetc "$E2E_IMAGE" true
	echo "$output"
	expect_refused 'sensitive_mounts: bind mount of "/etc"'
}
