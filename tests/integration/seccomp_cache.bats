#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The compiled-profile cache under /var/cache/hardrun/seccomp
# (runtime/seccomp_cache.c) spares create the libseccomp compile of a
# profile it has seen, across reboots.  Attacks: an entry swapped for a
# permissive filter (digest left as it was, or recomputed under another
# profile's key), a truncated entry, a cache directory others can write.
# Each is asserted on the cache (the entry is ignored and compiled again, or
# the directory is not used) and from inside the container, where a call
# the profile denies still fails: runc builds the filter from the spec,
# never from an entry, so even an entry hardrun trusts cannot loosen it.

load helpers

CACHE=/var/cache/hardrun/seccomp
# one BPF instruction: return SECCOMP_RET_ALLOW (what an attacker would plant)
ALLOW_ALL='\x06\x00\x00\x00\x00\x00\xff\x7f'

setup() {
	hr_setup
	require_probe
	MARK=$BATS_TEST_TMPDIR/mark
	# a profile no other test uses: its entry is new
	ARG=$((RANDOM * 32768 + RANDOM))
	: >"$MARK"
	sleep 0.01
}

teardown() {
	# whatever a test did to the directory, it ends as hardrun makes it
	if [ -d "$CACHE" ]; then
		chmod 0700 "$CACHE" /var/cache/hardrun
	fi
	hr_teardown
}

# run_profile NAME: a container of the test's own profile (mkdir answers
# EACCES for mode $ARG; the default profile denies unshare(CLONE_NEWUSER)
# and keyctl) through hardrun; $output has the probe's answers.
run_profile() {
	local filter bundle cid
	filter=".linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\", architectures: [\"SCMP_ARCH_X86_64\"],
		syscalls: [{names: [\"mkdir\"], action: \"SCMP_ACT_ERRNO\", errnoRet: 13,
			args: [{index: 1, value: $ARG, op: \"SCMP_CMP_EQ\"}]}]}"
	bundle=$(make_bundle "$1" "grep -E '^Seccomp:' /proc/self/status; /bin/probe unshare_user keyctl; echo probe_status=\$?" "$filter")
	cid=$(new_id "$1")
	run hr run --bundle "$bundle" "$cid"
	echo "$output"
}

# assert_filtered: the container ran under a filter that denies what the
# default profile denies.
assert_filtered() {
	[ "$status" -eq 0 ]
	[ "$(field Seccomp)" = 2 ]
	[ "$(field unshare_user)" = EPERM ]
	[ "$(field keyctl)" = EPERM ]
}

# the entry the test's first container made (exactly one new file)
new_entry() {
	local entries
	entries=$(find "$CACHE" -maxdepth 1 -type f -name '[0-9a-f]*' -newer "$MARK")
	[ "$(printf '%s\n' "$entries" | grep -c .)" -eq 1 ] || {
		echo "expected one new cache entry, found: $entries" >&2
		return 1
	}
	echo "$entries"
}

# forge ENTRY KEY DIGEST: ENTRY becomes a permissive one-instruction filter
# under the header fields given.
forge() {
	{
		printf 'hardrun-seccomp-cache\nkey %s\nbpf-sha256 %s\nbpf-bytes 8\n\n' "$2" "$3"
		printf %b "$ALLOW_ALL"
	} >"$1"
}

allow_all_digest() {
	printf %b "$ALLOW_ALL" | sha256sum | cut -d' ' -f1
}

@test "a profile is compiled once, kept in a root-only /var/cache/hardrun/seccomp, and served from there" {
	run_profile first
	assert_filtered
	entry=$(new_entry)
	[ "$(stat -c '%U %a' /var/cache/hardrun "$CACHE" "$entry" | tr '\n' ' ')" = "root 700 root 700 root 600 " ]
	head -n 1 "$entry" | grep -qx 'hardrun-seccomp-cache'
	[ "$(sed -n 's/^key //p' "$entry")" = "$(basename "$entry")" ]
	inode=$(stat -c %i "$entry")
	run_profile again
	assert_filtered
	# served: not written again, and nothing warned about
	[ "$(stat -c %i "$entry")" = "$inode" ]
	[[ "$output" != *"seccomp cache"* ]]
}

# rebuilt_after FAULT CMD...: a container's entry, changed by CMD (which
# gets the entry's path last), is ignored for FAULT, the container still
# filtered, and the entry compiled again as it was.
rebuilt_after() {
	local fault=$1 entry
	shift
	run_profile genuine
	assert_filtered
	entry=$(new_entry)
	cp "$entry" "$BATS_TEST_TMPDIR/genuine.entry"
	"$@" "$entry"
	run_profile changed
	assert_filtered
	[[ "$output" == *"ignored ($fault)"* ]]
	cmp "$entry" "$BATS_TEST_TMPDIR/genuine.entry"
}

# the entry's filter swapped, its digest left as it was
swap_filter() {
	forge "$1" "$(basename "$1")" "$(sed -n 's/^bpf-sha256 //p' "$1")"
}

# a permissive filter with its own digest, under another profile's key
other_key() {
	forge "$1" "$(printf other | sha256sum | cut -d' ' -f1)" "$(allow_all_digest)"
}

@test "ATTACK: an entry swapped for a permissive filter under its old digest is ignored and compiled again" {
	rebuilt_after "its filter does not match its digest" swap_filter
}

@test "ATTACK: a permissive filter with its own digest under another profile's key is ignored and compiled again" {
	rebuilt_after "made for another profile" other_key
}

@test "a truncated entry (a crash while it was written) is ignored and compiled again" {
	rebuilt_after "truncated or extended" truncate -s -100
}

@test "ATTACK: a cache directory others can write is not used, not even its valid-looking entries" {
	run_profile genuine
	assert_filtered
	entry=$(new_entry)
	# an entry hardrun would accept in a root-only directory: right key,
	# permissive filter, its digest recomputed
	forge "$entry" "$(basename "$entry")" "$(allow_all_digest)"
	cp "$entry" "$BATS_TEST_TMPDIR/forged.entry"
	chmod 0777 "$CACHE"
	run_profile writable
	assert_filtered
	[[ "$output" == *"seccomp cache not used: \"$CACHE\" is not a directory only root can write (uid 0, mode 0777)"* ]]
	# neither read nor rewritten
	cmp "$entry" "$BATS_TEST_TMPDIR/forged.entry"
	chmod 0700 "$CACHE"
	chmod 0757 /var/cache/hardrun
	run_profile parent
	assert_filtered
	[[ "$output" == *"seccomp cache not used: \"/var/cache/hardrun\" is not a directory only root can write"* ]]
}

@test "ATTACK: an entry hardrun trusts still cannot loosen the container's filter: runc builds it from the spec" {
	run_profile genuine
	assert_filtered
	entry=$(new_entry)
	# the worst case: a forged entry that passes every check (only root
	# could write it); hardrun skips its compile, the filter stays the spec's
	forge "$entry" "$(basename "$entry")" "$(allow_all_digest)"
	run_profile trusted
	assert_filtered
	[[ "$output" != *"seccomp cache"* ]]
	cmp <(tail -c 8 "$entry") <(printf %b "$ALLOW_ALL")
}
