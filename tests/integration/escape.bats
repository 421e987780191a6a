#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The escape probe (`probe escape`, tests/integration/probe.c) inside a
# container that asks for everything: through hardrun every route out must be blocked; through
# plain runc with a permissive spec (every capability, no seccomp, no user
# namespace, nothing masked, a writable rootfs and sysfs, every device, an
# engine socket mounted) the same routes must be open, which shows that the
# probe detects what it claims to.  Each attempt runs in a child process of
# its own, and one that succeeds changes nothing on the host.

load helpers

setup() {
	hr_setup
	require_probe
}

teardown() {
	[ -z "${ENGINE_PID:-}" ] || kill "$ENGINE_PID" 2>/dev/null || true
	hr_teardown
}

# attempts OUTPUT: the NAME=VERDICT lines of the probe, sorted.
attempts() {
	grep -E '^[a-z_0-9]+=(allowed|blocked)' <<<"$1" | sort
}

# not_in_kernel [--invert]: of the "NAME=blocked ERRNO" lines on stdin, those
# (or with --invert, all but those) that this kernel cannot do at all.
not_in_kernel() {
	local line keep
	while read -r line; do
		keep=false
		case $line in
		*"=blocked ENOSYS") keep=true ;;
		"sysrq_trigger=blocked ENOENT") [ -e /proc/sysrq-trigger ] || keep=true ;;
		"kcore=blocked ENOENT") [ -e /proc/kcore ] || keep=true ;;
		"dev_mem=blocked ENXIO") [ -e /dev/mem ] || keep=true ;;
		esac
		[ "${1:-}" = --invert ] && { $keep && keep=false || keep=true; }
		if $keep; then echo "$line"; fi
	done
}

# A listening unix socket standing in for an engine's (dockerd may not run),
# at $ENGINE_SOCK.  Not called in $(...): the listener must not hold the
# substitution's pipe (or bats' output) open.
start_engine_socket() {
	ENGINE_SOCK=$BATS_TEST_TMPDIR/engine.sock
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)
while True:
    c, _ = s.accept(); c.close()' "$ENGINE_SOCK" </dev/null >/dev/null 2>&1 3>&- &
	ENGINE_PID=$!
	for _ in $(seq 50); do [ -S "$ENGINE_SOCK" ] && return; sleep 0.1; done
	echo "the stand-in engine socket did not appear" >&2
	return 1
}

@test "escape probe through hardrun, a spec asking for everything: every route blocked" {
	bundle=$(make_bundle escape '/bin/probe escape' "$EVERYTHING_FILTER
		| (.mounts[] | select(.destination == \"/sys\") | .options) |= map(select(. != \"ro\"))")
	id=$(new_id escape)
	run hr run --bundle "$bundle" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field escape-probe)" = done ]
	n=$(attempts "$output" | wc -l)
	[ "$n" -eq "$("$(hr_rootfs)/bin/probe" escape --list | wc -l)" ]
	if attempts "$output" | grep '=allowed'; then
		echo "the routes above were open through hardrun"
		return 1
	fi
}

@test "escape probe through plain runc with a permissive spec: the same routes are open (the probe can tell)" {
	start_engine_socket
	sock=$ENGINE_SOCK
	root=$(private_rootfs escape)
	bundle=$(make_bundle escape-plain '/bin/probe escape' "$EVERYTHING_FILTER
		| .process.capabilities |= map_values(map(select(. != \"CAP_SYS_RESOURCE\")))
		| (.mounts[] | select(.destination == \"/sys\") | .options) |= map(select(. != \"ro\"))
		| .mounts += [{destination: \"/run/docker.sock\", type: \"bind\", source: \"$sock\", options: [\"bind\"]}]" "$root")
	id=$(new_id escape-plain)
	run runc_ run --bundle "$bundle" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field escape-probe)" = done ]
	# An attempt may be refused only because this kernel lacks the feature
	# altogether (the host has no such file either, or ENOSYS without any
	# seccomp filter); the test lists them.
	closed=$(attempts "$output" | grep '=blocked' | not_in_kernel --invert)
	attempts "$output" | grep '=blocked' | not_in_kernel | sed 's/^/not in this kernel: /'
	[ -z "$closed" ] || {
		echo "closed even without hardrun: $closed"
		return 1
	}
	[ "$(attempts "$output" | grep -c '=allowed')" -ge 25 ]
}
