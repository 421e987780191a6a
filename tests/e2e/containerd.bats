#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# containerd 1.6 through hardrun: `ctr run --runc-binary hardrun` on the
# containerd that Docker uses (namespace hardrun-e2e), and a separate
# containerd instance started with examples/containerd/config.toml (its own
# socket, root and state under the file's temporary folder) whose hardrun
# runtime handler is read back from the loaded config.  crictl is not
# available, so the CRI path itself (RuntimeClass -> handler -> runc v2 shim
# with BinaryName) is covered by the loaded config and a container run
# through the same shim and BinaryName with ctr.  Engines: setup_suite.bash.

load engines

IMAGE_REF=docker.io/library/$E2E_IMAGE:latest
CTR_RUNC_ROOT=/run/containerd/runc/$E2E_NS

setup_file() {
	[ -z "$(e2e_missing)" ] && [ ! -f "$E2E_STATE/broken" ] || return 0
	d save -o "$BATS_FILE_TMPDIR/image.tar" "$E2E_IMAGE"
	c -n "$E2E_NS" image import "$BATS_FILE_TMPDIR/image.tar" >/dev/null
}

teardown_file() {
	[ -z "$(e2e_missing)" ] || return 0
	stop_own_containerd
	ctr_cleanup_namespace
}

setup() { e2e_require; }
teardown() {
	local id
	for id in $(c -n "$E2E_NS" tasks ls -q 2>/dev/null); do
		c -n "$E2E_NS" tasks kill -s KILL "$id" >/dev/null 2>&1 || true
		c -n "$E2E_NS" tasks delete -f "$id" >/dev/null 2>&1 || true
	done
	for id in $(c -n "$E2E_NS" containers ls -q 2>/dev/null); do
		c -n "$E2E_NS" containers delete "$id" >/dev/null 2>&1 || true
	done
}

# cr ARGS...: ctr run in the suite's namespace through hardrun.
cr() { c -n "$E2E_NS" run --runc-binary "$HR_BIN" "$@"; }

@test "ctr run --runc-binary hardrun: hardened" {
	run cr --rm "$IMAGE_REF" e2e-ctr-default sh -c "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_hardened
	expect_released "$CTR_RUNC_ROOT" e2e-ctr-default
}

@test "ctr run --privileged: runs hardened" {
	run cr --rm --privileged "$IMAGE_REF" e2e-ctr-priv sh -c "$PROBE
		if [ -e /dev/vda ] || [ -e /dev/kmsg ]; then echo 'host-devices: present'; else echo 'host-devices: absent'; fi"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_hardened
	expect_field host-devices absent
}

@test "ctr run --mount /etc: refused, hardrun's error in ctr's output" {
	run cr --rm --mount type=bind,src=/etc,dst=/hostetc,options=rbind:ro "$IMAGE_REF" e2e-ctr-etc true
	echo "$output"
	expect_refused 'sensitive_mounts: bind mount of "/etc"'
	expect_output_contains "ctr: failed to create shim task: OCI runtime create failed"
	expect_released "$CTR_RUNC_ROOT" e2e-ctr-etc
}

@test "ctr run --net-host: refused naming host_namespaces" {
	run cr --rm --net-host "$IMAGE_REF" e2e-ctr-net true
	echo "$output"
	expect_refused "host_namespaces" "network namespace"
}

@test "ctr task exec into a hardrun container: hardened" {
	cr -d "$IMAGE_REF" e2e-ctr-exec sleep 300 >/dev/null
	run c -n "$E2E_NS" tasks exec --exec-id probe e2e-ctr-exec sh -c "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_hardened
	[ "$(hr_entry_ids "$CTR_RUNC_ROOT")" = e2e-ctr-exec ]
	c -n "$E2E_NS" tasks kill -s KILL e2e-ctr-exec
	# a task can be deleted once it has stopped
	wait_for 20 sh -c "timeout 10 ctr -n $E2E_NS tasks delete e2e-ctr-exec >/dev/null 2>&1"
	c -n "$E2E_NS" containers delete e2e-ctr-exec
	expect_released "$CTR_RUNC_ROOT" e2e-ctr-exec
}

# ---------------------------------------------------------------------------
# a containerd of its own with examples/containerd/config.toml

OWN=
own_containerd() {
	OWN=$BATS_FILE_TMPDIR/containerd
	[ -S "$OWN/containerd.sock" ] && timeout 5 ctr --address "$OWN/containerd.sock" version >/dev/null 2>&1 && return 0
	mkdir -p "$OWN"
	cp "$REPO/examples/containerd/config.toml" "$OWN/config.toml"
	setsid containerd --config "$OWN/config.toml" --address "$OWN/containerd.sock" \
		--root "$OWN/root" --state "$OWN/state" </dev/null >>"$OWN/containerd.log" 2>&1 3>&- &
	echo $! >"$OWN/containerd.pid"
	wait_for 30 sh -c "timeout 5 ctr --address '$OWN/containerd.sock' version >/dev/null 2>&1"
}

stop_own_containerd() {
	local own=$BATS_FILE_TMPDIR/containerd
	[ -f "$own/containerd.pid" ] || return 0
	ctr_cleanup_namespace "$own/containerd.sock"
	stop_pid "$own/containerd.pid"
}

oc() { c --address "$OWN/containerd.sock" "$@"; }

# The hardrun handler as the instance loaded it (`containerd config dump`).
handler_binary() {
	timeout 30 containerd --config "$OWN/config.toml" config dump 2>/dev/null |
		awk '/runtimes\.hardrun\.options\]/ { in_opts = 1; next } /^ *\[/ { in_opts = 0 } in_opts && /BinaryName/ { gsub(/"/, "", $3); print $3 }'
}

@test "examples/containerd/config.toml: the hardrun handler is a runc v2 shim with BinaryName hardrun, matching the RuntimeClass" {
	own_containerd
	run timeout 30 containerd --config "$OWN/config.toml" config dump
	[ "$status" -eq 0 ]
	echo "$output" | grep -A 12 'runtimes.hardrun\]'
	echo "$output" | grep -A 12 'runtimes.hardrun\]' | grep -q 'runtime_type = "io.containerd.runc.v2"'
	[ "$(handler_binary)" = "$HR_BIN" ]
	# the RuntimeClass selects that handler
	[ "$(sed -n 's/^handler: *//p' "$REPO/examples/kubernetes/runtimeclass.yaml")" = hardrun ]
	[ "$(sed -n '/^metadata:/,/^[a-z]/ s/^ *name: *//p' "$REPO/examples/kubernetes/runtimeclass.yaml")" = hardrun ]
	grep -q '^apiVersion: node.k8s.io/v1$' "$REPO/examples/kubernetes/runtimeclass.yaml"
	grep -q '^kind: RuntimeClass$' "$REPO/examples/kubernetes/runtimeclass.yaml"
}

@test "examples/containerd/config.toml: containerd's CRI plugin loads with it (the handler is usable by Kubernetes)" {
	own_containerd
	run oc plugins ls
	echo "$output" | grep -E 'TYPE|grpc.v1 +cri'
	if ! echo "$output" | grep -qE 'io.containerd.grpc.v1 +cri +[^ ]+ +ok'; then
		grep 'io.containerd.grpc.v1.cri' "$OWN/containerd.log" | grep -i -E 'error|fail' | tail -n 3 >&2
		false
	fi
}

@test "a separate containerd with the example config runs a container through the handler's shim and BinaryName: hardened" {
	own_containerd
	oc -n "$E2E_NS" image import "$BATS_FILE_TMPDIR/image.tar" >/dev/null
	binary=$(handler_binary)
	[ -n "$binary" ]
	run oc -n "$E2E_NS" run --rm --runtime io.containerd.runc.v2 --runc-binary "$binary" \
		--runc-root "$OWN/runc" "$IMAGE_REF" e2e-own sh -c "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_hardened
	expect_released "$OWN/runc/$E2E_NS" e2e-own
	# and a refusal reaches this ctr too
	run oc -n "$E2E_NS" run --rm --runtime io.containerd.runc.v2 --runc-binary "$binary" \
		--runc-root "$OWN/runc" --mount type=bind,src=/var/lib/containerd,dst=/x,options=rbind:ro "$IMAGE_REF" e2e-own-deny true
	echo "$output"
	expect_refused 'sensitive_mounts: bind mount of "/var/lib/containerd"'
	# the containerd of Docker was not touched
	[ -z "$(c -n "$E2E_NS" containers ls -q | grep e2e-own)" ]
}
