#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The id-range allocator against real runc: two live containers never share
# host ids, however the runtime root is spelled (issue 12 item 5), whatever
# the profiles' sizes (issue 13 item 7), however long a container that
# joined another's user namespace outlives it (issue 13 item 8), and never
# on ids /etc/subuid or /etc/subgid delegate to someone else (issue 12 item
# 11).  Each test reads the uid_map of the live inits themselves.

load helpers

setup() {
	hr_setup
	SUBID_BACKUP=$BATS_TEST_TMPDIR/subid-backup
}

teardown() {
	# a process a test made join a container's user namespace
	[ -n "${JOINER:-}" ] && kill "$JOINER" 2>/dev/null
	restore_subids
	hr_teardown
}

# An id pool no default, engine or other suite uses: the tests own it.
TEST_POOL_BASE=2000000000

# init_uid_map ID [ROOT]: "inside outside count" of the container's init.
init_uid_map() {
	local pid
	pid=$("$RUNC" ${2:+--root "$2"} state "$1" | jq -r .pid)
	[ -n "$pid" ] && [ "$pid" -gt 0 ] || return 1
	awk '{print $1, $2, $3}' "/proc/$pid/uid_map"
}

# disjoint "IN OUT COUNT" "IN OUT COUNT": the two host id spans share nothing.
disjoint() {
	local a_out a_n b_out b_n
	read -r _ a_out a_n <<<"$1"
	read -r _ b_out b_n <<<"$2"
	echo "spans $a_out+$a_n and $b_out+$b_n"
	[ -n "$a_out" ] && [ -n "$b_out" ]
	((a_out + a_n <= b_out || b_out + b_n <= a_out))
}

# delegate LINE: adds a line to /etc/subuid and /etc/subgid, restored (or
# removed when they did not exist) in teardown, whatever happens.
delegate() {
	local f
	for f in /etc/subuid /etc/subgid; do
		if [ ! -e "$SUBID_BACKUP$(basename "$f")" ]; then
			if [ -e "$f" ]; then cp -a "$f" "$SUBID_BACKUP$(basename "$f")"; else echo ABSENT >"$SUBID_BACKUP$(basename "$f")"; fi
		fi
		echo "$1" >>"$f"
	done
}

restore_subids() {
	local f saved
	for f in /etc/subuid /etc/subgid; do
		saved=$SUBID_BACKUP$(basename "$f")
		[ -e "$saved" ] || continue
		if [ "$(cat "$saved")" = ABSENT ]; then rm -f "$f"; else cp -a "$saved" "$f"; fi
		rm -f "$saved"
	done
}

# hr_at DIR ROOT ARGS...: hardrun run from working directory DIR with --root ROOT.
hr_at() {
	local dir=$1 root=$2
	shift 2
	(cd "$dir" && "$HARDRUN" --hardrun-policy "$POLICY" --log "$LOG" --log-format json --root "$root" "$@") \
		</dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/.hr_at.err"
}

@test "a relative or empty --root from two working directories: both containers live, their ranges disjoint" {
	local spelling
	# runc makes a relative root absolute against the working directory;
	# "" it resolves only after create entered the bundle: the bundle
	# directory (and for delete, the working directory)
	for spelling in state ""; do
		d1=$BATS_TEST_TMPDIR/cwd1-${spelling:-empty} d2=$BATS_TEST_TMPDIR/cwd2-${spelling:-empty}
		mkdir -p "$d1" "$d2"
		a=$(new_id rel-a) b=$(new_id rel-b)
		bundle_a=$(make_bundle "ra-${spelling:-empty}" "sleep 60")
		bundle_b=$(make_bundle "rb-${spelling:-empty}" "sleep 60")
		hr_at "$d1" "$spelling" create --bundle "$bundle_a" "$a"
		# the first create's process is gone: only runc's state under the
		# normalized root says the container lives
		hr_at "$d2" "$spelling" create --bundle "$bundle_b" "$b"
		if [ -n "$spelling" ]; then
			root_a=$d1/$spelling root_b=$d2/$spelling del_a=$d1 del_b=$d2
		else
			root_a=$bundle_a root_b=$bundle_b del_a=$bundle_a del_b=$bundle_b
		fi
		map_a=$(init_uid_map "$a" "$root_a")
		map_b=$(init_uid_map "$b" "$root_b")
		disjoint "$map_a" "$map_b"
		grep -qx -- "$root_a" "$(grep -lx -- "$a" /run/hardrun/ids/*)"
		# delete with the same spelling from where runc finds it releases the range
		hr_at "$del_a" "$spelling" delete -f "$a"
		hr_at "$del_b" "$spelling" delete -f "$b"
		run ! grep -rqs -e "$a" -e "$b" /run/hardrun/ids
		# and their private bundles go with them (keyed by the root runc
		# uses, not by how it was spelled)
		[ -z "$(find /run/hardrun/bundles -mindepth 2 -maxdepth 2 \( -name "$a.*" -o -name "$b.*" \))" ]
	done
}

@test "a runtime root with a newline is refused" {
	id=$(new_id nl)
	run_files hr_at "$BATS_TEST_TMPDIR" $'st\nx' create --bundle "$(make_bundle nl "sleep 60")" "$id"
	[ "$status" -ne 0 ]
	assert_log_error 'contains a newline'
}

@test "the id state is root's alone" {
	id=$(new_id perm)
	bundle=$(make_bundle perm "sleep 60")
	hr create --bundle "$bundle" "$id" </dev/null >/dev/null
	[ "$(stat -c %a /run/hardrun/ids)" = 700 ]
	entry=$(grep -l -- "$id" /run/hardrun/ids/*)
	[ "$(stat -c %a "$entry")" = 600 ]
	hr delete -f "$id"
}

@test "a 131072-id profile and the default profile, alive at once: disjoint ranges" {
	POLICY=$(write_policy "{\"profiles\": {\"default\": {\"rules\": {\"user_namespace\": {\"host_uid\": $TEST_POOL_BASE, \"host_gid\": $TEST_POOL_BASE, \"ranges\": 8}}},
		\"big\": {\"rules\": {\"user_namespace\": {\"host_uid\": $TEST_POOL_BASE, \"host_gid\": $TEST_POOL_BASE, \"size\": 131072, \"ranges\": 4}}}}}" sizes)
	big=$(new_id big) small=$(new_id small) small2=$(new_id small2)
	hr --hardrun-profile big create --bundle "$(make_bundle big "sleep 60")" "$big" </dev/null >/dev/null
	hr create --bundle "$(make_bundle small "sleep 60")" "$small" </dev/null >/dev/null
	hr create --bundle "$(make_bundle small2 "sleep 60")" "$small2" </dev/null >/dev/null
	map_big=$(init_uid_map "$big")
	map_small=$(init_uid_map "$small")
	map_small2=$(init_uid_map "$small2")
	[ "$(echo "$map_big" | awk '{print $3}')" = 131072 ]
	disjoint "$map_big" "$map_small"
	disjoint "$map_big" "$map_small2"
	disjoint "$map_small" "$map_small2"
}

@test "plan, then apply: a refused container never reserves a range, so a full pool still names the real refusal" {
	POLICY=$(write_policy "{\"profiles\": {\"default\": {\"rules\": {\"user_namespace\": {\"host_uid\": $TEST_POOL_BASE, \"host_gid\": $TEST_POOL_BASE, \"ranges\": 2}}}}}" two)
	first=$(new_id first) second=$(new_id second) refused=$(new_id refused) late=$(new_id late)
	hr create --bundle "$(make_bundle first "sleep 60")" "$first" </dev/null >/dev/null
	hr create --bundle "$(make_bundle second "sleep 60")" "$second" </dev/null >/dev/null
	# the rule plans the policy's first range; the second container got the
	# other one, and its audit names the ids it really has
	second_uid=$(init_uid_map "$second" | awk '{print $2}')
	[ "$second_uid" = $((TEST_POOL_BASE + 65536)) ]
	grep "\"$second\"" "$AUDIT" | grep -q "mapped to host uids $second_uid-$((second_uid + 65535)) and gids $second_uid-"
	# the pool is full: a container the policy refuses is told why it is
	# refused, not that no range was free (the range used to be reserved
	# while the rules ran, before the denial was known)
	run hr create --bundle "$(make_bundle refused "true" '.linux.namespaces |= map(select(.type != "pid"))')" "$refused"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"host_namespaces"* ]]
	[[ "$output" != *"no free range"* ]]
	refute grep -rqs -e "$refused" /run/hardrun/ids
	# a container the policy accepts does need a range, and there is none
	run hr create --bundle "$(make_bundle late "true")" "$late"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"no free range"* ]]
	refute grep -rqs -e "$late" /run/hardrun/ids
}

@test "a container that joined another's user namespace keeps its range after the other is deleted" {
	# a pool of one range: whatever order ranges are handed out in, the
	# only one there is must stay taken while the joiner runs in it
	POLICY=$(write_policy "{\"profiles\": {\"default\": {\"rules\": {\"user_namespace\": {\"host_uid\": $TEST_POOL_BASE, \"host_gid\": $TEST_POOL_BASE, \"ranges\": 1}}}}}" pool1)
	owner=$(new_id owner) joiner=$(new_id joiner) next=$(new_id next) later=$(new_id later)
	hr create --bundle "$(make_bundle owner "sleep 60")" "$owner" </dev/null >/dev/null
	owner_pid=$("$RUNC" state "$owner" | jq -r .pid)
	# like docker run --network container:owner
	hr create --bundle "$(make_bundle joiner "sleep 60" \
		".linux.namespaces |= map(if .type == \"network\" then .path = \"/proc/$owner_pid/ns/net\" else . end)")" \
		"$joiner" </dev/null >/dev/null
	map_joiner=$(init_uid_map "$joiner")
	[ "$map_joiner" = "$(init_uid_map "$owner")" ]
	hr delete -f "$owner"
	run_files hr create --bundle "$(make_bundle next "sleep 60")" "$next"
	echo "next: $status $(cat "$LOG" | tail -n 1)"
	if [ "$status" -eq 0 ]; then
		disjoint "$map_joiner" "$(init_uid_map "$next")"
	fi
	assert_log_error 'no free range'
	# the joiner's entry holds the range after its owner is gone
	grep -q " join$" "$(grep -l -- "$joiner" /run/hardrun/ids/*)"
	# once the joiner is gone too, the range is free again
	hr delete -f "$joiner"
	hr create --bundle "$(make_bundle later "sleep 60")" "$later" </dev/null >/dev/null
	[ "$(init_uid_map "$later")" = "$map_joiner" ]
}

@test "ids /etc/subuid delegates to another user are never handed out; a pool they consume fails naming the owner" {
	POLICY=$(write_policy "{\"profiles\": {\"default\": {\"rules\": {\"user_namespace\": {\"host_uid\": $TEST_POOL_BASE, \"host_gid\": $TEST_POOL_BASE, \"ranges\": 2}}}}}" pool2)
	delegate "hrtest-alice:$TEST_POOL_BASE:65536"
	id=$(new_id deleg)
	hr create --bundle "$(make_bundle deleg "sleep 60")" "$id" </dev/null >/dev/null
	map=$(init_uid_map "$id")
	echo "map $map"
	disjoint "$map" "0 $TEST_POOL_BASE 65536"
	hr delete -f "$id"
	# the second range goes to another user too: nothing is left
	delegate "hrtest-bob:$((TEST_POOL_BASE + 65536)):65536"
	id2=$(new_id deleg2)
	run_files hr create --bundle "$(make_bundle deleg2 "sleep 60")" "$id2"
	[ "$status" -ne 0 ]
	assert_log_error 'no free range .*hrtest-alice.*hrtest-bob'
	run ! container_exists "$id2"
}

# kernel_record SECONDS.MS UID SYSCALL_NR CODE: a seccomp record as dmesg shows it.
kernel_record() {
	echo "[ 1.0] audit: type=1326 audit($1:7): auid=4294967295 uid=$2 gid=$2 ses=4294967295 subj=unconfined pid=4242 comm=\"sh\" exe=\"/bin/busybox\" sig=0 arch=c000003e syscall=$3 compat=0 ip=0x4b2f1d code=$4"
}

@test "seccomp learn: a later container in the same range, and other actions, add nothing to a container's profile" {
	# issue 13 item 9: the first container ran in range 2000000000+65536
	# from t0 and was deleted; a second one got the same range at t1 and
	# its engine profile logs ptrace (SCMP_ACT_LOG too)
	local t0=1795643800 t1=1795643900 uid=$((TEST_POOL_BASE + 5))
	audit=$BATS_TEST_TMPDIR/learn-audit.jsonl kernel=$BATS_TEST_TMPDIR/kernel.log
	range="{\"host_uid\": $TEST_POOL_BASE, \"host_gid\": $TEST_POOL_BASE, \"size\": 65536}"
	echo "{\"time\": \"2026-11-20T00:00:00.000000Z\", \"command\": \"create\", \"container\": \"first\", \"id_range\": $range}" >"$audit"
	jq -cn --arg t "$(date -u -d "@$t0" +%Y-%m-%dT%H:%M:%S).500000Z" --argjson r "$range" \
		'{time: $t, command: "create", container: "first", id_range: $r}' >>"$audit"
	jq -cn --arg t "$(date -u -d "@$t1" +%Y-%m-%dT%H:%M:%S).000000Z" --argjson r "$range" \
		'{time: $t, command: "create", container: "second", id_range: $r}' >>"$audit"
	{
		kernel_record "$((t0 - 10)).000" "$uid" 169 0x7ffc0000 # reboot, before the first's create
		kernel_record "$t0.400" "$uid" 165 0x7ffc0000          # mount, in the create's second, before it
		kernel_record "$((t0 + 1)).000" "$uid" 79 0x7ffc0000   # getcwd: the first container's
		kernel_record "$((t0 + 2)).000" "$uid" 161 0x00050001  # chroot, an errno the kernel logged
		kernel_record "$((t0 + 3)).000" "$uid" 62 0x80000000   # kill, a kill action
		kernel_record "$t1.000" "$uid" 101 0x7ffc0000          # ptrace: the second's
		kernel_record "$((t1 + 1)).000" "$uid" 311 0x7ffc0000  # process_vm_writev: the second's
	} >"$kernel"
	out=$BATS_TEST_TMPDIR/learned.json
	run "$HARDRUN" seccomp learn --container first --audit-log "$audit" --kernel-log "$kernel" --output "$out"
	echo "$output"
	[ "$status" -eq 0 ]
	names=$(jq -c '.syscalls[0].names' "$out")
	echo "$names"
	jq -e 'index("getcwd") != null' <<<"$names"
	for bad in reboot mount chroot kill ptrace process_vm_writev; do
		jq -e --arg b "$bad" 'index($b) == null' <<<"$names"
	done
	# the second container's own window still learns its calls
	run "$HARDRUN" seccomp learn --container second --audit-log "$audit" --kernel-log "$kernel"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"ptrace"'* ]]
}

@test "seccomp learn --output never writes through a symlink" {
	audit=$BATS_TEST_TMPDIR/learn-audit.jsonl kernel=$BATS_TEST_TMPDIR/kernel.log
	jq -cn --argjson base "$TEST_POOL_BASE" \
		'{time: "2026-11-25T00:00:00.000000Z", command: "create", container: "c", id_range: {host_uid: $base, host_gid: $base, size: 65536}}' >"$audit"
	kernel_record "1795643900.000" "$TEST_POOL_BASE" 79 0x7ffc0000 >"$kernel"
	victim=$BATS_TEST_TMPDIR/victim
	echo precious >"$victim"
	ln -s "$victim" "$BATS_TEST_TMPDIR/out.json"
	run "$HARDRUN" seccomp learn --container c --audit-log "$audit" --kernel-log "$kernel" --output "$BATS_TEST_TMPDIR/out.json"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(cat "$victim")" = precious ]
	[ ! -L "$BATS_TEST_TMPDIR/out.json" ]
	jq -e '.syscalls[0].names | index("getcwd") != null' "$BATS_TEST_TMPDIR/out.json"
}

@test "a --criu binary anyone can replace is refused for checkpoint and restore" {
	criu=$BATS_TEST_TMPDIR/criu
	printf '#!/bin/sh\ntouch %s/criu-ran\n' "$BATS_TEST_TMPDIR" >"$criu"
	chmod 0777 "$criu"
	id=$(new_id criu)
	run hr --criu "$criu" checkpoint "$id"
	[ "$status" -ne 0 ]
	assert_log_error 'the criu binary .* is not trusted'
	run hr --criu "$criu" restore --bundle "$(make_bundle criu true)" "$id"
	[ "$status" -ne 0 ]
	assert_log_error 'the criu binary .* is not trusted'
	[ ! -e "$BATS_TEST_TMPDIR/criu-ran" ]
	# found through PATH the same way
	run env PATH="$BATS_TEST_TMPDIR:$PATH" "$HARDRUN" --hardrun-policy "$POLICY" --log "$LOG" --log-format json checkpoint "$id"
	[ "$status" -ne 0 ]
	assert_log_error 'the criu binary .* is not trusted'
}

@test "a deleted container's range is handed out last: the next create, another process, takes the next range" {
	POLICY=$(write_policy "{\"profiles\": {\"default\": {\"rules\": {\"user_namespace\": {\"host_uid\": $TEST_POOL_BASE, \"host_gid\": $TEST_POOL_BASE, \"ranges\": 4}}}}}" rotate)
	first=$(new_id first) second=$(new_id second)
	hr create --bundle "$(make_bundle first "sleep 60")" "$first" </dev/null >/dev/null
	map_first=$(init_uid_map "$first")
	hr delete -f "$first" </dev/null >/dev/null
	hr create --bundle "$(make_bundle second "sleep 60")" "$second" </dev/null >/dev/null
	map_second=$(init_uid_map "$second")
	echo "first $map_first, second $map_second"
	[ -n "$map_first" ] && [ -n "$map_second" ]
	[ "$(echo "$map_first" | awk '{print $2}')" != "$(echo "$map_second" | awk '{print $2}')" ]
}

@test "ATTACK: a process that joined a deleted container's user namespace keeps its ids taken: a pool of one range refuses the next container until it is gone" {
	POLICY=$(write_policy "{\"profiles\": {\"default\": {\"rules\": {\"user_namespace\": {\"host_uid\": $TEST_POOL_BASE, \"host_gid\": $TEST_POOL_BASE, \"ranges\": 1}}}}}" single)
	first=$(new_id first) second=$(new_id second)
	hr create --bundle "$(make_bundle first "sleep 60")" "$first" </dev/null >/dev/null
	pid=$(runc_ state "$first" | jq -r .pid)
	# joined behind hardrun's back (an exec that outlived its init does the same)
	nsenter --user --target "$pid" sleep 60 </dev/null >/dev/null 2>&1 3>&- &
	JOINER=$!
	for _ in $(seq 50); do
		[ "$(readlink "/proc/$JOINER/ns/user")" = "$(readlink "/proc/$pid/ns/user")" ] && break
		sleep 0.1
	done
	[ "$(readlink "/proc/$JOINER/ns/user")" = "$(readlink "/proc/$pid/ns/user")" ]
	hr delete -f "$first" </dev/null >/dev/null
	# the container's entry is gone; the joiner still maps the pool's only range
	# (into a file: a container that did start would hold a pipe open)
	refute hr create --bundle "$(make_bundle second "sleep 60")" "$second" </dev/null >"$BATS_TEST_TMPDIR/refused" 2>&1
	cat "$BATS_TEST_TMPDIR/refused"
	grep -q "no free range" "$BATS_TEST_TMPDIR/refused"
	refute runc_ state "$second"
	kill "$JOINER"
	wait "$JOINER" || true
	# once it is gone, the range is free again
	hr create --bundle "$BATS_TEST_TMPDIR/second" "$second" </dev/null >/dev/null
	[ "$(init_uid_map "$second" | awk '{print $2}')" = "$TEST_POOL_BASE" ]
}
