#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Lock-down: hardrun installed as `runc` (/usr/local/sbin/runc) in front of
# the real one, for the paths to the real runtime that no runtime flag of
# the caller chooses: Docker's built-in BuildKit, which runs `runc` from
# dockerd's PATH whatever default-runtime says, and podman's
# runtime named `runc`, which examples/podman/containers.conf resolves to
# /usr/local/sbin/runc (podman's own list has /usr/bin/runc and
# /usr/sbin/runc first).  Each is shown hardened with the lock-down in place
# and not hardened without it.  docker --runtime=runc (containerd's shim,
# containerd's PATH) is in docker.bats.  Engines: setup_suite.bash.

load engines

BUILD_TAG=hardrun-e2e-lockdown-build
ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

setup() {
	e2e_require
	E2E_TEARDOWN_EXTRA='lockdown_undo; build_policy_undo'
}

teardown() {
	e2e_cleanup
	d rmi -f "$BUILD_TAG" >/dev/null 2>&1 || true
	command -v podman >/dev/null && podman_cleanup
	return 0
}

# first_in_path PATH NAME...: /usr/local/sbin (where the lock-down copy
# goes) or the first file NAME in a directory of PATH before it.
first_in_path() {
	local path=$1 dir name
	shift
	local IFS=:
	for dir in $path; do
		[ "$dir" = /usr/local/sbin ] && { echo "$dir"; return; }
		for name in "$@"; do
			[ -x "$dir/$name" ] && { echo "$dir/$name"; return; }
		done
	done
}

# build_probe: a BuildKit build of the busybox image whose RUN step reports
# about itself; $output holds the step's lines without BuildKit's prefixes.
build_probe() {
	local ctx=$BATS_TEST_TMPDIR/ctx
	mkdir -p "$ctx"
	printf '%s\n' "$PROBE" >"$ctx/probe.sh"
	printf 'FROM %s\nCOPY probe.sh /probe.sh\nRUN sh /probe.sh\n' "$E2E_IMAGE" >"$ctx/Dockerfile"
	run env DOCKER_BUILDKIT=1 timeout --kill-after=10 "$E2E_TIMEOUT" "$DOCKER" build --no-cache --progress=plain -t "$BUILD_TAG" "$ctx"
	output=$(printf '%s\n' "$output" | sed -E 's/^#[0-9]+ [0-9.]+ //')
	echo "$output"
}

# build_policy: /etc/hardrun/policy.json (what hardrun installed as runc
# reads) as the default policy plus BuildKit's own read-only hosts and
# resolv.conf files and its build step's rootfs as exceptions (the default
# refuses binds from /var/lib/docker and a rootfs inside it).  Put back in teardown.
build_policy() {
	if [ -e /etc/hardrun/policy.json ]; then
		cp -a /etc/hardrun/policy.json "$E2E_STATE/policy.json.lockdown-orig"
	fi
	jq --arg log "$E2E_AUDIT" '{audit_log: $log, profiles: {default: {rules: {sensitive_mounts: {exceptions:
		(.profiles.default.rules.sensitive_mounts.exceptions + ["/var/lib/docker/buildkit/executor/resolv.conf",
		 "/var/lib/docker/buildkit/executor/hosts", "/var/lib/docker/buildkit/executor/hosts.*"]),
		rootfs_exceptions: (.profiles.default.rules.sensitive_mounts.rootfs_exceptions
		 + ["/var/lib/docker/buildkit/executor/*/rootfs"])}}}}}' \
		"$REPO/policy/default-policy.json" >/etc/hardrun/policy.json.new
	chmod 0644 /etc/hardrun/policy.json.new
	mv /etc/hardrun/policy.json.new /etc/hardrun/policy.json
	touch "$E2E_STATE/policy.json.lockdown"
}

build_policy_undo() {
	[ -e "$E2E_STATE/policy.json.lockdown" ] || return 0
	if [ -e "$E2E_STATE/policy.json.lockdown-orig" ]; then
		mv "$E2E_STATE/policy.json.lockdown-orig" /etc/hardrun/policy.json
	else
		rm -f /etc/hardrun/policy.json
	fi
	rm -f "$E2E_STATE/policy.json.lockdown"
}

@test "lock-down: BuildKit's RUN steps go through hardrun installed as runc in dockerd's PATH" {
	local dpath first
	dpath=$(tr '\0' '\n' </proc/"$(dockerd_pid)"/environ | sed -n 's/^PATH=//p')
	echo "dockerd's PATH: $dpath"
	first=$(first_in_path "$dpath" runc)
	[ "$first" = /usr/local/sbin ] || skip "dockerd's PATH finds $first before /usr/local/sbin"
	# plain: BuildKit runs the real runc as it is (Docker's capabilities, host ids)
	build_probe
	[ "$status" -eq 0 ] || skip "BuildKit cannot build from the local image here: $(tail -n 5 <<<"$output")"
	expect_field CapEff 00000000a80425fb
	expect_field uid_map "0 0 4294967295;"

	lockdown_install || skip "$LOCKDOWN_RUNC already exists"
	# the default policy refuses the step (BuildKit binds its hosts and
	# resolv.conf from /var/lib/docker); it never runs as the host's root
	build_probe
	[ "$status" -ne 0 ]
	expect_output_contains 'hardrun: policy denies container'
	expect_output_contains 'sensitive_mounts: bind mount of "/var/lib/docker/buildkit/executor/resolv.conf"'
	[[ "$output" != *"hooks:"* ]]
	[ -z "$(field CapEff)" ]
	# with those files allowed, the step runs hardened: BuildKit's network
	# hook is one of the policy's own, run as dockerd
	build_policy
	build_probe
	tail -n 1 "$E2E_AUDIT" | jq -c '{decision, decisions: [.decisions[] | select(.rule == "hooks" or .outcome == "denied")]}' || true
	[ "$status" -eq 0 ]
	expect_field CapEff "$CAPS_DEFAULT"
	expect_field NoNewPrivs 1
	expect_field Seccomp 2
	expect_userns
	expect_field rootfs read-only
}

@test "lock-down: podman's runtime runc resolves to hardrun through examples/podman/containers.conf" {
	command -v podman >/dev/null || skip "needs podman: apt-get install podman"
	p image exists "$E2E_IMAGE" || {
		p import --change 'ENV PATH=/bin' "$(busybox_tar)" "$E2E_IMAGE" >/dev/null
		touch "$E2E_STATE/podman-image.imported"
	}
	lockdown_install || skip "$LOCKDOWN_RUNC already exists"
	# podman's own search list finds the real runc first
	run p --runtime runc run --rm --label "$E2E_LABEL" "${ULIMITS[@]}" --network none "$E2E_IMAGE" sh -c "$PROBE"
	echo "podman's list: $output"
	[ "$status" -eq 0 ]
	expect_field uid_map "0 0 4294967295;"
	# the example's list puts the lock-down copy first
	CONTAINERS_CONF=$REPO/examples/podman/containers.conf \
		run p --runtime runc run --rm --label "$E2E_LABEL" "${ULIMITS[@]}" --network none "$E2E_IMAGE" sh -c "$PROBE"
	echo "containers.conf: $output"
	[ "$status" -eq 0 ]
	expect_field CapEff "$CAPS_DEFAULT"
	expect_field NoNewPrivs 1
	expect_userns
}
