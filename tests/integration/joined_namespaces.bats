#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Namespaces a spec joins by path, with the real runc (issue 12 items 3 and
# 4, issue 14's pod joins):
# - a user namespace joined by path, or implicitly through another process's
#   /proc/PID/ns/X, is accepted only when it is an id range hardrun
#   allocated (a `unshare -r` namespace maps 0 onto host 0 and is refused);
# - a container that joins a hardrun container's namespaces shares its range
#   through a new user namespace with the same mapping, and can join a
#   network namespace the host's user namespace owns (a CNI netns);
# - a namespace path is judged by the object hardrun opened and handed to
#   runc pinned under /run/hardrun: a symlink flipped in a loop between a
#   private netns and the host's never gets a container into the host's.
# Each attack also runs through plain runc (or shows its effect there) so
# that the test is seen able to fail.

load helpers

setup() {
	hr_setup
}

teardown() {
	local pid
	# sleeper runs in a command substitution: its pids come back through a file
	for pid in $(cat "$BATS_TEST_TMPDIR/sleepers" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
	[ -z "${FLIPPER:-}" ] || kill -9 "$FLIPPER" 2>/dev/null || true
	hr_teardown
}

# sleeper ARGS...: a background `unshare ARGS sleep` whose pid (the sleep
# itself, in the new namespaces) is printed once its namespaces exist.
sleeper() {
	local pid i
	unshare "$@" sleep 300 </dev/null >/dev/null 2>&1 &
	pid=$!
	echo "$pid" >>"$BATS_TEST_TMPDIR/sleepers"
	for i in $(seq 50); do
		[ "$(readlink /proc/$pid/exe 2>/dev/null)" = "$(readlink -f "$(command -v sleep)")" ] && break
		sleep 0.05
	done
	echo "$pid"
}

NS_REPORT='echo "uid_map: $(cat /proc/self/uid_map | tr -s " " | sed "s/^ //")"
echo "netns: $(readlink /proc/self/ns/net)"
echo "CapEff: $(sed -n "s/^CapEff:[[:space:]]*//p" /proc/self/status)"'

@test "attack: joining a 0->0 user namespace by path is refused; plain runc runs as host root" {
	pid=$(sleeper -U --map-root-user)
	[ "$(tr -s ' ' </proc/$pid/uid_map | sed 's/^ //')" = "0 0 1" ]
	filter=".linux.namespaces += [{type: \"user\", path: \"/proc/$pid/ns/user\"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 0, size: 1}]
		| .linux.gidMappings = [{containerID: 0, hostID: 0, size: 1}]
		| .mounts |= map(if .type == \"devpts\" then .options -= [\"gid=5\"] else . end)"

	# the route, through plain runc: the container's root is host root
	bundle=$(make_bundle rootns-runc "$NS_REPORT" "$filter" "$(private_rootfs rootns)")
	run runc_ run --bundle "$bundle" "$(new_id rootns-runc)"
	echo "plain runc: $output"
	[ "$status" -eq 0 ]
	[ "$(field uid_map)" = "0 0 1" ]

	bundle=$(make_bundle rootns "$NS_REPORT" "$filter")
	id=$(new_id rootns)
	hr_refused run "$bundle" "$id" "user_namespace: refusing to join the user namespace \"/proc/$pid/ns/user\": it maps uid_map 0 0 1, gid_map 0 0 1"
	[ -z "$(ls /run/hardrun/stage 2>/dev/null | while read -r s; do grep -l "$id" /run/hardrun/ids/"$s" 2>/dev/null; done)" ]
}

@test "attack: a 0->0 user namespace joined implicitly (another process's ipc namespace) is refused" {
	pid=$(sleeper -U --map-root-user -i)
	bundle=$(make_bundle rootipc "$NS_REPORT" \
		".linux.namespaces |= map(if .type == \"ipc\" then .path = \"/proc/$pid/ns/ipc\" else . end)")
	hr_refused run "$bundle" "$(new_id rootipc)" "refusing to join the user namespace \"/proc/$pid/ns/user\""
}

@test "a container that joins a hardrun container's namespaces shares its range and a host-owned netns" {
	# a network namespace the host's user namespace owns, as CNI makes them
	netpid=$(sleeper -n)
	sandbox=$(new_id sandbox)
	bundle=$(make_bundle sandbox 'sleep 300' \
		".linux.namespaces |= map(if .type == \"network\" then .path = \"/proc/$netpid/ns/net\" else . end)")
	run_files hr create --bundle "$bundle" "$sandbox"
	echo "$output $stderr"
	[ "$status" -eq 0 ]
	spid=$(runc_ state "$sandbox" | jq .pid)
	smap=$(tr -s ' ' </proc/$spid/uid_map | sed 's/^ //')

	app=$(new_id app)
	# containerd gives a pod's app containers no hostname: theirs is the sandbox's
	bundle=$(make_bundle app "$NS_REPORT" "del(.hostname) | .linux.namespaces |= map(
		if .type == \"ipc\" or .type == \"uts\" then .path = \"/proc/$spid/ns/\" + .type
		elif .type == \"network\" then .path = \"/proc/$spid/ns/net\" else . end)")
	run hr run --bundle "$bundle" "$app"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field uid_map)" = "$smap" ]
	[ "$(field netns)" = "$(readlink /proc/$netpid/ns/net)" ]
	audit_last_for "$app" | grep -q "shares the id range of container"
	# runc joined the pinned namespaces, not the paths
	jq -e '[.linux.namespaces[] | select(.path) | .path | startswith("/run/hardrun/")] | all' "$(hardened_spec "$app")"
	hr delete -f "$sandbox"
}

@test "attack: a netns symlink flipped in a loop never gets a container into the host's network namespace" {
	netpid=$(sleeper -n)
	private=$(readlink /proc/$netpid/ns/net)
	# this shell runs in the host's namespaces (pid 1's may not be readable)
	host=$(readlink /proc/$$/ns/net)
	link=$BATS_TEST_TMPDIR/netns
	ln -sfn "/proc/$netpid/ns/net" "$link"
	# flip the link between the private netns and the host's, atomically
	(
		while :; do
			ln -sfn "/proc/$$/ns/net" "$link.t" && mv -Tf "$link.t" "$link"
			ln -sfn "/proc/$netpid/ns/net" "$link.t" && mv -Tf "$link.t" "$link"
		done
	) &
	FLIPPER=$!
	bundle=$(make_bundle flip "$NS_REPORT" \
		".linux.namespaces |= map(if .type == \"network\" then .path = \"$link\" else . end)")
	ran=0 refused=0
	for i in $(seq 15); do
		cp "$bundle/config.json.orig" "$bundle/config.json" 2>/dev/null || cp "$bundle/config.json" "$bundle/config.json.orig"
		run hr run --bundle "$bundle" "$(new_id flip)"
		if [ "$status" -eq 0 ]; then
			ran=$((ran + 1))
			echo "run $i: $(field netns)"
			[ "$(field netns)" = "$private" ]
			[ "$(field netns)" != "$host" ]
		else
			refused=$((refused + 1))
			grep -q "host_namespaces" "$LOG"
		fi
	done
	echo "ran $ran, refused $refused"
	[ "$ran" -gt 0 ]
}

@test "a container joining only a hardrun container's own namespaces (docker's container: mode) joins its user namespace: exec works" {
	sandbox=$(new_id own-sandbox)
	bundle=$(make_bundle own-sandbox 'sleep 300')
	run_files hr create --bundle "$bundle" "$sandbox"
	echo "$output $stderr"
	[ "$status" -eq 0 ]
	spid=$(runc_ state "$sandbox" | jq .pid)

	app=$(new_id own-app)
	bundle=$(make_bundle own-app 'sleep 300' "del(.hostname) | .linux.namespaces |= map(
		if .type == \"ipc\" or .type == \"uts\" then .path = \"/proc/$spid/ns/\" + .type
		elif .type == \"network\" then .path = \"/proc/$spid/ns/net\" else . end)")
	run_files hr create --bundle "$bundle" "$app"
	echo "$output $stderr"
	[ "$status" -eq 0 ]
	jq -e '.linux.namespaces[] | select(.type == "user") | .path | startswith("/run/hardrun/")' "$(hardened_spec "$app")"
	hr start "$app"
	apid=$(runc_ state "$app" | jq .pid)
	[ "$(readlink /proc/$apid/ns/user)" = "$(readlink /proc/$spid/ns/user)" ]
	# runc exec joins the user namespace first: the others are its own
	run hr exec "$app" sh -c "$NS_REPORT"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field netns)" = "$(readlink /proc/$spid/ns/net)" ]
	caps_within "$(field CapEff)"
	hr delete -f "$app"
	hr delete -f "$sandbox"
}

# start_in_host_netns NAME: starts a container whose network namespace the
# host's user namespace owns (a CNI or podman netns); sets ID to its id and
# NETPID to the process holding that netns.
start_in_host_netns() {
	local bundle
	NETPID=$(sleeper -n)
	ID=$(new_id "$1")
	bundle=$(make_bundle "$1" 'sleep 300' \
		".linux.namespaces |= map(if .type == \"network\" then .path = \"/proc/$NETPID/ns/net\" else . end)")
	hr create --bundle "$bundle" "$ID" >/dev/null 2>&1 </dev/null
	hr start "$ID"
}

@test "exec into a container whose netns the host owns (a pod, a podman network) runs in that netns, hardened" {
	start_in_host_netns netpod
	id=$ID
	ipid=$(runc_ state "$id" | jq .pid)
	# plain runc 1.1 joins the user namespace first, then fails to join the
	# host-owned netns: the failure this works around
	run runc_ exec "$id" true
	echo "plain runc: $output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"setns into net namespace"* ]]

	run hr exec "$id" sh -c "$NS_REPORT"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field netns)" = "$(readlink /proc/$NETPID/ns/net)" ]
	[ "$(field uid_map)" = "$(tr -s ' ' </proc/$ipid/uid_map | sed 's/^ //')" ]
	caps_within "$(field CapEff)"
	# and every other namespace is the container's, not the host's
	for ns in user mnt pid ipc uts cgroup; do
		run hr exec "$id" readlink /proc/self/ns/$ns
		[ "$status" -eq 0 ]
		[ "$output" = "$(readlink /proc/$ipid/ns/$ns)" ]
	done
	# runc's own record of the container is unchanged on the host, and the
	# copy runc was shown is neither mounted nor left on the host
	jq -e '.config.namespaces | map(.type) | index("NEWNET")' "${RUNC_ROOT:-/run/runc}/$id/state.json"
	run grep -c state.json /proc/self/mountinfo
	[ "$output" = 0 ]
	run ls /run/hardrun
	[[ "$output" != *exec-state* ]]
	hr delete -f "$id"
}

@test "exec into a stopped container whose netns the host owns: nothing joined or shown, runc refuses in its own words" {
	NETPID=$(sleeper -n)
	id=$(new_id netstopped)
	bundle=$(make_bundle netstopped 'true' \
		".linux.namespaces |= map(if .type == \"network\" then .path = \"/proc/$NETPID/ns/net\" else . end)")
	hr create --bundle "$bundle" "$id" >/dev/null 2>&1 </dev/null
	hr start "$id"
	wait_stopped "$id"
	run runc_ exec "$id" true
	plain=$output
	echo "plain runc: $plain"
	[ "$status" -ne 0 ]
	run hr exec "$id" true
	echo "hardrun: $output"
	[ "$status" -ne 0 ]
	# runc's refusal, not a failure of hardrun's joining
	[[ "$output" != *"hardrun:"* ]]
	[[ "$output" == *"cannot exec in a stopped container"* ]]
	[[ "$plain" == *"cannot exec in a stopped container"* ]]
	run grep -c state.json /proc/self/mountinfo
	[ "$output" = 0 ]
}
