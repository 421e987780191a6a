#!/usr/bin/env bats
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
