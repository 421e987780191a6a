#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# hardrun with the real runc: the per-container id ranges and the
# idmapped rootfs (allocation, release, reclaim after a kill, mount-table
# hygiene over 100 cycles, bind files that cannot be idmapped).  What a
# hardened container sees, denials, bad input, pass-through and exec are in
# the other suites (README.md).

load helpers

setup() { hr_setup; }
teardown() { hr_teardown; }

@test "each container gets its own id range; delete releases it" {
	a=$(new_id ra) b=$(new_id rb)
	bundle_a=$(make_bundle ra "sleep 60")
	bundle_b=$(make_bundle rb "sleep 60")
	hr create --bundle "$bundle_a" "$a"
	hr create --bundle "$bundle_b" "$b"
	hr start "$a"
	hr start "$b"
	map_a=$(cat /proc/$(runc_ state "$a" | jq .pid)/uid_map | awk '{print $2}')
	map_b=$(cat /proc/$(runc_ state "$b" | jq .pid)/uid_map | awk '{print $2}')
	echo "ranges $map_a $map_b"
	[ "$map_a" -ge 100000 ]
	[ "$map_b" -ge 100000 ]
	[ "$map_a" != "$map_b" ]
	[ $((map_a > map_b ? map_a - map_b : map_b - map_a)) -ge 65536 ]
	grep -q "mapped to host uids $map_a-" "$AUDIT"
	hr delete -f "$a"
	hr delete -f "$b"
	refute grep -rqs -e "$a" -e "$b" /run/hardrun/ids
	refute grep -q "/run/hardrun/stage" /proc/self/mountinfo
}

@test "a create killed half-way leaves nothing the next create does not reclaim" {
	# the runtime the policy names is a script that kills itself: hardrun has
	# allocated the range and staged the rootfs, then exec'd something that died
	printf '#!/bin/sh\nkill -9 $$\n' >"$BATS_TEST_TMPDIR/dying-runtime"
	chmod +x "$BATS_TEST_TMPDIR/dying-runtime"
	dying=$(write_policy "{\"runtime\": \"$BATS_TEST_TMPDIR/dying-runtime\"}" dying)
	bundle=$(make_bundle dying "true")
	id=$(new_id dying)
	run "$HARDRUN" --hardrun-policy "$dying" create --bundle "$bundle" "$id"
	[ "$status" -ne 0 ]
	grep -rqs "$id" /run/hardrun/ids # left behind
	bundle2=$(make_bundle next "true")
	id2=$(new_id next)
	hr run --bundle "$bundle2" "$id2"
	refute grep -rqs "$id" /run/hardrun/ids # reclaimed
}

@test "100 create/delete cycles leave the mount table and the id state as they were" {
	bundle=$(make_bundle cycles "true")
	cp "$bundle/config.json" "$BATS_TEST_TMPDIR/pristine.json"
	before=$(awk '{print $5}' /proc/self/mountinfo | sort)
	for i in $(seq 100); do
		id=$(new_id cycle)
		cp "$BATS_TEST_TMPDIR/pristine.json" "$bundle/config.json"
		hr create --bundle "$bundle" "$id" </dev/null >/dev/null
		hr delete -f "$id"
	done
	after=$(awk '{print $5}' /proc/self/mountinfo | sort)
	[ "$before" = "$after" ]
	refute grep -rqs "hrit-cycle-$BATS_SUITE_TEST_NUMBER-$$-" /run/hardrun/ids
}

@test "a host file the user binds is never idmapped: nobody-owned, whatever unmappable_binds says" {
	# unmappable_binds concerns only what is the container's own
	# (needs.own_binds); /proc/version is a host path the user binds, so it
	# keeps the host's ownership (host root's files are nobody's) under both
	# policies.  sensitive_mounts is off so the bind itself is allowed.
	allow=$(write_policy '{"profiles": {"default": {"rules": {"sensitive_mounts": {"action": "off"}}}}}' allow)
	deny=$(write_policy '{"profiles": {"default": {"rules": {"sensitive_mounts": {"action": "off"}, "user_namespace": {"unmappable_binds": "deny"}}}}}' deny)
	bundle=$(make_bundle unmappable 'stat -c "%u" /version' '.mounts += [{"destination": "/version", "type": "bind", "source": "/proc/version", "options": ["rbind", "ro"]}]')
	cp "$bundle/config.json" "$BATS_TEST_TMPDIR/pristine.json"
	for policy in "$allow" "$deny"; do
		id=$(new_id unmapped)
		cp "$BATS_TEST_TMPDIR/pristine.json" "$bundle/config.json"
		run "$HARDRUN" --hardrun-policy "$policy" run --bundle "$bundle" "$id"
		echo "$output"
		[ "$status" -eq 0 ]
		[ "${lines[-1]}" = 65534 ]
	done
}

# The bundle's rootfs as an overlay (as docker and podman give it): staging
# rebuilds it read-only from idmapped layers, so runc cannot create what the
# image lacks; hardrun adds those mount points as a layer of their own.
overlay_rootfs() {
	local dir=$BATS_TEST_TMPDIR/ovl
	mkdir -p "$dir"/{upper,work,merged}
	mount -t overlay overlay -o "lowerdir=$(hr_rootfs),upperdir=$dir/upper,workdir=$dir/work" "$dir/merged"
	echo "$dir/merged"
}

teardown_overlay() {
	umount "$BATS_TEST_TMPDIR/ovl/merged" 2>/dev/null || true
}

@test "an overlay rootfs without the mount points and cwd the spec needs: they exist in the container, owned by its root" {
	merged=$(overlay_rootfs)
	mkdir -p "$BATS_TEST_TMPDIR/hostdata"
	echo hello >"$BATS_TEST_TMPDIR/hostdata/greeting"
	echo "a file" >"$BATS_TEST_TMPDIR/hostfile"
	id=$(new_id points)
	bundle=$(make_bundle points 'cat /data/greeting; cat /etc/extra/file.conf; pwd; stat -c "owner %u:%g" /srv; grep -c scratch /proc/self/mountinfo; touch /srv/x 2>/dev/null || echo "rootfs read-only"' \
		".root.path = \"$merged\" | .process.cwd = \"/srv/app\"
		 | .mounts += [{destination: \"/data\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/hostdata\", options: [\"rbind\", \"ro\"]},
		               {destination: \"/etc/extra/file.conf\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/hostfile\", options: [\"bind\", \"ro\"]},
		               {destination: \"/scratch\", type: \"tmpfs\", source: \"tmpfs\", options: [\"size=1m\"]}]")
	run hr run --bundle "$bundle" "$id"
	teardown_overlay
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hello ]
	[ "${lines[1]}" = "a file" ]
	[ "${lines[2]}" = /srv/app ]
	[ "${lines[3]}" = "owner 0:0" ]
	[ "${lines[4]}" = 1 ]
	[ "${lines[5]}" = "rootfs read-only" ]
	# the image itself is untouched
	[ ! -e "$merged/data" ] || [ ! -e "$(hr_rootfs)/data" ]
	[ ! -e "$(hr_rootfs)/srv" ]
}

@test "a bundle runs again and again, edited or not: hardrun never rewrites it" {
	id=$(new_id again)
	bundle=$(make_bundle again 'awk "{print \$2}" /proc/self/uid_map; echo "marker=$MARKER"')
	cp "$bundle/config.json" "$BATS_TEST_TMPDIR/original.json"
	run hr run --bundle "$bundle" "$id"
	[ "$status" -eq 0 ]
	cmp "$bundle/config.json" "$BATS_TEST_TMPDIR/original.json"
	run hr run --bundle "$bundle" "$id"
	echo "second run: $output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" -ge 100000 ]
	# an edit is run as edited, as runc would run it
	jq '.process.env += ["MARKER=edited"]' "$bundle/config.json" >"$bundle/c" && mv "$bundle/c" "$bundle/config.json"
	run hr run --bundle "$bundle" "$id"
	echo "edited: $output"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = marker=edited ]
}

@test "a container joining a network namespace it does not own: sysfs of that namespace, read-only; its net sysctls set" {
	command -v ip >/dev/null || skip "needs iproute2 (ip netns)"
	ns=hr-it-$$-$RANDOM
	host_before=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
	ip netns add "$ns"
	id=$(new_id netns)
	bundle=$(make_bundle netns 'ls /sys/class/net | tr "\n" " "; echo; cat /proc/sys/net/ipv4/ping_group_range; cat /proc/sys/net/ipv4/ip_unprivileged_port_start; touch /sys/x 2>/dev/null || echo "sysfs read-only"' \
		"(.linux.namespaces[] | select(.type == \"network\")) |= {type: \"network\", path: \"/run/netns/$ns\"}
		 | .linux.sysctl = {\"net.ipv4.ping_group_range\": \"0 10\", \"net.ipv4.ip_unprivileged_port_start\": \"80\"}")
	run hr run --bundle "$bundle" "$id"
	inside_ns=$(ip netns exec "$ns" cat /proc/sys/net/ipv4/ping_group_range)
	host=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
	ip netns del "$ns"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "lo " ] # the namespace's interfaces only
	read -r lo hi <<<"${lines[1]}"
	[ "$lo" = 0 ] && [ "$hi" = 10 ] # the container's gids 0-10
	[ "${lines[2]}" = 80 ]
	[ "${lines[3]}" = "sysfs read-only" ]
	read -r lo hi <<<"$inside_ns"
	[ "$lo" -ge 100000 ] # host gids of the container's range
	[ "$host" = "$host_before" ] # the host's own namespace untouched
}
