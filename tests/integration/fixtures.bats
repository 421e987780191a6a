#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The specs captured from docker 20.10, podman 4.3 and containerd 1.6 (ctr)
# run through hardrun with the real runc.  They are adapted to this host only
# where they name things of the capturing host:
#   - root.path: the busybox rootfs (the engines' overlay is gone)
#   - process.args: a command that reports the process's status
#   - hooks: removed (they call back into the capturing dockerd)
#   - the engine's bind files (hosts, hostname, resolv.conf, ...): recreated
#     under the same path pattern, with this test's own container id in
#     place of the captured one (and the container run under that id), so
#     the policy's exceptions apply exactly as they would for the engine;
#     removed in teardown
#   - linux.cgroupsPath: unique to the test
# Everything else (capabilities, seccomp profile, masked paths, sysctls,
# rlimits, devices, hostname, env, ...) is the engine's own.

load helpers

setup() {
	hr_setup
}

teardown() {
	hr_teardown
}

FIXTURE_SCRIPT="$REPORT_SCRIPT"'
echo "hostname=$(hostname)"
for f in /etc/hostname /etc/hosts /etc/resolv.conf /run/.containerenv; do
	[ -e $f ] && echo "file_$f=$(head -n 1 $f)" || echo "file_$f=absent"
done
echo "dev=$(ls /dev | tr "\n" " ")"
echo "sys_opts=$(awk '"'"'$5 == "/sys" {print $6}'"'"' /proc/self/mountinfo | tail -n 1)"
echo "devices_list=$(tr "\n" "," </sys/fs/cgroup/devices/devices.list 2>/dev/null)"
echo "done=yes"'

# random_id: 64 hex digits, the form of an engine's container id.
random_id() {
	od -An -N32 -tx1 /dev/urandom | tr -d ' \n'
}

# adapt FIXTURE [ROOTFS]: a bundle running the fixture's spec here; sets
# BUNDLE and TID (the container id that replaced the captured one).
adapt() {
	local fixture=$1 root=${2:-} src
	[ -n "$root" ] || root=$(hr_rootfs)
	TID=$(random_id)
	BUNDLE=$BATS_TEST_TMPDIR/$(echo "$fixture" | tr / -)
	mkdir -p "$BUNDLE"
	jq --arg root "$root" --arg tid "$TID" --arg cg "/hrit-${TID:0:16}" --arg script "$FIXTURE_SCRIPT" '
		def is_bind: .type == "bind" or ((.options // []) | (index("bind") != null or index("rbind") != null));
		.root.path = $root
		| del(.hooks)
		| .linux.cgroupsPath = $cg
		| .process.terminal = false
		| .process.args = ["/bin/sh", "-c", $script]
		| .process.env = (["PATH=/bin"] + ((.process.env // []) | map(select(startswith("PATH=") | not))))
		| .mounts |= map(if is_bind and (.source | test("[0-9a-f]{64}")) then .source |= sub("[0-9a-f]{64}"; $tid) else . end)
		' "$FIXTURES/$fixture/config.json" >"$BUNDLE/config.json"
	# the engine's files, where the engine keeps them
	for src in $(jq -r '.mounts[] | select(.type == "bind" or ((.options // []) | (index("bind") != null or index("rbind") != null))) | .source' "$BUNDLE/config.json"); do
		[ -e "$src" ] && continue
		[[ "$src" == *"/$TID/"* ]] || {
			echo "fixture $fixture binds $src, which this host lacks"
			return 1
		}
		make_parents "$(dirname "$src")"
		if [[ "$src" == */shm ]]; then
			mkdir "$src"
		else
			echo "# hardrun-it $fixture $(basename "$src")" >"$src"
		fi
	done
}

# make_parents DIR: mkdir -p, with each directory it creates tracked for
# teardown: the container's own (named by TID) removed whole, shared ones
# such as /var/lib/docker/containers only if empty by then.
make_parents() {
	[ -d "$1" ] && return 0
	make_parents "$(dirname "$1")"
	mkdir "$1"
	if [ "$(basename "$1")" = "$TID" ]; then track_path "$1"; else track_dir "$1"; fi
}

# run_fixture FIXTURE: runs it through hardrun; asserts the common baseline.
run_fixture() {
	adapt "$1"
	cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/adapted.json"
	# the runtime's id is the one the engine's files are named by: the
	# policy's exceptions are this container's files only
	CID=$TID
	track "$CID"
	run hr run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field done)" = yes ]
	assert_hardened_status
	assert_userns
	line=$(audit_last_for "$CID")
	echo "audit: $line"
	[ "$(jq -r .decision <<<"$line")" = modify ]
}

# assert_engine_files: the engine's bind files are what the container sees
# (so the policy's exceptions let them through, and they are readable).
assert_engine_files() {
	local f
	for f in "$@"; do
		[[ "$(field "file_$f")" == "# hardrun-it "* ]]
	done
}

@test "docker 20.10 default spec runs hardened, with docker's files and hostname" {
	run_fixture docker-20.10/default
	[ "$(field CapEff)" = "$ALLOWED_CAPS" ]
	[ "$(field hostname)" = "$(jq -r .hostname "$FIXTURES/docker-20.10/default/config.json")" ]
	assert_engine_files /etc/hostname /etc/hosts /etc/resolv.conf
	# docker's own seccomp profile was kept (and tightened), not replaced
	jq -e '[.linux.seccomp.syscalls[].names | length] | add > 250' "$(hardened_spec "$CID")"
}

@test "docker 20.10 --privileged spec runs as an ordinary hardened container" {
	run_fixture docker-20.10/privileged
	[ "$(field CapEff)" = "$ALLOWED_CAPS" ]
	assert_engine_files /etc/hostname /etc/hosts /etc/resolv.conf
	# the host's device nodes are gone, the device cgroup is not allow-all
	dev=" $(field dev) "
	echo "dev: $dev"
	for d in vda kmsg kvm fuse loop0 mem port; do
		[[ "$dev" != *" $d "* ]]
	done
	[[ "$dev" == *" null "* ]]
	[[ "$(field devices_list)" != *"a *:* rwm"* ]]
	[[ ",$(field sys_opts)," == *,ro,* ]]
}

@test "docker 20.10 --privileged spec through plain runc is not an ordinary container" {
	adapt docker-20.10/privileged "$(private_rootfs plain)"
	id=$(new_id plainpriv)
	run "$RUNC" run --bundle "$BUNDLE" "$id"
	echo "$output"
	host_bnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status)
	if (((0x$host_bnd & (1 << 24)) == 0)); then
		# this host's bounding set lacks CAP_SYS_RESOURCE: runc cannot even start it
		[ "$status" -ne 0 ]
		[[ "$output" == *"unable to apply caps"* ]]
	else
		[ "$status" -eq 0 ]
		[ "$(field NoNewPrivs)" = 0 ]
		refute caps_within "$(field CapEff)"
		[[ "$(field devices_list)" == *"a *:* rwm"* ]]
	fi
}

@test "docker 20.10 --cap-add ALL --security-opt seccomp=unconfined spec runs hardened" {
	[ "$(jq '.linux.seccomp' "$FIXTURES/docker-20.10/capadd-all-unconfined/config.json")" = null ]
	run_fixture docker-20.10/capadd-all-unconfined
	[ "$(field CapEff)" = "$ALLOWED_CAPS" ]
	jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO"' "$(hardened_spec "$CID")"
}

@test "docker 20.10 exec fixture's container runs hardened" {
	run_fixture docker-20.10/exec
	assert_engine_files /etc/hostname /etc/hosts /etc/resolv.conf
}

@test "podman 4.3 default spec runs hardened, with podman's files" {
	run_fixture podman-4.3/default
	[ "$(field hostname)" = "$(jq -r .hostname "$FIXTURES/podman-4.3/default/config.json")" ]
	assert_engine_files /etc/hostname /etc/hosts /run/.containerenv
}

@test "containerd 1.6 ctr default spec runs hardened" {
	run_fixture containerd-1.6-ctr/default
	[ "$(field hostname)" = "$(jq -r '.hostname // empty' "$FIXTURES/containerd-1.6-ctr/default/config.json")" ] ||
		[ -z "$(jq -r '.hostname // empty' "$FIXTURES/containerd-1.6-ctr/default/config.json")" ]
}

@test "the adaptation changed only host-specific members of the captured specs" {
	for fixture in docker-20.10/default docker-20.10/privileged docker-20.10/capadd-all-unconfined docker-20.10/exec podman-4.3/default containerd-1.6-ctr/default; do
		adapt "$fixture"
		strip='del(.root.path, .hooks, .linux.cgroupsPath, .process.terminal, .process.args, .process.env) | del(.mounts[].source)'
		diff <(jq -S "$strip" "$FIXTURES/$fixture/config.json") <(jq -S "$strip" "$BUNDLE/config.json")
	done
}
