#!/usr/bin/env bats
# hardrun with the real runc: what a container that asks for everything
# actually gets, what is refused and how, bad input, pass-through, exec, and
# the per-container id ranges.  Every assertion about hardening is made from
# inside the container.

load lib

setup() {
	require_runc
	POLICY=$(write_policy)
	cd "$BATS_TEST_TMPDIR"
}

teardown() {
	cleanup_containers
}

STATUS_PROBE='grep -E "^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):" /proc/self/status
echo "uid_map $(cat /proc/self/uid_map)"
touch /probe 2>/dev/null && echo "rootfs writable" || echo "rootfs read-only"
unshare -U true 2>/dev/null && echo "unshare allowed" || echo "unshare refused"
mount -t tmpfs none /mnt 2>/dev/null && echo "mount allowed" || echo "mount refused"
[ -s /proc/kcore ] && echo "kcore visible" || echo "kcore masked"
echo scratch >/tmp/x && echo "tmp writable"
echo "busybox owner $(stat -c %u /bin/busybox)"'

@test "a spec asking for everything runs hardened: seen from inside the container" {
	bundle=$(new_bundle everything "$STATUS_PROBE" "$EVERYTHING")
	id=$(unique_id all)
	track "$id"
	run hr run --bundle "$bundle" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"CapEff:	00000000000004fb"* ]]
	[[ "$output" == *"CapBnd:	00000000000004fb"* ]]
	[[ "$output" == *"CapInh:	0000000000000000"* ]]
	[[ "$output" == *"CapAmb:	0000000000000000"* ]]
	[[ "$output" == *"NoNewPrivs:	1"* ]]
	[[ "$output" == *"Seccomp:	2"* ]]
	[[ "$output" != *"uid_map          0          0 4294967295"* ]]
	[[ "$output" == *"rootfs read-only"* ]]
	[[ "$output" == *"unshare refused"* ]]
	[[ "$output" == *"mount refused"* ]]
	[[ "$output" == *"kcore masked"* ]]
	[[ "$output" == *"tmp writable"* ]]
	[[ "$output" == *"busybox owner 0"* ]] # idmapped rootfs
	grep -q '"decision":"modify"' "$BATS_TEST_TMPDIR/audit.jsonl"
	# the rewritten bundle points at this container's staging: never reused
	run hr run --bundle "$bundle" "$(unique_id again)"
	[ "$status" -eq 1 ]
	[[ "$(last_log_msg)" == *"staged rootfs"* ]]
}

@test "the same spec through plain runc is not hardened (the probe can tell)" {
	bundle=$(new_bundle everything-plain "$STATUS_PROBE" "$EVERYTHING | .process.capabilities |= with_entries(.value |= map(select(. != \"CAP_SYS_RESOURCE\")))")
	id=$(unique_id plain)
	track "$id"
	run runc run --bundle "$bundle" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"NoNewPrivs:	0"* ]]
	[[ "$output" == *"Seccomp:	0"* ]]
	[[ "$output" != *"CapEff:	00000000000004fb"* ]]
	[[ "$output" == *"rootfs writable"* ]]
	[[ "$output" == *"mount allowed"* ]]
}

# deny_case NAME FILTER RULE: refused, rule named in the log, spec untouched, no container.
deny_case() {
	local bundle id
	bundle=$(new_bundle "$1" "true" "$2")
	id=$(unique_id "$1")
	track "$id"
	cp "$bundle/config.json" "$BATS_TEST_TMPDIR/before.json"
	run hr create --bundle "$bundle" "$id"
	echo "$output"
	[ "$status" -eq 1 ]
	last_log_msg | grep -q "hardrun: policy denies container $id"
	last_log_msg | grep -qF "$3"
	cmp "$bundle/config.json" "$BATS_TEST_TMPDIR/before.json"
	run runc state "$id"
	[ "$status" -ne 0 ]
	grep -q '"decision":"deny"' "$BATS_TEST_TMPDIR/audit.jsonl"
}

@test "host pid namespace is refused" {
	deny_case hostpid '.linux.namespaces |= map(select(.type != "pid"))' "host_namespaces: no pid namespace"
}

@test "a bind of the docker socket is refused" {
	touch "$BATS_TEST_TMPDIR/fake.sock"
	deny_case sock '.mounts += [{"destination": "/var/run/docker.sock", "type": "bind", "source": "/var/run/docker.sock", "options": ["rbind"]}]' 'sensitive_mounts: bind mount of "/var/run/docker.sock"'
}

@test "a bind of /etc is refused" {
	deny_case etc '.mounts += [{"destination": "/hostetc", "type": "bind", "source": "/etc", "options": ["rbind", "ro"]}]' 'sensitive host path "/etc"'
}

@test "a sysctl outside the allowlist is refused" {
	deny_case sysctl '.linux.sysctl = {"net.ipv4.ip_forward": "1"}' "sysctls: sysctl net.ipv4.ip_forward"
}

@test "a host-side hook is refused" {
	deny_case hook '.hooks = {"prestart": [{"path": "/bin/sh", "args": ["sh", "-c", "touch /tmp/pwned"]}]}' "hooks: prestart hook"
}

@test "bad input: clear error, untouched bundle, no container, no crash" {
	bundle=$(new_bundle bad "true")
	good=$(cat "$bundle/config.json")
	inputs=(
		'truncated|{"ociVersion": "1.0.2", "process": {'
		'not json|this is not json'
		'empty|'
		'trailing data|{"process":{"cwd":"/","args":["true"]}} {"x":1}'
		'invalid UTF-8|{"process":{"cwd":"/","args":["\xff"]}}'
		'NUL in a string|{"process":{"cwd":"/","args":["a\u0000b"]}}'
		'duplicate key|{"process":{"cwd":"/","args":["true"]},"process":{"cwd":"/","args":["sh"]}}'
		'case-variant key|{"process":{"cwd":"/","args":["true"]},"Process":{"cwd":"/","args":["sh"]}}'
		'wrong type|{"process":"x"}'
		'missing process|{"ociVersion":"1.0.2","root":{"path":"rootfs"}}'
		'out-of-range number|{"process":{"cwd":"/","args":["true"]},"linux":{"resources":{"pids":{"limit":99999999999999999999999}}}}'
		'lone surrogate|{"process":{"cwd":"/","args":["\ud800"]}}'
	)
	for entry in "${inputs[@]}"; do
		name=${entry%%|*}
		printf '%b' "${entry#*|}" >"$bundle/config.json"
		cp "$bundle/config.json" "$BATS_TEST_TMPDIR/before.json"
		id=$(unique_id bad)
		track "$id"
		run hr create --bundle "$bundle" "$id"
		echo "$name: status $status: $output"
		[ "$status" -eq 1 ]
		[ -n "$(last_log_msg)" ]
		cmp "$bundle/config.json" "$BATS_TEST_TMPDIR/before.json"
		! runc state "$id" >/dev/null 2>&1
	done
	# a nested document beyond the depth limit, and a huge one
	python3 -c 'print("[" * 200 + "]" * 200)' >"$bundle/config.json"
	run hr create --bundle "$bundle" "$(unique_id deep)"
	[ "$status" -eq 1 ]
	[[ "$(last_log_msg)" == *"nesting deeper"* ]]
	head -c 70000000 /dev/zero | tr '\0' ' ' >"$bundle/config.json"
	run hr create --bundle "$bundle" "$(unique_id huge)"
	[ "$status" -eq 1 ]
	[[ "$(last_log_msg)" == *"larger than"* ]]
	echo "$good" >"$bundle/config.json"
}

@test "a policy that cannot be used starts no container" {
	bundle=$(new_bundle badpolicy "true")
	cp "$bundle/config.json" "$BATS_TEST_TMPDIR/before.json"
	for policy in '{"profiles": {"default": {"rules": {"capabilities": {"allow": ["CAP_FLY"]}}}}}' '{"bogus": 1}' '{'; do
		echo "$policy" >"$BATS_TEST_TMPDIR/bad-policy.json"
		run "$HARDRUN" --hardrun-policy "$BATS_TEST_TMPDIR/bad-policy.json" --log "$BATS_TEST_TMPDIR/log.json" --log-format json create --bundle "$bundle" "$(unique_id pol)"
		[ "$status" -eq 1 ]
		[[ "$(last_log_msg)" == *"cannot load the policy"* ]]
		cmp "$bundle/config.json" "$BATS_TEST_TMPDIR/before.json"
	done
	run "$HARDRUN" --hardrun-policy "$BATS_TEST_TMPDIR" --log "$BATS_TEST_TMPDIR/log.json" --log-format json create --bundle "$bundle" "$(unique_id dirpol)"
	[ "$status" -eq 1 ]
	[[ "$(last_log_msg)" == *"not a regular file"* ]]
}

@test "the parser differential is real in runc and refused by hardrun" {
	# runc (Go) matches keys case-insensitively and takes the last duplicate
	bundle=$(new_bundle diff "grep NoNewPrivs /proc/self/status")
	jq -c '.process.noNewPrivileges = true' "$bundle/config.json" | sed 's/"noNewPrivileges":true/"noNewPrivileges":true,"NoNewPrivileges":false/' >"$bundle/c" && mv "$bundle/c" "$bundle/config.json"
	id=$(unique_id diff)
	track "$id"
	run runc run --bundle "$bundle" "$id"
	echo "$output"
	[[ "$output" == *"NoNewPrivs:	0"* ]] # runc read the later key
	run hr run --bundle "$bundle" "$(unique_id diff2)"
	[ "$status" -eq 1 ]
	last_log_msg | grep -qF 'duplicate key "NoNewPrivileges"'
}

@test "runc's argv grammar: hardrun hardens the bundle runc uses" {
	decoy=$(new_bundle decoy "true")
	target=$(new_bundle target "grep NoNewPrivs /proc/self/status")
	jq '.process.noNewPrivileges = false' "$target/config.json" >"$BATS_TEST_TMPDIR/pristine.json"
	cd "$decoy"
	for form in 'ID --bundle TARGET' '--pid-file PIDFILE ID --bundle=TARGET' '-bundle=TARGET ID' 'ID --pid-file -- --bundle TARGET'; do
		id=$(unique_id argv)
		track "$id"
		args=${form//ID/$id}
		args=${args//TARGET/$target}
		args=${args//PIDFILE/$BATS_TEST_TMPDIR/pid}
		cp "$BATS_TEST_TMPDIR/pristine.json" "$target/config.json"
		run hr run $args
		echo "$form: $output"
		[ "$status" -eq 0 ]
		[[ "$output" == *"NoNewPrivs:	1"* ]]
		[ "$(jq .process.noNewPrivileges "$target/config.json")" = true ]
	done
}

@test "pass-through commands give exactly runc's output and status" {
	bundle=$(new_bundle pass "sleep 60")
	id=$(unique_id pass)
	track "$id"
	hr create --bundle "$bundle" "$id"
	hr start "$id"
	for cmd in "state $id" "ps --format json $id" "list" "list --format json" "state no-such-container" "features" "events --stats $id"; do
		run runc $cmd
		expected_status=$status expected_output=$output
		run "$HARDRUN" --hardrun-policy "$POLICY" $cmd
		[ "$status" -eq "$expected_status" ]
		if [[ "$cmd" != events* ]]; then
			echo "$cmd: expected: $expected_output"
			echo "$cmd: got: $output"
			[ "$output" = "$expected_output" ]
		fi
	done
	run "$HARDRUN" --version
	[[ "${lines[0]}" == "runc version"* ]]
	[[ "$output" == *"hardrun version"* ]]
	hr kill "$id" KILL
}

@test "exec: the process file is hardened and privilege-granting flags are refused" {
	bundle=$(new_bundle execc "sleep 60")
	id=$(unique_id exec)
	track "$id"
	hr create --bundle "$bundle" "$id"
	hr start "$id"
	jq -n --argjson caps "$ALL_CAPS" '{args: ["grep", "-E", "CapEff|NoNewPrivs", "/proc/self/status"], cwd: "/", user: {uid: 0, gid: 0}, env: ["PATH=/bin"], noNewPrivileges: false, capabilities: {bounding: $caps, effective: $caps, permitted: $caps, inheritable: $caps, ambient: $caps}}' >"$BATS_TEST_TMPDIR/process.json"
	run hr exec --process "$BATS_TEST_TMPDIR/process.json" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"CapEff:	00000000000004fb"* ]]
	[[ "$output" == *"NoNewPrivs:	1"* ]]
	[ "$(jq .noNewPrivileges "$BATS_TEST_TMPDIR/process.json")" = true ]
	for flags in "--cap CAP_SYS_ADMIN" "--no-new-privs=false" "--cwd /proc/self/fd/3" "--apparmor unconfined"; do
		run hr exec $flags "$id" true
		[ "$status" -eq 1 ]
		[[ "$(last_log_msg)" == *"exec"* ]]
	done
	run hr exec "$id" grep NoNewPrivs /proc/self/status
	[[ "$output" == *"NoNewPrivs:	1"* ]]
	hr kill "$id" KILL
}

@test "each container gets its own id range; delete releases it" {
	a=$(unique_id ra) b=$(unique_id rb)
	track "$a"
	track "$b"
	bundle_a=$(new_bundle ra "sleep 60")
	bundle_b=$(new_bundle rb "sleep 60")
	hr create --bundle "$bundle_a" "$a"
	hr create --bundle "$bundle_b" "$b"
	hr start "$a"
	hr start "$b"
	map_a=$(cat /proc/$(runc state "$a" | jq .pid)/uid_map | awk '{print $2}')
	map_b=$(cat /proc/$(runc state "$b" | jq .pid)/uid_map | awk '{print $2}')
	echo "ranges $map_a $map_b"
	[ "$map_a" -ge 100000 ]
	[ "$map_b" -ge 100000 ]
	[ "$map_a" != "$map_b" ]
	[ $((map_a > map_b ? map_a - map_b : map_b - map_a)) -ge 65536 ]
	grep -q "mapped to host uids $map_a-" "$BATS_TEST_TMPDIR/audit.jsonl"
	hr delete -f "$a"
	hr delete -f "$b"
	! grep -rqs -e "$a" -e "$b" /run/hardrun/ids
	! grep -q "/run/hardrun/stage" /proc/self/mountinfo || ! grep "/run/hardrun/stage" /proc/self/mountinfo | grep -q .
}

@test "a create killed half-way leaves nothing the next create does not reclaim" {
	# the runtime the policy names is a script that kills itself: hardrun has
	# allocated the range and staged the rootfs, then exec'd something that died
	printf '#!/bin/sh\nkill -9 $$\n' >"$BATS_TEST_TMPDIR/dying-runtime"
	chmod +x "$BATS_TEST_TMPDIR/dying-runtime"
	dying=$(write_policy "{\"runtime\": \"$BATS_TEST_TMPDIR/dying-runtime\"}" dying)
	bundle=$(new_bundle dying "true")
	id=$(unique_id dying)
	run "$HARDRUN" --hardrun-policy "$dying" create --bundle "$bundle" "$id"
	[ "$status" -ne 0 ]
	grep -rqs "$id" /run/hardrun/ids # left behind
	bundle2=$(new_bundle next "true")
	id2=$(unique_id next)
	track "$id2"
	hr run --bundle "$bundle2" "$id2"
	! grep -rqs "$id" /run/hardrun/ids # reclaimed
}

@test "100 create/delete cycles leave the mount table and the id state as they were" {
	bundle=$(new_bundle cycles "true")
	cp "$bundle/config.json" "$BATS_TEST_TMPDIR/pristine.json"
	before=$(awk '{print $5}' /proc/self/mountinfo | sort)
	for i in $(seq 100); do
		id=$(unique_id cycle)
		cp "$BATS_TEST_TMPDIR/pristine.json" "$bundle/config.json"
		hr create --bundle "$bundle" "$id" </dev/null >/dev/null
		hr delete -f "$id"
	done
	after=$(awk '{print $5}' /proc/self/mountinfo | sort)
	[ "$before" = "$after" ]
	! grep -rqs "hr-it-cycle" /run/hardrun/ids
}

@test "a bind file that cannot be idmapped: nobody-owned by default, refused when the policy says deny" {
	# procfs does not support idmapped mounts; sensitive_mounts is off so the
	# bind itself is allowed and only the idmapping question remains
	allow=$(write_policy '{"profiles": {"default": {"rules": {"sensitive_mounts": {"action": "off"}}}}}' allow)
	deny=$(write_policy '{"profiles": {"default": {"rules": {"sensitive_mounts": {"action": "off"}, "user_namespace": {"unmappable_binds": "deny"}}}}}' deny)
	bundle=$(new_bundle unmappable 'stat -c "%u" /version' '.mounts += [{"destination": "/version", "type": "bind", "source": "/proc/version", "options": ["rbind", "ro"]}]')
	cp "$bundle/config.json" "$BATS_TEST_TMPDIR/pristine.json"
	id=$(unique_id unmapped)
	track "$id"
	run "$HARDRUN" --hardrun-policy "$allow" run --bundle "$bundle" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = 65534 ]
	cp "$BATS_TEST_TMPDIR/pristine.json" "$bundle/config.json"
	run "$HARDRUN" --hardrun-policy "$deny" --log "$BATS_TEST_TMPDIR/log.json" --log-format json run --bundle "$bundle" "$(unique_id unmapped2)"
	[ "$status" -eq 1 ]
	[[ "$(last_log_msg)" == *"cannot be idmapped"* ]]
	! grep -rqs "unmapped2" /run/hardrun/ids
}
