#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# A spec that asks for everything the baseline takes away (every capability
# in every set, no seccomp, a writable rootfs, nothing masked, every device,
# noNewPrivileges false, no user namespace) run through `hardrun run`: every
# assertion is about what the process inside experiences.  The last tests
# run the same spec through plain runc, to show that the probes see the
# difference.

load helpers

setup() {
	hr_setup
}

teardown() {
	hr_teardown
}

# Extra checks run inside after the report (each prints NAME=VALUE).
INSIDE_CHECKS='
echo "id=$(id -u):$(id -g)"
echo "busybox_owner=$(stat -c %u:%g /bin/busybox)"
touch /hardrun-it-file 2>/dev/null && echo "touch_root=ok" || echo "touch_root=failed"
unshare -U true 2>/dev/null && echo "busybox_unshare=ok" || echo "busybox_unshare=failed"
mount -t tmpfs none /mnt 2>/dev/null && echo "busybox_mount=ok" || echo "busybox_mount=failed"
for d in /tmp /run /var/tmp; do
	echo "data $d" >$d/hardrun-it 2>/dev/null && [ "$(cat $d/hardrun-it)" = "data $d" ] && echo "write_$d=ok" || echo "write_$d=failed"
	echo "fstype_$d=$(stat -f -c %T $d)"
	echo "mountopts_$d=$(awk -v d=$d '"'"'$5 == d {print $6}'"'"' /proc/self/mountinfo | tail -n 1)"
done
echo "kcore_bytes=$(head -c 16 /proc/kcore 2>/dev/null | wc -c)"
for p in /proc/keys /proc/timer_list; do
	echo "dev_$p=$(stat -c %t:%T $p 2>/dev/null)"
	echo "bytes_$p=$(cat $p 2>/dev/null | wc -c)"
done
echo "sysfw_entries=$(ls -A /sys/firmware 2>/dev/null | wc -l)"
echo "procsys_opts=$(awk '"'"'$5 == "/proc/sys" {print $6}'"'"' /proc/self/mountinfo | tail -n 1)"
{ echo 1 >/proc/sys/kernel/ns_last_pid; } 2>/dev/null && echo "procsys_write=ok" || echo "procsys_write=failed"
echo "devices_list=$(tr "\n" "," </sys/fs/cgroup/devices/devices.list 2>/dev/null)"
echo "pids_max=$(cat /sys/fs/cgroup/pids/pids.max 2>/dev/null)"
echo "done=yes"'

# run_everything RUNTIME...: runs the everything spec with the given runtime
# command (hr or runc); sets BUNDLE and $output.
run_everything() {
	local filter=$EVERYTHING_FILTER root=""
	if [ "$1" != hr ]; then
		# plain runc writes into its rootfs; the host's bounding set lacks
		# CAP_SYS_RESOURCE, which runc would fail to apply
		root=$(private_rootfs plain)
		filter="$filter | .process.capabilities |= map_values(map(select(. != \"CAP_SYS_RESOURCE\")))"
	fi
	BUNDLE=$(make_bundle everything "$REPORT_SCRIPT
$INSIDE_CHECKS" "$filter" "$root")
	cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/original.json"
	CID=$(new_id everything)
	run "$@" run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field done)" = yes ]
}

@test "the everything spec really asks for everything" {
	BUNDLE=$(make_bundle everything true "$EVERYTHING_FILTER")
	for set in bounding effective permitted inheritable ambient; do
		[ "$(jq ".process.capabilities.$set | length" "$BUNDLE/config.json")" -eq 41 ]
	done
	[ "$(jq '.process.noNewPrivileges' "$BUNDLE/config.json")" = false ]
	[ "$(jq '.root.readonly' "$BUNDLE/config.json")" = false ]
	[ "$(jq '.linux.seccomp' "$BUNDLE/config.json")" = null ]
	[ "$(jq -c '.linux.maskedPaths, .linux.readonlyPaths' "$BUNDLE/config.json" | tr -d '\n')" = '[][]' ]
	[ "$(jq -c '.linux.resources.devices' "$BUNDLE/config.json")" = '[{"allow":true,"access":"rwm"}]' ]
	[ "$(jq '[.linux.namespaces[] | select(.type == "user")] | length' "$BUNDLE/config.json")" -eq 0 ]
}

@test "hardened: capabilities cut to the allowlist in every set, inheritable and ambient empty" {
	run_everything hr
	[ "$(field CapEff)" = "$ALLOWED_CAPS" ]
	[ "$(field CapPrm)" = "$ALLOWED_CAPS" ]
	[ "$(field CapBnd)" = "$ALLOWED_CAPS" ]
	[ "$(field CapInh)" = 0000000000000000 ]
	[ "$(field CapAmb)" = 0000000000000000 ]
}

@test "hardened: no_new_privs set and a seccomp filter installed" {
	run_everything hr
	[ "$(field NoNewPrivs)" = 1 ]
	[ "$(field Seccomp)" = 2 ]
	[ "$(field Seccomp_filters)" -ge 1 ]
}

@test "hardened: a private user namespace, the rootfs idmapped onto it" {
	run_everything hr
	assert_userns
	[ "$(field id)" = 0:0 ]
	# owned by host root, seen as the container's root: an idmapped rootfs
	[ "$(field busybox_owner)" = 0:0 ]
	host=$(field uid_map | awk '{print $2}')
	grep -q "mapped to host uids $host-$((host + 65535))" "$AUDIT"
}

@test "hardened: the rootfs is read-only, /tmp /run /var/tmp are writable nosuid,nodev tmpfs" {
	run_everything hr
	[ "$(field touch_root)" = failed ]
	[ ! -e "$(hr_rootfs)/hardrun-it-file" ]
	for d in /tmp /run /var/tmp; do
		[ "$(field "write_$d")" = ok ]
		[ "$(field "fstype_$d")" = tmpfs ]
		[[ ",$(field "mountopts_$d")," == *,nosuid,* ]]
		[[ ",$(field "mountopts_$d")," == *,nodev,* ]]
	done
}

@test "hardened: /proc/kcore, /proc/keys, /proc/timer_list masked, /proc/sys read-only" {
	run_everything hr
	[ "$(field kcore_bytes)" = 0 ]
	for p in /proc/keys /proc/timer_list; do
		[ "$(field "dev_$p")" = 1:3 ] # /dev/null bound over it
		[ "$(field "bytes_$p")" = 0 ]
	done
	[ "$(field sysfw_entries)" = 0 ]
	[[ ",$(field procsys_opts)," == *,ro,* ]]
	[ "$(field procsys_write)" = failed ]
}

@test "hardened: unshare -U and mount -t tmpfs fail" {
	run_everything hr
	[ "$(field busybox_unshare)" = failed ]
	[ "$(field busybox_mount)" = failed ]
}

@test "hardened: the allow-all device rule is replaced by the default rules, pids limited" {
	run_everything hr
	list=$(field devices_list)
	echo "devices: $list"
	[ -n "$list" ]
	[[ "$list" != *"a *:* rwm"* ]]
	[[ "$list" == *"c 1:3 rwm"* ]]
	[[ "$list" != *"b 254"* ]]
	[ "$(field pids_max)" = 4096 ]
}

@test "hardened (probe): keyctl, add_key, unshare, mount, io_uring, bpf refused; clone3 answers ENOSYS" {
	require_probe
	run_everything hr
	for t in keyctl add_key unshare_user unshare_mount mount io_uring_setup bpf mknod; do
		echo "$t=$(field "$t")"
		[ -n "$(field "$t")" ]
		[ "$(field "$t")" != ok ]
	done
	[ "$(field keyctl)" = EPERM ]
	[ "$(field add_key)" = EPERM ]
	[ "$(field unshare_user)" = EPERM ]
	[ "$(field write_root)" = EROFS ]
	[ "$(field clone3)" = ENOSYS ]
}

@test "hardened: the spec handed to runc says what the container got; the caller's config.json is untouched" {
	run_everything hr
	cmp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/original.json"
	c=$(hardened_spec "$CID")
	[ "$(jq .root.readonly "$c")" = true ]
	[ "$(jq .process.noNewPrivileges "$c")" = true ]
	[ "$(jq -c .process.capabilities.bounding "$c")" = '["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_FSETID","CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_NET_BIND_SERVICE"]' ]
	[ "$(jq -c '.process.capabilities.inheritable, .process.capabilities.ambient' "$c" | tr -d '\n')" = '[][]' ]
	jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO"' "$c"
	jq -e '.linux.namespaces | map(.type) | index("user")' "$c"
	jq -e '.linux.uidMappings[0].hostID >= 100000 and .linux.uidMappings[0].size == 65536' "$c"
	jq -e '.linux.maskedPaths | index("/proc/kcore") and index("/proc/keys")' "$c"
	jq -e '.linux.readonlyPaths | index("/proc/sysrq-trigger")' "$c"
	jq -e '.linux.resources.devices | map(select(.allow and (.type // "a") == "a")) | length == 0' "$c"
	jq -e '.linux.resources.pids.limit == 4096' "$c"
	# root's alone; nothing written in the caller's bundle
	[ "$(stat -c %a:%u "$c")" = 600:0 ]
	[ -z "$(ls -A "$BUNDLE" | grep -v '^config.json$')" ]
	line=$(audit_last_for "$CID")
	[ "$(jq -r .decision <<<"$line")" = modify ]
	for rule in user_namespace readonly_rootfs capabilities no_new_privileges privileged masked_paths seccomp; do
		jq -e --arg r "$rule" '.decisions | map(select(.rule == $r and .outcome == "changed")) | length > 0' <<<"$line"
	done
}

@test "hardened: members hardrun does not know survive the rewrite exactly" {
	BUNDLE=$(make_bundle keep 'grep NoNewPrivs /proc/self/status' "$EVERYTHING_FILTER
		| .annotations = {\"org.example/x\": \"y\"} | .process.rlimits = [{type: \"RLIMIT_NOFILE\", hard: 1024, soft: 1024}]")
	# an unknown member with a number jq would round, spliced in as text
	sed -i 's/^{/{"x-hardrun-it":{"big":18446744073709551615,"f":1.50},/' "$BUNDLE/config.json"
	CID=$(new_id keep)
	run hr run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"NoNewPrivs:	1"* ]]
	grep -q '"x-hardrun-it":{"big":18446744073709551615,"f":1.50}' "$(hardened_spec "$CID")"
	grep -q '"annotations":{"org.example/x":"y"}' "$(hardened_spec "$CID")"
}

@test "read-only rootfs: a kubelet token volume at /var/run/secrets (/var/run -> /run in the image) stays visible" {
	# kubelet binds the service-account token at /var/run/secrets/...; in
	# Debian, Ubuntu or Alpine images /var/run is a symlink to /run, where
	# hardrun mounts its tmpfs
	root=$(private_rootfs kubelet)
	[ "$(readlink "$root/var/run")" = ../run ]
	uid=$(cat /proc/sys/kernel/random/uuid)
	vol=/var/lib/kubelet/pods/$uid/volumes/kubernetes.io~projected/kube-api-access-hrit
	for d in /var/lib/kubelet /var/lib/kubelet/pods; do [ -d "$d" ] || { mkdir "$d" && track_dir "$d"; }; done
	mkdir -p "$vol"
	track_path "/var/lib/kubelet/pods/$uid"
	echo "hardrun-it-token" >"$vol/token"
	# a pod's volume is only the pod's: the spec is its pod's (here the
	# sandbox itself, whose id is the runtime's, so no live sandbox is needed)
	id=$(new_id kubelet)
	BUNDLE=$(make_bundle kubelet 'echo "token=$(cat /var/run/secrets/kubernetes.io/serviceaccount/token 2>&1)"' \
		".mounts += [{destination: \"/var/run/secrets/kubernetes.io/serviceaccount\", type: \"bind\", source: \"$vol\", options: [\"rbind\", \"ro\"]}]
		| .annotations = {\"io.kubernetes.cri.sandbox-id\": \"$id\", \"io.kubernetes.cri.sandbox-uid\": \"$uid\"}" "$root")
	run hr run --bundle "$BUNDLE" "$id"
	echo "$output"
	jq -c '.mounts[] | select(.destination | test("run"))' "$(hardened_spec "$(tail -n 1 "$BATS_TEST_TMPDIR/.containers")")" || true
	[ "$status" -eq 0 ]
	[ "$(field token)" = hardrun-it-token ]
}

# run_probe NAME JQ_FILTER [PROBE_TESTS...]: runs a spec through hardrun
# whose process reports NoNewPrivs/Seccomp and runs the probe.
run_probe() {
	local name=$1 filter=$2
	shift 2
	BUNDLE=$(make_bundle "$name" "grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status; /bin/probe $*" "$filter")
	CID=$(new_id "$name")
	run hr run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field Seccomp)" = 2 ]
}

@test "seccomp: a spec's own profile that allows keyctl, add_key, unshare, mount is kept without them" {
	require_probe
	run_probe ownprofile '.linux.seccomp = ($docker_seccomp | .syscalls += [{names: ["keyctl", "add_key", "unshare", "mount"], action: "SCMP_ACT_ALLOW"}])' \
		keyctl add_key unshare_user mount clone3
	for t in keyctl add_key unshare_user mount; do [ "$(field "$t")" = EPERM ]; done
	[ "$(field clone3)" = ENOSYS ]
	# the engine's profile was kept: same default action, its own allowlist still there
	jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO" and ([.linux.seccomp.syscalls[].names | length] | add > 250)' "$(hardened_spec "$CID")"
	refute jq -e '.linux.seccomp.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[] | select(. == "keyctl" or . == "unshare")' "$(hardened_spec "$CID")"
}

@test "seccomp: must-deny syscalls allowed through SCMP_ACT_LOG or an argument filter are removed too" {
	require_probe
	run_probe logrule '.linux.seccomp = ($docker_seccomp | .syscalls += [
			{names: ["keyctl", "mount"], action: "SCMP_ACT_LOG"},
			{names: ["unshare"], action: "SCMP_ACT_ALLOW", args: [{index: 0, value: 268435456, valueTwo: 268435456, op: "SCMP_CMP_MASKED_EQ"}]}])' \
		keyctl mount unshare_user
	for t in keyctl mount unshare_user; do [ "$(field "$t")" = EPERM ]; done
}

@test "seccomp: a profile whose default action allows (ALLOW, LOG) is replaced" {
	require_probe
	for action in SCMP_ACT_ALLOW SCMP_ACT_LOG; do
		run_probe "default-$action" ".linux.seccomp = {defaultAction: \"$action\"}" keyctl unshare_user bpf
		for t in keyctl unshare_user bpf; do [ "$(field "$t")" = EPERM ]; done
		jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO"' "$(hardened_spec "$CID")"
	done
}

@test "user namespace: a spec joining the host's user namespace gets a private one instead" {
	BUNDLE=$(make_bundle hostuserns "$REPORT_SCRIPT" ".linux.namespaces += [{type: \"user\", path: \"/proc/$$/ns/user\"}]")
	CID=$(new_id hostuserns)
	run hr run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_userns
	assert_hardened_status
}

@test "pids: a missing, zero or negative limit becomes the policy's 4096, a positive one is kept" {
	for limit in null 0 -1 100; do
		BUNDLE=$(make_bundle "pids$RANDOM" 'echo "pids_max=$(cat /sys/fs/cgroup/pids/pids.max)"' ".linux.resources.pids = {limit: $limit}")
		run hr run --bundle "$BUNDLE" "$(new_id pids)"
		echo "limit $limit: $output"
		[ "$status" -eq 0 ]
		if [ "$limit" = 100 ]; then [ "$(field pids_max)" = 100 ]; else [ "$(field pids_max)" = 4096 ]; fi
	done
}

@test "propagation: a shared rootfs and an rshared bind are made private" {
	mkdir -p "$BATS_TEST_TMPDIR/shared"
	BUNDLE=$(make_bundle propagation 'awk '"'"'$5 == "/" || $5 == "/mnt" {print "opt_" $5 "=" $7}'"'"' /proc/self/mountinfo' \
		".linux.rootfsPropagation = \"shared\" | .mounts += [{destination: \"/mnt\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/shared\", options: [\"rbind\", \"rshared\"]}]")
	run hr run --bundle "$BUNDLE" "$(new_id propagation)"
	echo "$output"
	[ "$status" -eq 0 ]
	# the optional field after the mount options: "shared:N" on a shared mount
	[ -n "$(field opt_/mnt)" ]
	[[ "$(field opt_/)" != shared:* ]]
	[[ "$(field opt_/mnt)" != shared:* ]]
}

@test "plain runc: the same spec is not hardened, and the probes say so" {
	run_everything "$RUNC"
	host_bnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status)
	expected=$(printf '%016x' $((0x$host_bnd & ~(1 << 24) & ((1 << 41) - 1))))
	[ "$(field CapEff)" = "$expected" ]
	[ "$(field CapBnd)" = "$expected" ]
	[ "$(field CapAmb)" != 0000000000000000 ]
	[ "$(field NoNewPrivs)" = 0 ]
	[ "$(field Seccomp)" = 0 ]
	[ "$(field uid_map | tr -s ' ')" = " 0 0 4294967295" ]
	[ "$(field touch_root)" = ok ]
	[ "$(field busybox_unshare)" = ok ]
	[ "$(field busybox_mount)" = ok ]
	[ "$(field dev_/proc/keys)" != 1:3 ]
	[ "$(field bytes_/proc/keys)" -gt 0 ]
	[ -z "$(field procsys_opts)" ] # not a read-only mount of its own
	[ "$(field procsys_write)" = ok ]
	[[ "$(field devices_list)" == *"a *:* rwm"* ]]
	[ "$(field pids_max)" = max ]
	if have_probe; then
		[ "$(field keyctl)" = ok ]
		[ "$(field add_key)" = ok ]
		[ "$(field unshare_user)" = ok ]
		[ "$(field mount)" = ok ]
		[ "$(field write_root)" = ok ]
		[ "$(field clone3)" != ENOSYS ]
	fi
}
