#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Specs the default policy refuses.  For each: hardrun exits 1 before runc
# runs, the --log file's last line is runc-style JSON naming the rule, the
# bundle is byte-identical, runc knows no such container, the process never
# ran, and the audit log records the denial.

load helpers

setup() {
	hr_setup
	OUT=$BATS_TEST_TMPDIR/out
	mkdir -p "$OUT"
	chmod 0777 "$OUT"
}

teardown() {
	hr_teardown
	remove_stand_in
}

# The process leaves a marker in a host directory bound at /mnt: a denied
# container must never get that far.
MARKER_SCRIPT='echo ran >/mnt/ran; grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status'

# deny_case NAME JQ_FILTER RULE MSG_PATTERN: the spec is refused by RULE.
deny_case() {
	local name=$1 filter=$2 rule=$3 pattern=$4 bundle id line
	bundle=$(make_bundle "$name" "$MARKER_SCRIPT" "$(out_bind) | $filter")
	cp "$bundle/config.json" "$BATS_TEST_TMPDIR/before.json"
	id=$(new_id "$name")
	run --separate-stderr hr run --bundle "$bundle" "$id"
	echo "status $status, stdout [$output], stderr [$stderr]"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	# the user's error, where containerd and docker read it
	assert_log_error "policy denies container $id \\(profile \"default\"\\): .*$rule: .*$pattern"
	[[ "$stderr" == *"$rule: "* ]]
	# nothing changed, nothing started
	cmp "$bundle/config.json" "$BATS_TEST_TMPDIR/before.json"
	[ -z "$(find "$bundle" -name '.config.json.hardrun-*')" ]
	refute container_exists "$id"
	run "$RUNC" list -q
	[[ "$output" != *"$id"* ]]
	[ ! -e "$OUT/ran" ]
	# the security team's record
	line=$(audit_last_for "$id")
	echo "audit: $line"
	[[ "$line" == *'"decision":"deny"'* ]]
	jq -e --arg r "$rule" '.decisions | map(select(.rule == $r and .outcome == "denied")) | length > 0' <<<"$line"
	# and no id range is held for it
	refute grep -rqs -- "$id" /run/hardrun/ids
}

out_bind() {
	echo ".mounts += [{destination: \"/mnt\", type: \"bind\", source: \"$OUT\", options: [\"rbind\", \"rw\"]}]"
}

@test "control: the base spec of these cases runs and leaves its marker" {
	bundle=$(make_bundle base "$MARKER_SCRIPT" "$(out_bind)")
	id=$(new_id base)
	run hr run --bundle "$bundle" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(cat "$OUT/ran")" = ran ]
	[[ "$output" == *"NoNewPrivs:	1"* ]]
	[[ "$(audit_last_for "$id")" == *'"decision":"modify"'* ]]
}

@test "host pid namespace (no pid namespace entry) is refused: host_namespaces" {
	deny_case hostpid '.linux.namespaces |= map(select(.type != "pid"))' host_namespaces "no pid namespace"
}

@test "the host's network namespace given by path is refused: host_namespaces" {
	# this shell runs in the host's namespaces
	deny_case hostnet ".linux.namespaces |= map(if .type == \"network\" then .path = \"/proc/$$/ns/net\" else . end)" \
		host_namespaces "network"
}

@test "a namespace path hardrun cannot inspect is refused (fail closed): host_namespaces" {
	deny_case nsmissing '.linux.namespaces |= map(if .type == "ipc" then .path = "/proc/999999999/ns/ipc" else . end)' \
		host_namespaces "ipc"
}

@test "a bind of /var/run/docker.sock is refused: sensitive_mounts" {
	deny_case dockersock '.mounts += [{destination: "/var/run/docker.sock", type: "bind", source: "/var/run/docker.sock", options: ["rbind"]}]' \
		sensitive_mounts 'bind mount of "/var/run/docker.sock".*sensitive host path'
}

@test "a bind of /etc is refused: sensitive_mounts" {
	deny_case etc '.mounts += [{destination: "/mnt/etc", type: "bind", source: "/etc", options: ["rbind", "ro"]}]' \
		sensitive_mounts 'bind mount of "/etc".*sensitive host path "/etc"'
}

@test "a bind of a path that resolves into /etc through a symlink is refused: sensitive_mounts" {
	ln -s /etc/hostname "$BATS_TEST_TMPDIR/innocent"
	deny_case symlink ".mounts += [{destination: \"/etc/hostname\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/innocent\", options: [\"rbind\", \"ro\"]}]" \
		sensitive_mounts 'sensitive host path "/etc"'
}

@test "a bind of a parent of a sensitive path (/var) is refused: sensitive_mounts" {
	deny_case var '.mounts += [{destination: "/mnt/var", type: "bind", source: "/var", options: ["rbind", "ro"]}]' \
		sensitive_mounts 'bind mount of "/var"'
}

@test "sysctl net.ipv4.ip_forward is refused: sysctls" {
	deny_case sysctl '.linux.sysctl = {"net.ipv4.ip_forward": "1"}' sysctls 'net.ipv4.ip_forward'
}

@test "a /dev/fuse device (docker --device /dev/fuse) is refused: devices" {
	deny_case fuse '.linux.devices = [{path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 438, uid: 0, gid: 0}]
		| .linux.resources.devices += [{allow: true, type: "c", major: 10, minor: 229, access: "rwm"}]' \
		devices '/dev/fuse \(c 10:229\)'
}

@test "a host-side prestart hook is refused: hooks" {
	deny_case hook ".hooks = {prestart: [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"touch $OUT/hook-ran\"]}]}" hooks "prestart"
	[ ! -e "$OUT/hook-ran" ]
}

@test "a cwd under /proc/self/fd is refused: process_cwd" {
	deny_case cwd '.process.cwd = "/proc/self/fd/7"' process_cwd "/proc/self/fd/7"
}

@test "binds of sensitive paths in other spellings are refused: sensitive_mounts" {
	# runc treats any mount with a bind option as a bind, whatever its type
	deny_case tmpfsbind '.mounts += [{destination: "/mnt/x", type: "tmpfs", source: "/etc", options: ["rbind", "ro"]}]' \
		sensitive_mounts 'bind mount of "/etc"'
	deny_case nonebind '.mounts += [{destination: "/mnt/x", type: "none", source: "/etc", options: ["bind", "ro"]}]' \
		sensitive_mounts 'bind mount of "/etc"'
	deny_case dotdot '.mounts += [{destination: "/mnt/x", type: "bind", source: "/var/../etc", options: ["rbind", "ro"]}]' \
		sensitive_mounts 'sensitive host path "/etc"'
	deny_case slashes '.mounts += [{destination: "/mnt/x", type: "bind", source: "//etc/.", options: ["rbind", "ro"]}]' \
		sensitive_mounts 'sensitive host path "/etc"'
	deny_case hostroot '.mounts += [{destination: "/mnt/x", type: "bind", source: "/", options: ["rbind", "ro"]}]' \
		sensitive_mounts 'bind mount of "/"'
	deny_case run '.mounts += [{destination: "/mnt/x", type: "bind", source: "/run", options: ["rbind", "ro"]}]' \
		sensitive_mounts 'bind mount of "/run"'
	deny_case kmsg '.mounts += [{destination: "/mnt/kmsg", type: "bind", source: "/dev/kmsg", options: ["rbind"]}]' \
		sensitive_mounts 'sensitive host path "/dev"'
}

@test "the host's / as the rootfs is refused: sensitive_mounts" {
	deny_case rootfs '.root.path = "/"' sensitive_mounts 'root filesystem "/"'
}

@test "host-side createRuntime and poststop hooks are refused: hooks" {
	deny_case createruntime ".hooks = {createRuntime: [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"touch $OUT/hook-ran\"]}]}" hooks "createRuntime"
	deny_case poststop ".hooks = {poststop: [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"touch $OUT/hook-ran\"]}]}" hooks "poststop"
	[ ! -e "$OUT/hook-ran" ]
}

@test "sysctls outside the allowlist in other forms are refused: sysctls" {
	deny_case corepattern '.linux.sysctl = {"kernel.core_pattern": "|/bin/sh"}' sysctls 'kernel.core_pattern'
	deny_case slashform '.linux.sysctl = {"net/ipv4/ip_forward": "1"}' sysctls 'net/ipv4/ip_forward'
	deny_case dotted '.linux.sysctl = {"net.ipv4.ping_group_range.": "0 0"}' sysctls 'ping_group_range'
}

@test "device cgroup rules beyond the defaults are refused: devices" {
	deny_case vda '.linux.resources.devices += [{allow: true, type: "b", major: 254, minor: 0, access: "rwm"}]' devices 'b 254:0'
	deny_case allchar '.linux.resources.devices += [{allow: true, type: "c", access: "rwm"}]' devices 'c \*:\*'
	deny_case kmsgnode '.linux.devices = [{path: "/dev/kmsg", type: "c", major: 1, minor: 11, fileMode: 420, uid: 0, gid: 0}]' devices '/dev/kmsg'
}

@test "create is refused the same way as run" {
	bundle=$(make_bundle create "$MARKER_SCRIPT" "$(out_bind) | .linux.sysctl = {\"net.ipv4.ip_forward\": \"1\"}")
	cp "$bundle/config.json" "$BATS_TEST_TMPDIR/before.json"
	id=$(new_id create)
	run_files hr create --bundle "$bundle" "$id"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	assert_log_error "sysctls: "
	cmp "$bundle/config.json" "$BATS_TEST_TMPDIR/before.json"
	refute container_exists "$id"
}

# stand_in_socket: /var/run/docker.sock, made a plain file with known content
# for the test when no docker runs here (removed in teardown, and only if it
# is still that file: a dockerd started meanwhile keeps its socket).  Sets
# EXPECT to that content, or to "" when the real socket is used.
STAND_IN_TEXT="hardrun-it stand-in socket"
stand_in_socket() {
	EXPECT=""
	if [ ! -e /var/run/docker.sock ] && ! pgrep -x dockerd >/dev/null; then
		EXPECT=$STAND_IN_TEXT
		echo "$EXPECT" >"$(readlink -f /var/run)/docker.sock"
		STAND_IN=$(readlink -f /var/run)/docker.sock
	fi
}

remove_stand_in() {
	if [ -n "${STAND_IN:-}" ] && [ -f "$STAND_IN" ] && [ ! -S "$STAND_IN" ] &&
		[ "$(cat "$STAND_IN")" = "$STAND_IN_TEXT" ]; then
		rm -f "$STAND_IN"
	fi
}

SOCKET_PROFILE='{"profiles": {"default": {}, "socket-ok": {"rules": {"sensitive_mounts": {"action": "audit"}}}}}'

# sock_script DEST: the container reports whether DEST is there and its first line.
sock_script() {
	echo "$MARKER_SCRIPT; [ -e $1 ] && echo sock=present || echo sock=absent; head -n 1 $1 2>/dev/null | sed 's/^/content=/'"
}

sock_bind() {
	echo "$(out_bind) | .mounts += [{destination: \"$1\", type: \"bind\", source: \"/var/run/docker.sock\", options: [\"rbind\"]}]"
}

@test "a profile that only audits sensitive_mounts lets the docker.sock container run, hardened, and audits it" {
	stand_in_socket
	POLICY=$(write_policy "$SOCKET_PROFILE" socket-ok)
	bundle=$(make_bundle sock "$(sock_script /run/docker.sock)" "$(sock_bind /run/docker.sock)")
	id=$(new_id sock)
	run hr --hardrun-profile socket-ok run --bundle "$bundle" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(cat "$OUT/ran")" = ran ]
	[ "$(field sock)" = present ]
	[ -z "$EXPECT" ] || [ "$(field content)" = "$EXPECT" ]
	# still hardened in everything else
	[ "$(field NoNewPrivs)" = 1 ]
	[ "$(field Seccomp)" = 2 ]
	caps_within "$(field CapEff)"
	line=$(audit_last_for "$id")
	echo "audit: $line"
	[ "$(jq -r .profile <<<"$line")" = socket-ok ]
	[ "$(jq -r .decision <<<"$line")" = modify ]
	jq -e '.decisions | map(select(.rule == "sensitive_mounts" and .outcome == "audited" and (.message | contains("docker.sock")))) | length == 1' <<<"$line"
}

@test "the same docker.sock bundle is still refused under the policy's default profile" {
	stand_in_socket
	POLICY=$(write_policy "$SOCKET_PROFILE" socket-ok)
	bundle=$(make_bundle sock "$(sock_script /run/docker.sock)" "$(sock_bind /run/docker.sock)")
	cp "$bundle/config.json" "$BATS_TEST_TMPDIR/before.json"
	id=$(new_id sock)
	run hr run --bundle "$bundle" "$id"
	[ "$status" -eq 1 ]
	assert_log_error 'profile "default".*sensitive_mounts: '
	cmp "$bundle/config.json" "$BATS_TEST_TMPDIR/before.json"
	[ ! -e "$OUT/ran" ]
}

@test "an allowed bind at /var/run/docker.sock (/var/run -> /run in the image) is not hidden by the /run tmpfs" {
	# docker run -v /var/run/docker.sock:/var/run/docker.sock on an image
	# whose /var/run is a symlink to /run, as in Debian, Ubuntu or Alpine
	stand_in_socket
	[ "$(readlink "$(hr_rootfs)/var/run")" = ../run ]
	POLICY=$(write_policy "$SOCKET_PROFILE" socket-ok)
	bundle=$(make_bundle sock "$(sock_script /var/run/docker.sock)" "$(sock_bind /var/run/docker.sock)")
	id=$(new_id sock)
	run hr --hardrun-profile socket-ok run --bundle "$bundle" "$id"
	echo "$output"
	jq -c '.mounts[] | select(.destination | test("run"))' "$bundle/config.json"
	[ "$status" -eq 0 ]
	[ "$(cat "$OUT/ran")" = ran ]
	[ "$(field sock)" = present ]
	[ -z "$EXPECT" ] || [ "$(field content)" = "$EXPECT" ]
}

# restore reads the spec as create does: no CRIU is needed to show that it
# is enforced before the runtime sees it.
@test "restore is enforced like create: a denied spec is refused before runc, an admitted one is hardened first" {
	bundle=$(make_bundle restore-denied "$MARKER_SCRIPT" '.linux.namespaces |= map(select(.type != "pid"))')
	cp "$bundle/config.json" "$BATS_TEST_TMPDIR/before.json"
	id=$(new_id restore-denied)
	run hr restore --image-path "$BATS_TEST_TMPDIR/no-image" --bundle "$bundle" "$id"
	echo "$output"
	[ "$status" -eq 1 ]
	assert_log_error "policy denies container $id .*host_namespaces: .*no pid namespace"
	cmp "$bundle/config.json" "$BATS_TEST_TMPDIR/before.json"
	refute container_exists "$id"
	# admitted: the spec runc is handed is the hardened one (runc then fails
	# for want of a checkpoint image, which is not hardrun's business)
	bundle=$(make_bundle restore-admitted "$MARKER_SCRIPT" "$EVERYTHING_FILTER")
	id=$(new_id restore-admitted)
	run hr restore --image-path "$BATS_TEST_TMPDIR/no-image" --bundle "$bundle" "$id"
	echo "$output"
	jq -e '.process.noNewPrivileges == true and (.linux.seccomp.syscalls | length > 0) and .root.readonly == true
		and ([.linux.namespaces[] | select(.type == "user")] | length == 1)' "$(hardened_spec "$id")"
	[ "$(jq -r '[.decisions[].rule] | index("capabilities") != null' <<<"$(audit_last_for "$id")")" = true ]
	[ "$(audit_last_for "$id" | jq -r .command)" = restore ]
}
