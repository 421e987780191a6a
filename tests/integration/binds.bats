#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Bind mounts under the user namespace hardrun adds, with the real runc:
# the source mount's locked flags carried into the bind, and no bind
# through which the container acts as host root on what is not its own.

load helpers

setup() {
	hr_setup
	: >"$BATS_TEST_TMPDIR/.mounts"
}

teardown() {
	hr_teardown
	if [ -f "$BATS_TEST_TMPDIR/.mounts" ]; then
		tac "$BATS_TEST_TMPDIR/.mounts" | while read -r m; do umount -l "$m" 2>/dev/null || true; done
	fi
}

# host_mount DIR ARGS...: `mount ARGS... DIR`, undone in teardown.
host_mount() {
	local dir=$1
	shift
	mkdir -p "$dir"
	mount "$@" "$dir"
	echo "$dir" >>"$BATS_TEST_TMPDIR/.mounts"
}

# mount_opts_at DEST: the per-mount options of DEST in $output (the
# container's /proc/self/mountinfo).
mount_opts_at() {
	printf '%s\n' "$output" | awk -v d="$1" '$5 == d { print $6 }' | tail -n 1
}

has_opt() {
	[[ ",$1," == *",$2,"* ]]
}

@test "locked flags: binds from a noexec,nodev,nosuid tmpfs, a read-only bind and a noatime mount run, flags kept" {
	host_mount "$BATS_TEST_TMPDIR/shm" -t tmpfs -o nosuid,nodev,noexec,size=1m tmpfs
	mkdir -p "$BATS_TEST_TMPDIR/rosrc"
	host_mount "$BATS_TEST_TMPDIR/romnt" --bind "$BATS_TEST_TMPDIR/rosrc"
	mount -o remount,bind,ro "$BATS_TEST_TMPDIR/romnt"
	host_mount "$BATS_TEST_TMPDIR/noatime" -t tmpfs -o noatime,size=1m tmpfs
	id=$(new_id locked)
	# containerd CRI's /dev/shm: rbind,ro; the read-only bind asked rw; the
	# noatime mount asked relatime
	bundle=$(make_bundle locked 'cat /proc/self/mountinfo' "
		.mounts += [{destination: \"/dev/shm\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/shm\", options: [\"rbind\", \"ro\"]},
		            {destination: \"/mnt/ro\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/romnt\", options: [\"rbind\", \"rw\"]},
		            {destination: \"/mnt/noatime\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/noatime\", options: [\"bind\", \"relatime\"]}]")
	run_files hr run --bundle "$bundle" "$id"
	echo "$output $stderr"
	cat "$LOG" || true
	[ "$status" -eq 0 ]
	shm=$(mount_opts_at /dev/shm)
	ro=$(mount_opts_at /mnt/ro)
	na=$(mount_opts_at /mnt/noatime)
	echo "shm=$shm ro=$ro noatime=$na"
	for o in ro nosuid nodev noexec; do has_opt "$shm" "$o"; done
	has_opt "$ro" ro
	has_opt "$na" noatime
	run ! has_opt "$na" relatime
}

# --- host paths the user binds are never idmapped ---------------------------
# Each attack below worked while staging idmapped a bind that was a file,
# said "ro" anywhere, or was rbind'ed: through such a bind the container's
# root acted as host root on the host's files.

# run_bind NAME SCRIPT MOUNTS_JSON: runs SCRIPT in a hardened container with
# the extra mounts; $output, $status as `run`.
run_bind() {
	local bundle id
	id=$(new_id "$1")
	bundle=$(make_bundle "$1" "$2" ".mounts += $3")
	run_files hr run --bundle "$bundle" "$id"
	mapfile -t lines <<<"$output"
	echo "status=$status output: $output"
	echo "stderr: $stderr"
	cat "$LOG" 2>/dev/null || true
	# the spec runc was handed: hardrun's private copy, never the caller's
	HARDENED_SPEC=$(hardened_spec "$id" 2>/dev/null || true)
}

@test "a rw file bind of a root-owned 0644 host file: not writable, owned by nobody inside" {
	echo original >"$BATS_TEST_TMPDIR/hostfile"
	chmod 644 "$BATS_TEST_TMPDIR/hostfile"
	run_bind rwfile 'echo pwned > /etc/hostname 2>/dev/null && echo WROTE || echo refused; stat -c %u /etc/hostname' \
		"[{destination: \"/etc/hostname\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/hostfile\", options: [\"bind\", \"rw\"]}]"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = refused ]
	[ "${lines[1]}" = 65534 ]
	[ "$(cat "$BATS_TEST_TMPDIR/hostfile")" = original ]
}

@test "a ro directory bind: a root-owned 0600 secret in it is not readable" {
	mkdir -p "$BATS_TEST_TMPDIR/secrets"
	echo topsecret >"$BATS_TEST_TMPDIR/secrets/key"
	chmod 600 "$BATS_TEST_TMPDIR/secrets/key"
	run_bind rodir 'cat /mnt/key 2>/dev/null || echo refused' \
		"[{destination: \"/mnt\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/secrets\", options: [\"rbind\", \"ro\"]}]"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = refused ]
	[[ "$output" != *topsecret* ]]
}

@test "options ro then rw are judged as runc applies them (rw): no root-owned setuid binary lands in the host directory" {
	mkdir -p "$BATS_TEST_TMPDIR/hostdir"
	chmod 755 "$BATS_TEST_TMPDIR/hostdir"
	run_bind rorw 'cp /bin/busybox /mnt/sh 2>/dev/null && chmod 4755 /mnt/sh && echo WROTE || echo refused' \
		"[{destination: \"/mnt\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/hostdir\", options: [\"rbind\", \"ro\", \"rw\"]}]"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = refused ]
	[ -z "$(find "$BATS_TEST_TMPDIR/hostdir" -mindepth 1)" ]
	# the hardened spec names only what runc applies
	jq -e '[.mounts[] | select(.destination == "/mnt") | .options[] | select(. == "ro" or . == "rw")] == ["rw"]' "$HARDENED_SPEC"
}

@test "rbind,ro over a directory with a submount: read-only for the submount too" {
	mkdir -p "$BATS_TEST_TMPDIR/tree/sub"
	host_mount "$BATS_TEST_TMPDIR/tree/sub" -t tmpfs -o size=1m,mode=1777 tmpfs
	run_bind rsub 'touch /mnt/sub/x 2>/dev/null && echo WROTE || echo refused; awk "\$5 == \"/mnt/sub\" {print \$6}" /proc/self/mountinfo' \
		"[{destination: \"/mnt\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/tree\", options: [\"rbind\", \"ro\"]}]"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = refused ]
	has_opt "${lines[1]}" ro
	[ ! -e "$BATS_TEST_TMPDIR/tree/sub/x" ]
}

@test "a root-only unix socket bound as a file is not connectable" {
	command -v python3 >/dev/null || skip "needs python3 for the host's socket"
	mkdir -p "$BATS_TEST_TMPDIR/tools"
	"${CC:-cc}" -static -O2 -o "$BATS_TEST_TMPDIR/tools/uconnect" "$BATS_TEST_DIRNAME/uconnect.c" || skip "needs cc -static"
	sock=$BATS_TEST_TMPDIR/root.sock
	python3 -c 'import os, socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o600); s.listen(8)
open(sys.argv[1] + ".ready", "w").close(); time.sleep(60)' "$sock" &
	server=$!
	for _ in $(seq 50); do [ -e "$sock.ready" ] && break; sleep 0.1; done
	# the same tool on the host, as root, connects
	"$BATS_TEST_TMPDIR/tools/uconnect" "$sock"
	run_bind sock '/mnt/uconnect /etc/hostname' \
		"[{destination: \"/mnt\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/tools\", options: [\"rbind\", \"ro\"]},
		  {destination: \"/etc/hostname\", type: \"bind\", source: \"$sock\", options: [\"bind\"]}]"
	kill "$server"
	[ "$status" -ne 0 ]
	[ "${lines[0]}" = "refused: Permission denied" ]
}

# --- bounded staging ---------------------------------------------------------

@test "a spec with 5000 file binds is refused naming bind_options.max_binds; nothing of it is staged" {
	echo data >"$BATS_TEST_TMPDIR/bindsrc"
	id=$(new_id many)
	bundle=$(make_bundle many true "
		.mounts += [range(5000) | {destination: \"/etc/hostname\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/bindsrc\", options: [\"bind\", \"ro\"]}]")
	staged() { awk -v f="$BATS_TEST_TMPDIR/bindsrc" '$4 == f' /proc/self/mountinfo | wc -l; }
	run_files hr run --bundle "$bundle" "$id"
	echo "status=$status $stderr"
	[ "$status" -eq 1 ]
	assert_log_error 'the spec has 5000 bind mounts, more than the policy.s bind_options.max_binds \(1024\)'
	[ "$(staged)" -eq 0 ]
	run ! container_exists "$id"
	run ! grep -rqs "$id" /run/hardrun/ids
	# raised in the policy, hardrun stages them all and runc itself then
	# fails (its netlink message overflows): delete reclaims the staging
	POLICY=$(write_policy '{"profiles": {"default": {"rules": {"bind_options": {"max_binds": 5000}}}}}' many)
	bundle=$(make_bundle many2 'echo ran' "
		.mounts += [range(5000) | {destination: \"/etc/hostname\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/bindsrc\", options: [\"bind\", \"ro\"]}]")
	id2=$(new_id many2)
	run_files hr create --bundle "$bundle" "$id2"
	echo "second: $status $stderr"
	[ "$status" -ne 0 ]
	echo "staged after runc failed: $(staged)"
	hr delete -f "$id2" || true
	[ "$(staged)" -eq 0 ]
	run ! grep -rqs "$id2" /run/hardrun/ids
}

# --- decide on the object ----------------------------------------------------

# flip_creates SOURCE: 30 creates binding SOURCE (the path of a symlink
# flipped all the while between a harmless file and /etc/passwd, as the
# spec names it) at /etc/hostname; none may show /etc/passwd, some must run.
flip_creates() {
	local source=$1 flipper leaked=0 ran=0 i id bundle
	command -v python3 >/dev/null || skip "needs python3 for the flipping loop"
	echo harmless >"$BATS_TEST_TMPDIR/harmless"
	ln -s "$BATS_TEST_TMPDIR/harmless" "$BATS_TEST_TMPDIR/link"
	python3 -c 'import os, sys
link, a, b = sys.argv[1:4]
tmp = link + ".tmp"
for i in range(10**7):
    try: os.unlink(tmp)
    except FileNotFoundError: pass
    os.symlink(a if i % 2 else b, tmp); os.replace(tmp, link)' "$BATS_TEST_TMPDIR/link" "$BATS_TEST_TMPDIR/harmless" /etc/passwd &
	flipper=$!
	for i in $(seq 30); do
		id=$(new_id flip$i)
		bundle=$(make_bundle "flip$i" 'cat /etc/hostname' \
			".mounts += [{destination: \"/etc/hostname\", type: \"bind\", source: \"$source\", options: [\"bind\", \"ro\"]}]")
		run_files hr run --bundle "$bundle" "$id"
		if [ "$status" -eq 0 ]; then
			ran=$((ran + 1))
			[ "$output" = harmless ] || leaked=$((leaked + 1))
		fi
		"$HARDRUN" delete -f "$id" >/dev/null 2>&1 || true
	done
	kill "$flipper"
	echo "ran=$ran leaked=$leaked"
	[ "$leaked" -eq 0 ]
	[ "$ran" -gt 0 ]
}

@test "a symlink flipped between a harmless file and /etc/passwd during 30 creates never gets /etc/passwd mounted" {
	flip_creates "$BATS_TEST_TMPDIR/link"
}

@test "the same flip through a relative bind source (resolved in the bundle) never gets /etc/passwd mounted" {
	# each bundle is $BATS_TEST_TMPDIR/flipN: ../link is the flipped link
	flip_creates ../link
}

@test "the same flip without a user namespace (user_namespace off): the bind is still staged, never /etc/passwd" {
	POLICY=$(write_policy '{"profiles": {"default": {"rules": {"user_namespace": {"action": "off"}}}}}' nouserns)
	flip_creates "$BATS_TEST_TMPDIR/link"
}

# restore reads and stages a spec as create does (no CRIU is needed to see
# it: runc fails afterwards for want of a checkpoint image).
@test "restore stages a bind like create: runc is handed the staged object, never the symlink; delete after the failed restore leaves nothing staged" {
	echo harmless >"$BATS_TEST_TMPDIR/harmless"
	ln -s "$BATS_TEST_TMPDIR/harmless" "$BATS_TEST_TMPDIR/link"
	id=$(new_id restore-bind)
	bundle=$(make_bundle restore-bind 'cat /etc/hostname' \
		".mounts += [{destination: \"/etc/hostname\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/link\", options: [\"bind\", \"ro\"]}]")
	run hr restore --image-path "$BATS_TEST_TMPDIR/no-image" --bundle "$bundle" "$id"
	echo "$output"
	[ "$status" -ne 0 ]
	spec=$(hardened_spec "$id")
	source=$(jq -r '.mounts[] | select(.destination == "/etc/hostname") | .source' "$spec")
	echo "runc was handed $source"
	[[ "$source" == /run/hardrun/stage/* ]]
	[ "$(audit_last_for "$id" | jq -r .command)" = restore ]
	# runc failed after hardrun exec'd it: the engine's delete, as after a
	# failed runc restore, undoes the staging
	stage=${source%/binds/*}
	[ -d "$stage" ]
	hr delete -f "$id"
	[ ! -e "$stage" ]
	run grep -c " $stage/" /proc/self/mountinfo
	[ "$output" = 0 ]
}
