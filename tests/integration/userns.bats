#!/usr/bin/env bats
# hardrun with the real runc: the per-container id ranges and the
# idmapped rootfs (allocation, release, reclaim after a kill, mount-table
# hygiene over 100 cycles, bind files that cannot be idmapped).  What a
# hardened container sees, denials, bad input, pass-through and exec are in
# the other suites (README.md).

load lib

setup() {
	require_runc
	POLICY=$(write_policy)
	cd "$BATS_TEST_TMPDIR"
}

teardown() {
	cleanup_containers
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
