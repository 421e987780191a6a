#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# User namespaces through hardrun: every container its own id range, ranges
# never shared between live containers, everything released on removal,
# and an allocation whose hardrun died (or whose runtime failed) reclaimed
# by the next create.  Docker for the engine's view; hardrun create on a
# plain bundle with the real runc for the failure cases.  Engines:
# setup_suite.bash.

load engines

setup() { e2e_require; }
teardown() {
	[ ! -f "$BATS_TEST_TMPDIR/parent" ] || kill "$(cat "$BATS_TEST_TMPDIR/parent")" 2>/dev/null || true
	e2e_cleanup
	runc_cleanup
}

# uid_map_base: the host id of container id 0 in $output ("0 N 65536;").
uid_map_base() { field uid_map | awk '{print $2}'; }

@test "two running containers have disjoint uid and gid ranges" {
	a=$(full_id "$(d run -d --label "$E2E_LABEL" --runtime=hardrun "$E2E_IMAGE" sleep 300)")
	b=$(full_id "$(d run -d --label "$E2E_LABEL" --runtime=hardrun "$E2E_IMAGE" sleep 300)")
	run d exec "$a" sh -c "$PROBE"
	echo "a: $output"
	expect_hardened
	ua=$(uid_map_base) ga=$(field gid_map | awk '{print $2}')
	run d exec "$b" sh -c "$PROBE"
	echo "b: $output"
	expect_hardened
	ub=$(uid_map_base) gb=$(field gid_map | awk '{print $2}')
	echo "uids $ua $ub, gids $ga $gb"
	[ $((ua > ub ? ua - ub : ub - ua)) -ge 65536 ]
	[ $((ga > gb ? ga - gb : gb - ga)) -ge 65536 ]
	# the host sees the same: the container processes run as their range
	pa=$(d inspect -f '{{.State.Pid}}' "$a")
	[ "$(awk '/^Uid:/ {print $2}' /proc/"$pa"/status)" -eq "$ua" ]
	[ "$(hr_entry_ids "$DOCKER_RUNC_ROOT" | grep -cx -e "$a" -e "$b")" -eq 2 ]
	d rm -f "$a" "$b"
	expect_released "$DOCKER_RUNC_ROOT" "$a" "$b"
}

@test "64 containers run in parallel get 64 distinct ranges; all released afterwards" {
	# All 64 are alive at once (each waits until all have reported), so
	# distinct ranges are required, not just likely.
	meet=$BATS_TEST_TMPDIR/meet
	mkdir -p "$meet" && chmod 1777 "$meet"
	script='m=$(cat /proc/self/uid_map | awk "{print \$1, \$2, \$3}")
		echo "uid_map: $m"; echo "$m" >/var/tmp/$(hostname)
		for i in $(seq 600); do [ "$(ls /var/tmp | wc -l)" -ge 64 ] && exit 0; sleep 0.1; done; exit 3'
	pids=()
	for i in $(seq 64); do
		drun -v "$meet:/var/tmp" "$E2E_IMAGE" sh -c "$script" >"$BATS_TEST_TMPDIR/out.$i" 2>&1 &
		pids+=($!)
	done
	failed=0
	for i in $(seq 64); do
		wait "${pids[$((i - 1))]}" || { failed=$((failed + 1)); echo "run $i: $(cat "$BATS_TEST_TMPDIR/out.$i")"; }
	done
	[ "$failed" -eq 0 ]
	cat "$BATS_TEST_TMPDIR"/out.* | sed -n 's/^uid_map: //p' | sort >"$BATS_TEST_TMPDIR/maps"
	echo "bases: $(awk '{print $2}' "$BATS_TEST_TMPDIR/maps" | sort -n | tr '\n' ' ')"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/maps")" -eq 64 ]
	[ "$(sort -u "$BATS_TEST_TMPDIR/maps" | wc -l)" -eq 64 ]
	# every one a private 65536-id range, none overlapping (sorted by base)
	awk '$1 != 0 || $2 == 0 || $3 != 65536 { print "bad map: " $0; bad = 1 } END { exit bad }' "$BATS_TEST_TMPDIR/maps"
	sort -n -k2 "$BATS_TEST_TMPDIR/maps" | awk 'NR > 1 && $2 < prev + 65536 { print "overlap at " $2; bad = 1 } { prev = $2 } END { exit bad }'
	# --rm: all gone, nothing held
	wait_for 30 sh -c "[ -z \"\$(timeout 10 $DOCKER ps -aq --filter label=$E2E_LABEL)\" ]"
	[ -z "$(hr_entry_ids "$DOCKER_RUNC_ROOT")" ]
	expect_hr_state_clean
}

@test "100 create/start/remove cycles leave the mount table as it was" {
	mount_targets >"$BATS_TEST_TMPDIR/before"
	: >"$BATS_TEST_TMPDIR/held"
	lane() {
		local i id
		for i in $(seq 25); do
			id=$(d create --label "$E2E_LABEL" --runtime=hardrun "$E2E_IMAGE" sleep 300) || return 1
			d start "$id" >/dev/null || return 1
			# while it runs it holds a range
			grep -qx "$id" "$HR_STATE"/ids/* 2>/dev/null && echo "$id" >>"$BATS_TEST_TMPDIR/held"
			d rm -f "$id" >/dev/null || return 1
		done
	}
	pids=()
	for l in 1 2 3 4; do lane & pids+=($!); done
	for p in "${pids[@]}"; do wait "$p"; done
	[ "$(wc -l <"$BATS_TEST_TMPDIR/held")" -eq 100 ]
	mount_targets >"$BATS_TEST_TMPDIR/after"
	run diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$(hr_entry_ids "$DOCKER_RUNC_ROOT")" ]
	expect_hr_state_clean
}

# ---------------------------------------------------------------------------
# failures between allocation and the container: hardrun create on a plain
# bundle (busybox rootfs) with the real runc, in a runc root of the test's

RUNC_ROOT=
runc_setup() {
	RUNC_ROOT=$BATS_TEST_TMPDIR/runc-root
	AUDIT=$BATS_TEST_TMPDIR/audit.jsonl
	mkdir -p "$RUNC_ROOT"
	busybox_rootfs "$BATS_TEST_TMPDIR/rootfs"
	echo "$RUNC_ROOT" >"$BATS_TEST_TMPDIR/.runc-root"
}

# bundle NAME ARGS_JSON: make_bundle (helpers.bash) on the test's rootfs,
# running ARGS.
bundle() {
	make_bundle "$1" "" ".process.args = $2" "$BATS_TEST_TMPDIR/rootfs"
}

# policy NAME [RUNTIME]: write_policy (helpers.bash): the test's audit log,
# the real runc or RUNTIME.
policy() {
	write_policy "$(jq -cn --arg rt "${2:-}" 'if $rt == "" then {} else {runtime: $rt} end')" "$1"
}

hr() { timeout --kill-after=5 60 "$HR_BIN" "$@"; }

# hr_create POLICY BUNDLE ID: a container that stays: its init keeps the
# stdio it was given, so that is not bats' output pipe.
hr_create() {
	if ! hr --hardrun-policy="$1" --root "$RUNC_ROOT" create --bundle "$2" "$3" </dev/null >"$BATS_TEST_TMPDIR/$3.out" 2>&1; then
		echo "hardrun create $3 failed: $(cat "$BATS_TEST_TMPDIR/$3.out")" >&2
		return 1
	fi
}

runc_cleanup() {
	local root id
	[ -f "$BATS_TEST_TMPDIR/.runc-root" ] || return 0
	root=$(cat "$BATS_TEST_TMPDIR/.runc-root")
	for id in "$root"/*; do
		[ -d "$id" ] || continue
		id=$(basename "$id")
		timeout 30 runc --root "$root" kill "$id" KILL >/dev/null 2>&1 || true
		timeout 30 "$HR_BIN" --root "$root" delete -f "$id" >/dev/null 2>&1 || true
	done
	return 0
}

# slot_of ROOT ID: the slot of the entry of ID (empty when none).  Another
# hardrun on the host may free an entry while this reads.
slot_of() {
	local f
	for f in "$HR_STATE"/ids/*; do
		[ -f "$f" ] || continue
		if [ "$(sed -n 1p "$f" 2>/dev/null)" = "$1" ] && [ "$(sed -n 2p "$f" 2>/dev/null)" = "$2" ]; then basename "$f"; fi
	done
	return 0
}

# allocated ID: the test's audit log has the create of ID with an idmapped
# rootfs set up (hardrun writes it after staging, just before the exec).
allocated() {
	[ -f "$BATS_TEST_TMPDIR/audit.jsonl" ] &&
		jq -e --arg id "$1" 'select(.container == $id and .command == "create") | .userns_setup_us >= 0' \
			"$BATS_TEST_TMPDIR/audit.jsonl" | grep -q true
}

@test "SIGKILL of hardrun between allocation and exec: the next create reclaims the range and its mounts" {
	runc_setup
	# a bundle each: create rewrites config.json (a fresh one per create, as
	# the engines write it)
	b=$(bundle b '["true"]')
	bb=$(bundle bb '["true"]')
	# the "runtime" hardrun execs kills itself: hardrun's process (same pid,
	# after exec) dies after allocating and staging, before any runc ran
	printf '#!/bin/sh\nkill -9 $$\n' >"$BATS_TEST_TMPDIR/die.sh"
	chmod +x "$BATS_TEST_TMPDIR/die.sh"
	run hr --hardrun-policy="$(policy die "$BATS_TEST_TMPDIR/die.sh")" --root "$RUNC_ROOT" create --bundle "$b" dead1
	echo "status $status: $output"
	[ "$status" -eq 137 ]
	# it had allocated and staged: create writes its audit line just before
	# the exec, with the time the user-namespace setup took
	allocated dead1
	slot1=$(slot_of "$RUNC_ROOT" dead1)
	if [ -n "$slot1" ]; then
		echo "dead1 left slot $slot1: $(tr '\n' ' ' <"$HR_STATE/ids/$slot1")"
		[ -n "$(grep " $HR_STATE/stage/$slot1/" /proc/self/mountinfo)" ]
	else
		echo "note: another hardrun create on this host reclaimed dead1 already"
	fi

	# a runtime that hangs, killed from outside (SIGKILL) while it waits;
	# its parent does not reap it, so the allocating pid stays a zombie
	# (as when the engine that ran hardrun is gone and pid 1 does not reap)
	printf '#!/bin/sh\nexec sleep 60\n' >"$BATS_TEST_TMPDIR/hang.sh"
	chmod +x "$BATS_TEST_TMPDIR/hang.sh"
	hang=$(policy hang "$BATS_TEST_TMPDIR/hang.sh")
	sh -c "'$HR_BIN' --hardrun-policy='$hang' --root '$RUNC_ROOT' create --bundle '$bb' dead2 </dev/null >/dev/null 2>&1 &
		echo \$! >'$BATS_TEST_TMPDIR/hpid'; exec sleep 60" 3>&- &
	echo "$!" >"$BATS_TEST_TMPDIR/parent"
	wait_for 20 allocated dead2
	hpid=$(cat "$BATS_TEST_TMPDIR/hpid")
	kill -KILL "$hpid"
	wait_for 10 sh -c "[ \"\$(awk '{print \$3}' /proc/$hpid/stat)\" = Z ]"
	echo "hardrun $hpid: $(cat /proc/$hpid/stat | cut -d' ' -f1-3)"
	# dead2's create was the next one for dead1: its entry and mounts are
	# gone (its slot may have been handed to dead2)
	[ -z "$(slot_of "$RUNC_ROOT" dead1)" ]
	slot2=$(slot_of "$RUNC_ROOT" dead2)
	echo "dead2 left slot $slot2"
	if [ -n "$slot1" ] && [ "$slot2" != "$slot1" ]; then
		[ -z "$(grep " $HR_STATE/stage/$slot1[/ ]" /proc/self/mountinfo)" ]
	fi
	expect_no_orphans

	# the next create, with the real runc
	b2=$(bundle b2 '["sleep", "300"]')
	hr_create "$(policy real)" "$b2" live
	kill "$(cat "$BATS_TEST_TMPDIR/parent")" 2>/dev/null || true
	[ -z "$(slot_of "$RUNC_ROOT" dead1)" ]
	[ -z "$(slot_of "$RUNC_ROOT" dead2)" ]
	live=$(slot_of "$RUNC_ROOT" live)
	[ -n "$live" ]
	expect_no_orphans
	# the reclaimed slots' mounts are gone (unless the live one took a slot over)
	for s in "$slot1" "$slot2"; do
		[ "$s" = "$live" ] || [ -z "$(grep " $HR_STATE/stage/$s[/ ]" /proc/self/mountinfo)" ]
	done
	# and the live container works, hardened
	runc --root "$RUNC_ROOT" start live
	run runc --root "$RUNC_ROOT" exec live sh -c "$PROBE"
	echo "$output"
	# `runc spec` asks for AUDIT_WRITE, KILL, NET_BIND_SERVICE: the last two stay
	expect_hardened 0000000000000420
	hr --root "$RUNC_ROOT" delete -f live
	[ -z "$(hr_entry_ids "$RUNC_ROOT")" ]
	expect_no_orphans
	[ -z "$(grep " $HR_STATE/stage/$live[/ ]" /proc/self/mountinfo)" ]
}

@test "a runtime that fails after the rewrite (no such executable) leaves nothing after the next create" {
	runc_setup
	b=$(bundle bad '["/nonexistent-binary"]')
	run hr --hardrun-policy="$(policy real)" --root "$RUNC_ROOT" create --bundle "$b" broken
	echo "status $status: $output"
	[ "$status" -ne 0 ]
	[[ "$output" == *nonexistent-binary* ]]
	[ ! -e "$RUNC_ROOT/broken" ]
	# the same through `run`
	b1=$(bundle bad-run '["/nonexistent-binary"]')
	run hr --hardrun-policy="$(policy real)" --root "$RUNC_ROOT" run --bundle "$b1" broken-run
	echo "status $status: $output"
	[ "$status" -ne 0 ]

	b2=$(bundle ok '["sleep", "300"]')
	hr_create "$(policy real)" "$b2" next
	[ "$(hr_entry_ids "$RUNC_ROOT")" = next ]
	expect_no_orphans
	hr --root "$RUNC_ROOT" delete -f next
	[ -z "$(hr_entry_ids "$RUNC_ROOT")" ]
	expect_no_orphans
	[ -z "$(grep "$BATS_TEST_TMPDIR" /proc/self/mountinfo)" ]
}

@test "running the same bundle again (runc's usual workflow) gets a range and rootfs of its own" {
	runc_setup
	# create rewrites config.json in place; runc users run a bundle again
	cp -a "$BATS_TEST_TMPDIR/rootfs" "$BATS_TEST_TMPDIR/rootfs-y"
	echo "I am X" >"$BATS_TEST_TMPDIR/rootfs/whoami"
	echo "I am Y" >"$BATS_TEST_TMPDIR/rootfs-y/whoami"
	bx=$(bundle x '["sh", "-c", "echo \"whoami: $(cat /whoami)\"; echo \"uid_map: $(awk \"{print \\$1, \\$2, \\$3}\" /proc/self/uid_map)\""]')
	by=$(bundle y '["sleep", "300"]')
	jq --arg root "$BATS_TEST_TMPDIR/rootfs-y" '.root.path = $root' "$by/config.json" >"$by/c" && mv "$by/c" "$by/config.json"
	pol=$(policy real)

	run hr --hardrun-policy="$pol" --root "$RUNC_ROOT" run --bundle "$bx" x1 </dev/null
	echo "x1: $output"
	[ "$status" -eq 0 ]
	[ "$(field whoami)" = "I am X" ]
	# x1 is gone and released; y takes a range (possibly the one x1 had)
	hr_create "$pol" "$by" y
	ybase=$(awk '{print $2}' /proc/"$(jq -r .init_process_pid "$RUNC_ROOT/y/state.json")"/uid_map)
	echo "y runs with host uid base $ybase"

	run hr --hardrun-policy="$pol" --root "$RUNC_ROOT" run --bundle "$bx" x2 </dev/null
	echo "x2: $output"
	[ "$status" -eq 0 ]
	# its own image, and a range no other live container has
	[ "$(field whoami)" = "I am X" ]
	[ "$(field uid_map | awk '{print $2}')" != "$ybase" ]
}
