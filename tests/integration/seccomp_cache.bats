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
# The same directory keeps the seccomp rule's merges (the second half of
# this file), which do decide the profile: their attacks are below.

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
	teardown_fakes
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

# new_entry [KIND]: the entry of KIND (the header's first line; a compiled
# profile by default) the test's first container made (exactly one new).
new_entry() {
	local kind=${1:-hardrun-seccomp-cache} entries
	entries=$(find "$CACHE" -maxdepth 1 -type f -name '[0-9a-f]*' -newer "$MARK" -exec sh -c \
		'[ "$(head -n 1 "$1")" = "$2" ] && echo "$1"' sh {} "$kind" \;)
	[ "$(printf '%s\n' "$entries" | grep -c .)" -eq 1 ] || {
		echo "expected one new $kind entry, found: $entries" >&2
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

# rebuilt_after [--kind KIND] FAULT CMD...: a container's entry (of KIND, a
# compiled profile by default), changed by CMD (which gets the entry's path
# last), is ignored for FAULT, the container still filtered, and the entry
# made again as it was.
rebuilt_after() {
	local kind=hardrun-seccomp-cache fault entry
	if [ "$1" = --kind ]; then
		kind=$2
		shift 2
	fi
	fault=$1
	shift
	run_profile genuine
	assert_filtered
	entry=$(new_entry "$kind")
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

# ---------------------------------------------------------------------
# Merges.  The seccomp rule's merge of the spec's profile with the default
# profile and the must-deny floor is kept too (a cold merge of Docker's
# profile costs milliseconds), under a key binding it to its inputs and to
# this very build of hardrun (its GNU build id).  Unlike a compiled entry,
# a merge entry decides the profile runc gets: it is trusted as the policy
# file is (root's alone), so every entry that is not exactly what this
# build wrote must be ignored, and the container must stay filtered.

PERMISSIVE_MERGE='{"merged":{"defaultAction":"SCMP_ACT_ALLOW"},"changed":[]}'

# forge_merge ENTRY KEY DIGEST: ENTRY becomes a merge that allows everything.
forge_merge() {
	{
		printf 'hardrun-seccomp-merge\nkey %s\njson-sha256 %s\njson-bytes %d\n\n' "$2" "$3" "${#PERMISSIVE_MERGE}"
		printf %s "$PERMISSIVE_MERGE"
	} >"$1"
}

permissive_merge_digest() {
	printf %s "$PERMISSIVE_MERGE" | sha256sum | cut -d' ' -f1
}

@test "a merge is done once for its inputs and this build, kept root-only, and served to the next container" {
	run_profile first
	assert_filtered
	entry=$(new_entry hardrun-seccomp-merge)
	[ "$(stat -c '%U %a' "$entry")" = "root 600" ]
	[ "$(sed -n 's/^key //p' "$entry")" = "$(basename "$entry")" ]
	# what it holds is the merge: the spec allowed all by default, the merge
	# denies by default and allows no call of the floor
	tail -n 1 "$entry" | jq -e '.merged.defaultAction == "SCMP_ACT_ERRNO"
		and ([.merged.syscalls[] | select((.names | index("keyctl")) and .action == "SCMP_ACT_ALLOW")] | length == 0)'
	inode=$(stat -c %i "$entry")
	run_profile again
	assert_filtered
	[ "$(stat -c %i "$entry")" = "$inode" ]
	[[ "$output" != *"seccomp cache"* ]]
}

swap_merge() {
	forge_merge "$1" "$(basename "$1")" "$(sed -n 's/^json-sha256 //p' "$1")"
}

other_merge_key() {
	forge_merge "$1" "$(printf other | sha256sum | cut -d' ' -f1)" "$(permissive_merge_digest)"
}

@test "ATTACK: a merge entry swapped for one that allows everything, under its old digest, is ignored and merged again" {
	rebuilt_after --kind hardrun-seccomp-merge "its merge does not match its digest" swap_merge
}

@test "ATTACK: a permissive merge with its own digest under another key is ignored and merged again" {
	rebuilt_after --kind hardrun-seccomp-merge "made for another profile" other_merge_key
}

@test "a merge entry truncated by a crash is ignored and merged again" {
	rebuilt_after --kind hardrun-seccomp-merge "truncated or extended" truncate -s -50
}

@test "another build of hardrun never serves this build's merges: its build id is in the key" {
	run_profile genuine
	assert_filtered
	entry=$(new_entry hardrun-seccomp-merge)
	# the same hardrun with one bit of its build id changed: another build
	other=$BATS_TEST_TMPDIR/hardrun-other-build
	cp "$HARDRUN" "$other"
	id=$(readelf -n "$HARDRUN" | sed -n 's/.*Build ID: //p')
	[ -n "$id" ]
	python3 - "$other" "$id" <<'PY'
import sys
path, hexid = sys.argv[1], sys.argv[2]
data = bytearray(open(path, 'rb').read())
i = data.find(bytes.fromhex(hexid))
assert i > 0 and data.find(bytes.fromhex(hexid), i + 1) < 0
data[i] ^= 1
open(path, 'wb').write(data)
PY
	[ "$(readelf -n "$other" | sed -n 's/.*Build ID: //p')" != "$id" ]
	: >"$MARK"
	sleep 0.01
	HARDRUN=$other run_profile other-build
	assert_filtered
	# it merged for itself, under a key of its own
	other_entry=$(new_entry hardrun-seccomp-merge)
	[ "$other_entry" != "$entry" ]
}

# fill_cache COUNT: COUNT entries no profile has, older than any real one,
# their names in $BATS_TEST_TMPDIR/fakes (removed in teardown_fakes).
fill_cache() {
	local i name
	: >"$BATS_TEST_TMPDIR/fakes"
	for ((i = 0; i < $1; i++)); do
		name=$(printf '%064x' "$((0xfa4e0000 + i))")
		echo "not an entry" >"$CACHE/$name"
		echo "$name" >>"$BATS_TEST_TMPDIR/fakes"
	done
	(cd "$CACHE" && xargs -r touch -d '2000-01-01' <"$BATS_TEST_TMPDIR/fakes")
}

teardown_fakes() {
	[ -f "$BATS_TEST_TMPDIR/fakes" ] && (cd "$CACHE" && xargs -r rm -f <"$BATS_TEST_TMPDIR/fakes")
	return 0
}

@test "a full cache makes room: the oldest quarter goes and the new profile's merge and filter are stored" {
	mkdir -p "$CACHE"
	run_profile warm # makes the directory as hardrun does
	real=$(find "$CACHE" -maxdepth 1 -type f -name '[0-9a-f]*' | wc -l)
	fill_cache $((1024 + 10 - real))
	ARG=$((ARG + 1))
	: >"$MARK"
	sleep 0.01
	run_profile filled
	total=$(find "$CACHE" -maxdepth 1 -type f -name '[0-9a-f]*' | wc -l)
	left=$(cd "$CACHE" && xargs -r ls 2>/dev/null <"$BATS_TEST_TMPDIR/fakes" | wc -l)
	teardown_fakes
	echo "entries before: $((1024 + 10)), after: $total; fakes left: $left"
	assert_filtered
	new_entry hardrun-seccomp-merge
	new_entry hardrun-seccomp-cache
	# 1034 at the first store: the 266 oldest removed (fakes first: they
	# are the oldest), then the two new entries stored
	fakes=$((1024 + 10 - real))
	[ "$total" -eq 770 ]
	[ "$left" -eq $((fakes > 266 ? fakes - 266 : 0)) ]
}
