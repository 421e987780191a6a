#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# hardrun install (issue 17 items 2 and 8) against the real engines: each
# install is followed by a container the engine's own CLI runs through what
# was registered, judged from inside (/proc/self/status, uid_map), and each
# --uninstall by `cmp` against the file's original bytes.
#
# docker: the suite itself registers hardrun with `hardrun install docker`
# (engines.bash), so these tests start from that state and leave it so.
# containerd: a containerd of its own whose config is a copy of the host's
# /etc/containerd/config.toml under a fake node root, installed into with
# --node-root exactly as the DaemonSet of examples/kubernetes does.
# podman: the host's /etc/containers/containers.conf.d drop-in (podman reads
# it at every command; the test removes it again).  Engines: setup_suite.bash.

load engines

DJ=/etc/docker/daemon.json
INSTALL_STATE=/var/lib/hardrun/install
DROPIN=/etc/containers/containers.conf.d/50-hardrun.conf
ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
DAEMONSET=$REPO/examples/kubernetes/daemonset.yaml

setup() { e2e_require; }
teardown() {
	e2e_cleanup
	[ -z "${INSTALL_TEARDOWN:-}" ] || eval "$INSTALL_TEARDOWN"
}

teardown_file() {
	[ -z "$(e2e_missing)" ] || return 0
	stop_pid "$BATS_FILE_TMPDIR/containerd.pid"
}

hri() { "$HR_BIN" install "$@"; }

docker_default() { d info --format '{{.DefaultRuntime}}'; }
docker_runtimes() { d info --format '{{json .Runtimes}}' | jq -r 'keys | join(" ")'; }

# The suite's registration back, whatever a test left.
docker_back_to_suite() {
	write_daemon_json
	wait_for 30 docker_has_runtimes hardrun hardrun-strict hardrun-rollout hardrun-quarantine
	wait_for 30 sh -c "[ \"\$($DOCKER info --format '{{.DefaultRuntime}}')\" = runc ]"
}

@test "install docker: a second run changes nothing, byte for byte" {
	cp -a "$DJ" "$BATS_TEST_TMPDIR/before"
	run hri docker
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"nothing to change: already installed as asked"* ]]
	cmp "$BATS_TEST_TMPDIR/before" "$DJ"
	[ "$(jq -r '.runtimes.hardrun.path' "$DJ")" = "$HR_BIN" ]
	[ "$(jq -r '.runtimes."hardrun-strict".runtimeArgs | join(" ")' "$DJ")" = "--hardrun-policy=/etc/hardrun/profiles.json --hardrun-profile=strict" ]
	# what dockerd loaded
	[ "$(docker_default)" = runc ]
	[[ " $(docker_runtimes) " == *" hardrun hardrun-quarantine hardrun-rollout hardrun-strict "* ]]
	# and --runtime=hardrun is hardened, seen from inside
	run drun --network none "$E2E_IMAGE" sh -c "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_hardened
}

@test "install docker --default: a plain docker run is hardened; install without it gives dockerd its runc back" {
	INSTALL_TEARDOWN=docker_back_to_suite
	cp -a "$DJ" "$BATS_TEST_TMPDIR/suite"
	run hri docker --default
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"sent SIGHUP"* ]]
	[ "$(jq -r '."default-runtime"' "$DJ")" = hardrun ]
	wait_for 30 sh -c "[ \"\$($DOCKER info --format '{{.DefaultRuntime}}')\" = hardrun ]"
	run d run --rm --label "$E2E_LABEL" --network none "$E2E_IMAGE" sh -c "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_field NoNewPrivs 1
	expect_field Seccomp 2
	expect_userns
	expect_hardened
	# a reload keeps a default-runtime daemon.json does not name: install
	# reloads dockerd through default-runtime runc first
	run hri docker
	echo "$output"
	[ "$status" -eq 0 ]
	cmp "$BATS_TEST_TMPDIR/suite" "$DJ"
	[ "$(docker_default)" = runc ]
	run d run --rm --label "$E2E_LABEL" --network none "$E2E_IMAGE" sh -c "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_field NoNewPrivs 0
	expect_field uid_map "0 0 4294967295;"
}

@test "install docker --uninstall: daemon.json back byte for byte, dockerd without hardrun; refused over an operator's edit" {
	INSTALL_TEARDOWN=docker_back_to_suite
	local key='etc%docker%daemon.json'
	# the original the suite's install kept (or the record that there was none)
	if [ -e "$INSTALL_STATE/docker/$key.orig" ]; then
		cp -a "$INSTALL_STATE/docker/$key.orig" "$BATS_TEST_TMPDIR/orig"
	else
		[ -e "$INSTALL_STATE/docker/$key.absent" ]
	fi
	cp -a "$DJ" "$BATS_TEST_TMPDIR/installed"

	# an operator's edit since install: neither restored nor rewritten
	jq '. + {"log-level": "info"}' "$BATS_TEST_TMPDIR/installed" >"$DJ"
	cp -a "$DJ" "$BATS_TEST_TMPDIR/edited"
	run hri docker --uninstall
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *'"/etc/docker/daemon.json" was changed since hardrun install wrote it: not restored'*"--force"* ]]
	cmp "$BATS_TEST_TMPDIR/edited" "$DJ"
	run hri docker --default
	[ "$status" -eq 1 ]
	[[ "$output" == *"was changed since hardrun install wrote it: not rewritten"* ]]
	cmp "$BATS_TEST_TMPDIR/edited" "$DJ"
	cp -a "$BATS_TEST_TMPDIR/installed" "$DJ"

	run hri docker --uninstall
	echo "$output"
	[ "$status" -eq 0 ]
	if [ -e "$BATS_TEST_TMPDIR/orig" ]; then
		cmp "$BATS_TEST_TMPDIR/orig" "$DJ"
		[ "$(stat -c %a:%u:%g "$BATS_TEST_TMPDIR/orig")" = "$(stat -c %a:%u:%g "$DJ")" ]
	else
		[ ! -e "$DJ" ]
	fi
	[ ! -e "$INSTALL_STATE/docker/$key.sha256" ]
	# dockerd let go of the runtimes (a reload keeps them when daemon.json
	# has no "runtimes": install reloaded it through an empty table first)
	[[ " $(docker_runtimes) " != *" hardrun "* ]]
	run drun --network none "$E2E_IMAGE" true
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *[Uu]nknown*runtime*hardrun* ]]
	run hri docker --uninstall
	[ "$status" -eq 0 ]
	[[ "$output" == *"nothing to change"* ]]
}

# ---------------------------------------------------------------------------
# podman: the host's drop-in

podman_ready() {
	command -v podman >/dev/null || skip "needs podman: apt-get install podman"
	if ! p image exists "$E2E_IMAGE"; then
		p import --change 'ENV PATH=/bin' "$(busybox_tar)" "$E2E_IMAGE" >/dev/null
		touch "$E2E_STATE/podman-image.imported"
	fi
	[ ! -e "$DROPIN" ] || skip "$DROPIN exists already: not the test's to replace"
	INSTALL_TEARDOWN='hri podman --uninstall --force >/dev/null 2>&1 || true; podman_cleanup'
}

@test "install podman: podman --runtime hardrun is hardened, --default makes plain podman run so, --uninstall removes the drop-in" {
	podman_ready
	local had_dir=yes
	[ -d /etc/containers/containers.conf.d ] || had_dir=no
	run hri podman
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"nothing to reload"* ]]
	grep -qx "hardrun = \[\"$HR_BIN\"\]" "$DROPIN"
	run p --runtime hardrun run --rm --label "$E2E_LABEL" "${ULIMITS[@]}" --network none "$E2E_IMAGE" sh -c "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_hardened
	run hri podman
	[[ "$output" == *"nothing to change"* ]]

	run hri podman --default
	[ "$status" -eq 0 ]
	[ "$(p info --format '{{.Host.OCIRuntime.Name}}')" = hardrun ]
	run p run --rm --label "$E2E_LABEL" "${ULIMITS[@]}" --network none "$E2E_IMAGE" sh -c "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_field NoNewPrivs 1
	expect_field Seccomp 2
	expect_userns

	run hri podman --uninstall
	echo "$output"
	[ "$status" -eq 0 ]
	[ ! -e "$DROPIN" ]
	if [ "$had_dir" = no ]; then [ ! -e /etc/containers/containers.conf.d ]; fi
	[ "$(p info --format '{{.Host.OCIRuntime.Name}}')" != hardrun ]
	run p --runtime hardrun run --rm --label "$E2E_LABEL" "${ULIMITS[@]}" --network none "$E2E_IMAGE" true
	[ "$status" -ne 0 ]
}

# ---------------------------------------------------------------------------
# containerd: a fake node root, as the DaemonSet sees its node

# node_root: $BATS_TEST_TMPDIR/node with a copy of the host's config.toml
# (or none when the host has none) and hardrun where the node has it.
node_root() {
	NODE=$BATS_TEST_TMPDIR/node
	mkdir -p "$NODE/etc/containerd" "$NODE/usr/local/sbin"
	if [ -e /etc/containerd/config.toml ]; then
		cp -a /etc/containerd/config.toml "$NODE/etc/containerd/config.toml"
	else
		printf 'version = 2\n' >"$NODE/etc/containerd/config.toml"
	fi
	cp -a "$NODE/etc/containerd/config.toml" "$BATS_TEST_TMPDIR/config.orig"
	install -m 0755 "$HR_BIN" "$NODE/usr/local/sbin/hardrun"
}

# own_containerd: a containerd of the test's own on the node's config.
own_containerd() {
	OWN=$BATS_FILE_TMPDIR/own
	stop_pid "$BATS_FILE_TMPDIR/containerd.pid"
	mkdir -p "$OWN"
	setsid containerd --config "$NODE/etc/containerd/config.toml" --address "$OWN/containerd.sock" \
		--root "$OWN/root" --state "$OWN/state" </dev/null >>"$OWN/containerd.log" 2>&1 3>&- &
	echo $! >"$BATS_FILE_TMPDIR/containerd.pid"
	wait_for 30 sh -c "timeout 5 ctr --address '$OWN/containerd.sock' version >/dev/null 2>&1"
}

# the handler's BinaryName as containerd loaded the config
loaded_binary() {
	timeout 30 containerd --config "$NODE/etc/containerd/config.toml" config dump 2>/dev/null |
		awk -v h="$1" '$0 ~ "runtimes\\." h "\\.options\\]" { o = 1; next } /^ *\[/ { o = 0 } o && /BinaryName/ { gsub(/"/, "", $3); print $3 }'
}

@test "install containerd --node-root: the CRI handler loads, a container through its shim and BinaryName is hardened; --uninstall gives the original bytes" {
	node_root
	run hri containerd --node-root "$NODE" --path /usr/local/sbin/hardrun
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"containerd on that node was not reloaded (--node-root): restart it"* ]]
	cat "$NODE/etc/containerd/config.toml"
	# every original line is still there, in order, hardrun's appended
	[ "$(head -c "$(stat -c %s "$BATS_TEST_TMPDIR/config.orig")" "$NODE/etc/containerd/config.toml")" = "$(cat "$BATS_TEST_TMPDIR/config.orig")" ]
	[ "$(loaded_binary hardrun)" = /usr/local/sbin/hardrun ]
	timeout 30 containerd --config "$NODE/etc/containerd/config.toml" config dump | grep -q 'default_runtime_name = "runc"'
	# the state is the node's
	[ -e "$NODE$INSTALL_STATE/containerd/etc%containerd%config.toml.orig" ]
	[ ! -e "$INSTALL_STATE/containerd" ]

	own_containerd
	run c --address "$OWN/containerd.sock" plugins ls
	echo "$output" | grep -E 'grpc.v1 +cri'
	echo "$output" | grep -qE 'io.containerd.grpc.v1 +cri +[^ ]+ +ok'
	d save -o "$BATS_TEST_TMPDIR/image.tar" "$E2E_IMAGE"
	c --address "$OWN/containerd.sock" -n "$E2E_NS" image import "$BATS_TEST_TMPDIR/image.tar" >/dev/null
	run c --address "$OWN/containerd.sock" -n "$E2E_NS" run --rm --runtime io.containerd.runc.v2 \
		--runc-binary "$NODE$(loaded_binary hardrun)" --runc-root "$OWN/runc" \
		"docker.io/library/$E2E_IMAGE:latest" e2e-install sh -c "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_hardened
	ctr_cleanup_namespace "$OWN/containerd.sock"
	stop_pid "$BATS_FILE_TMPDIR/containerd.pid"

	run hri containerd --node-root "$NODE" --path /usr/local/sbin/hardrun
	[[ "$output" == *"nothing to change"* ]]
	run hri containerd --node-root "$NODE" --uninstall
	echo "$output"
	[ "$status" -eq 0 ]
	cmp "$BATS_TEST_TMPDIR/config.orig" "$NODE/etc/containerd/config.toml"
	[ -z "$(ls -A "$NODE$INSTALL_STATE/containerd" 2>/dev/null)" ]
}

@test "install containerd --lockdown: default handler hardrun, the runc handler runs hardrun too; refused over an operator's edit" {
	node_root
	run hri containerd --node-root "$NODE" --path /usr/local/sbin/hardrun --lockdown
	echo "$output"
	[ "$status" -eq 0 ]
	timeout 30 containerd --config "$NODE/etc/containerd/config.toml" config dump | grep -q 'default_runtime_name = "hardrun"'
	[ "$(loaded_binary runc)" = /usr/local/sbin/hardrun ]
	[ "$(loaded_binary hardrun)" = /usr/local/sbin/hardrun ]
	# back to a plain registration: the lock-down goes, nothing stacks
	run hri containerd --node-root "$NODE" --path /usr/local/sbin/hardrun
	[ "$status" -eq 0 ]
	timeout 30 containerd --config "$NODE/etc/containerd/config.toml" config dump | grep -q 'default_runtime_name = "runc"'
	[ "$(loaded_binary runc)" = "" ]
	[ "$(grep -c 'runtimes.hardrun]' "$NODE/etc/containerd/config.toml")" -eq 1 ]
	# an operator's edit
	echo '# mine' >>"$NODE/etc/containerd/config.toml"
	cp -a "$NODE/etc/containerd/config.toml" "$BATS_TEST_TMPDIR/edited"
	run hri containerd --node-root "$NODE" --uninstall
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"was changed since hardrun install wrote it: not restored"* ]]
	cmp "$BATS_TEST_TMPDIR/edited" "$NODE/etc/containerd/config.toml"
	run hri containerd --node-root "$NODE" --uninstall --force
	[ "$status" -eq 0 ]
	cmp "$BATS_TEST_TMPDIR/config.orig" "$NODE/etc/containerd/config.toml"
}

@test "install --node-root: a symlink on the node cannot send a write outside it" {
	node_root
	mkdir -p "$BATS_TEST_TMPDIR/outside"
	echo precious >"$BATS_TEST_TMPDIR/outside/config.toml"
	rm -rf "$NODE/etc/containerd"
	# absolute, as a node's own symlinks are: resolved beneath the node root
	ln -s "$BATS_TEST_TMPDIR/outside" "$NODE/etc/containerd"
	run hri containerd --node-root "$NODE" --path /usr/local/sbin/hardrun
	echo "$output"
	[ "$(cat "$BATS_TEST_TMPDIR/outside/config.toml")" = precious ]
	[ ! -e "$BATS_TEST_TMPDIR$INSTALL_STATE" ]
	# a config.toml that is itself a symlink is refused
	rm "$NODE/etc/containerd"
	mkdir -p "$NODE/etc/containerd"
	ln -s "$BATS_TEST_TMPDIR/outside/config.toml" "$NODE/etc/containerd/config.toml"
	run hri containerd --node-root "$NODE" --path /usr/local/sbin/hardrun
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"is a symbolic link"* ]]
	[ "$(cat "$BATS_TEST_TMPDIR/outside/config.toml")" = precious ]
}

@test "install refuses a hardrun others could replace: the engine runs it as root" {
	node_root
	chmod 0777 "$NODE/usr/local/sbin/hardrun"
	run hri containerd --node-root "$NODE" --path /usr/local/sbin/hardrun
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"writable by others"* ]]
	cmp "$BATS_TEST_TMPDIR/config.orig" "$NODE/etc/containerd/config.toml"
	# a symlink resolves on the node to another file than here: refused
	chmod 0755 "$NODE/usr/local/sbin/hardrun"
	mkdir -p "$NODE/opt"
	ln -s /usr/local/sbin/hardrun "$NODE/opt/hardrun"
	run hri containerd --node-root "$NODE" --path /opt/hardrun
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"must name the file itself, with no symbolic link on the way"* ]]
	cmp "$BATS_TEST_TMPDIR/config.orig" "$NODE/etc/containerd/config.toml"
}

@test "install trusts no original others could have planted: a state directory not root's alone is refused" {
	node_root
	run hri containerd --node-root "$NODE" --path /usr/local/sbin/hardrun
	[ "$status" -eq 0 ]
	cp -a "$NODE/etc/containerd/config.toml" "$BATS_TEST_TMPDIR/installed"
	local state=$NODE$INSTALL_STATE/containerd
	# what an unprivileged writer would plant: a handler running its binary
	chmod 0777 "$state"
	printf 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  BinaryName = "/tmp/evil"\n' \
		>"$state/etc%containerd%config.toml.orig"
	run hri containerd --node-root "$NODE" --uninstall
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"is not root's alone"* ]]
	cmp "$BATS_TEST_TMPDIR/installed" "$NODE/etc/containerd/config.toml"
	# a parent others may write is refused too (the directory could be swapped)
	chmod 0700 "$state"
	chmod 0777 "$NODE/var/lib/hardrun"
	run hri containerd --node-root "$NODE" --uninstall
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"writable by others"* ]]
	run ! grep -q /tmp/evil "$NODE/etc/containerd/config.toml"
}

@test "install docker --node-root: the example profiles when absent and never replaced, an edited one kept; --lockdown's runc copy" {
	node_root
	local dj=$NODE/etc/docker/daemon.json prof=$NODE/etc/hardrun/profiles.json
	mkdir -p "$NODE/etc/docker"
	printf '{"log-level": "warn", "max-concurrent-downloads": 1e1}\n' >"$dj"
	cp -a "$dj" "$BATS_TEST_TMPDIR/dj.orig"
	run hri docker --node-root "$NODE" --path /usr/local/sbin/hardrun --lockdown
	echo "$output"
	[ "$status" -eq 0 ]
	cmp "$REPO/examples/policies/profiles.json" "$prof"
	# every member kept, the number as written, the runtimes and the default added
	[ "$(jq -c '{"log-level", "default-runtime"}' "$dj")" = '{"log-level":"warn","default-runtime":"hardrun"}' ]
	grep -q '"max-concurrent-downloads": 1e1' "$dj"
	[ "$(jq -r '.runtimes | keys | join(" ")' "$dj")" = "hardrun hardrun-quarantine hardrun-rollout hardrun-strict" ]
	cmp "$NODE/usr/local/sbin/hardrun" "$NODE/usr/local/sbin/runc"
	# the operator edits the profiles; --uninstall keeps them, restores the rest
	echo ' ' >>"$prof"
	cp -a "$prof" "$BATS_TEST_TMPDIR/prof.edited"
	run hri docker --node-root "$NODE" --uninstall
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"/etc/hardrun/profiles.json: kept: edited since hardrun installed it"* ]]
	cmp "$BATS_TEST_TMPDIR/prof.edited" "$prof"
	cmp "$BATS_TEST_TMPDIR/dj.orig" "$dj"
	[ ! -e "$NODE/usr/local/sbin/runc" ]
	# an existing profiles.json is never replaced, another runc never overwritten
	echo '{}' >"$prof"
	echo '#!/bin/sh' >"$NODE/usr/local/sbin/runc"
	run hri docker --node-root "$NODE" --path /usr/local/sbin/hardrun --lockdown
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"/usr/local/sbin/runc exists and is not hardrun"* ]]
	cmp "$BATS_TEST_TMPDIR/dj.orig" "$dj"
	run hri docker --node-root "$NODE" --path /usr/local/sbin/hardrun
	[ "$status" -eq 0 ]
	[ "$(cat "$prof")" = '{}' ]
	[ "$(cat "$NODE/usr/local/sbin/runc")" = '#!/bin/sh' ]
}

@test "hardrun install --help and help install: the usage, exit 0, nothing changed" {
	run "$HR_BIN" install --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: hardrun install docker|containerd|podman "* ]]
	[[ "$output" == *"--node-root DIR"* ]]
	run "$HR_BIN" help install
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: hardrun install"* ]]
	run "$HR_BIN" help
	grep -Eq '^  install +register hardrun' <<<"$output"
	run "$HR_BIN" install
	[ "$status" -eq 2 ]
	[[ "$output" == *"an engine is needed"* ]]
	run "$HR_BIN" install cri-o
	[ "$status" -eq 2 ]
	[[ "$output" == *'no engine named "cri-o"'* ]]
}

# ---------------------------------------------------------------------------
# the DaemonSet's own script, on a fake node root

# daemonset_script: the shell script the DaemonSet's container runs.
daemonset_script() {
	python3 -c '
import sys, yaml
for doc in yaml.safe_load_all(open(sys.argv[1])):
    if doc and doc.get("kind") == "ConfigMap" and "deploy.sh" in doc.get("data", {}):
        sys.stdout.write(doc["data"]["deploy.sh"])
' "$DAEMONSET"
}

@test "examples/kubernetes/daemonset.yaml: its install and removal steps on a fake node root round-trip the node's config.toml" {
	python3 -c 'import yaml' 2>/dev/null || skip "needs python3-yaml"
	node_root
	daemonset_script >"$BATS_TEST_TMPDIR/deploy.sh"
	[ -s "$BATS_TEST_TMPDIR/deploy.sh" ]
	mkdir -p "$BATS_TEST_TMPDIR/config"
	cp "$REPO/examples/kubernetes/policy.json" "$BATS_TEST_TMPDIR/config/policy.json"
	rm "$NODE/usr/local/sbin/hardrun"
	export NODE_ROOT=$NODE HARDRUN_SOURCE=$HR_BIN POLICY_SOURCE=$BATS_TEST_TMPDIR/config/policy.json RESTART_ENGINE=true
	run sh "$BATS_TEST_TMPDIR/deploy.sh" install
	echo "$output"
	[ "$status" -eq 0 ]
	cmp "$HR_BIN" "$NODE/usr/local/sbin/hardrun"
	cmp "$REPO/examples/kubernetes/policy.json" "$NODE/etc/hardrun/policy.json"
	[ "$(stat -c %a "$NODE/etc/hardrun/policy.json")" = 644 ]
	[ "$(loaded_binary hardrun)" = /usr/local/sbin/hardrun ]
	# kept in sync: a changed ConfigMap reaches the node
	jq '.audit_mode = true' "$REPO/examples/kubernetes/policy.json" >"$POLICY_SOURCE"
	run sh "$BATS_TEST_TMPDIR/deploy.sh" sync
	[ "$status" -eq 0 ]
	cmp "$POLICY_SOURCE" "$NODE/etc/hardrun/policy.json"
	# the pod's restart: nothing changes
	run sh "$BATS_TEST_TMPDIR/deploy.sh" install
	echo "$output"
	[[ "$output" == *"nothing to change"* ]]
	# removal (the preStop hook)
	run sh "$BATS_TEST_TMPDIR/deploy.sh" uninstall
	echo "$output"
	[ "$status" -eq 0 ]
	cmp "$BATS_TEST_TMPDIR/config.orig" "$NODE/etc/containerd/config.toml"
}
