#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Fault injection: a full disk, a read-only bundle, an unreadable policy, a
# missing runtime, SIGKILL in the middle of a create, and 32 creates at
# once with different profiles.  hardrun never writes the caller's
# config.json (runc gets a private bundle under /run/hardrun): after every
# fault it is the original, byte for byte, and the private copy is absent or
# complete; the user sees a clear error; no container, id range, staging
# mount or private bundle is left behind.

load helpers

setup() {
	hr_setup
}

teardown() {
	for m in "${MOUNTED[@]}"; do umount -l "$m" 2>/dev/null || true; done
	hr_teardown
}

MOUNTED=()

# assert_nothing_left ID BUNDLE: no container, no id range, no staging
# mount, no temporary file in the bundle.
assert_nothing_left() {
	local id=$1 bundle=$2
	refute runc_ state "$id"
	refute grep -rqs -- "$id" /run/hardrun/ids
	refute grep -q " /run/hardrun/stage/.* " <(grep -F -- "$id" /proc/self/mountinfo)
	refute grep -q '\.hardrun-[0-9a-f]\{16\}$' <(ls -A "$bundle")
	refute compgen -G "/run/hardrun/bundles/*/$id.*"
}

# create_refused BUNDLE PATTERN [COMMAND...]: a create of BUNDLE by hardrun
# (or by COMMAND, which ends in hardrun and its global flags) fails with
# PATTERN in the --log file, and leaves config.json byte-identical and
# nothing behind.
create_refused() {
	local bundle=$1 pattern=$2 id
	shift 2
	[ "$#" -gt 0 ] || set -- hr
	cp "$bundle/config.json" "$BATS_TEST_TMPDIR/original.json"
	id=$(new_id refused)
	run "$@" create --bundle "$bundle" "$id"
	echo "$output"
	[ "$status" -eq 1 ]
	assert_log_error "$pattern"
	cmp "$bundle/config.json" "$BATS_TEST_TMPDIR/original.json"
	assert_nothing_left "$id" "$bundle"
}

# created_untouched BUNDLE: hardrun creates the container without writing
# in the bundle; after delete nothing is left.
created_untouched() {
	local bundle=$1 id
	cp "$bundle/config.json" "$BATS_TEST_TMPDIR/original.json"
	id=$(new_id untouched)
	run_files hr create --bundle "$bundle" "$id"
	echo "$stderr"
	[ "$status" -eq 0 ]
	cmp "$bundle/config.json" "$BATS_TEST_TMPDIR/original.json"
	hr delete -f "$id"
	assert_nothing_left "$id" "$bundle"
}

@test "a full disk under the bundle: hardrun writes nothing there, the container is created, config.json untouched" {
	bundle=$BATS_TEST_TMPDIR/full
	mkdir -p "$bundle"
	mount -t tmpfs -o size=64k tmpfs "$bundle"
	MOUNTED+=("$bundle")
	dir=$(make_bundle full-src 'true')
	cp "$dir/config.json" "$bundle/config.json"
	fill=$(($(stat -f -c '%a*%S' "$bundle") - 2048))
	head -c "$fill" /dev/zero >"$bundle/filler" 2>/dev/null || true
	created_untouched "$bundle"
}

@test "a read-only bundle directory: the container is created, config.json untouched, nothing left after delete" {
	bundle=$(make_bundle ro 'true')
	mount --bind "$bundle" "$bundle"
	MOUNTED+=("$bundle")
	mount -o remount,bind,ro "$bundle"
	created_untouched "$bundle"
}

@test "an unreadable policy file: no container starts, the error says why" {
	command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
	chmod 000 "$POLICY"
	bundle=$(make_bundle unreadable 'true')
	# root reads any file; without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH
	# the mode bits count
	create_refused "$bundle" 'policy.*Permission denied' \
		setpriv --inh-caps=-dac_override,-dac_read_search --bounding-set=-dac_override,-dac_read_search \
		"$HARDRUN" --hardrun-policy "$POLICY" --log "$LOG" --log-format json
}

@test "a missing runtime: a clear error naming it, config.json untouched, nothing left" {
	POLICY=$(write_policy '{"runtime": "/nonexistent/runc"}' missing)
	bundle=$(make_bundle missing 'true')
	create_refused "$bundle" '/nonexistent/runc'
}

@test "SIGKILL at 40 or more moments of a create: config.json is always the original, the private copy absent or complete" {
	# a large spec (20,000 env entries) makes the rewrite long enough to be hit
	bundle=$(make_bundle killed 'true' '.process.env += [range(20000) | "VAR\(.)=value-\(.)"]')
	cp "$bundle/config.json" "$BATS_TEST_TMPDIR/original.json"
	# the runtime the policy names exits at once: what matters is hardrun's part
	printf '#!/bin/sh\nexit 1\n' >"$BATS_TEST_TMPDIR/no-runtime"
	chmod +x "$BATS_TEST_TMPDIR/no-runtime"
	POLICY=$(write_policy "{\"runtime\": \"$BATS_TEST_TMPDIR/no-runtime\"}" killed)
	# how long a whole create takes on this machine now (microseconds)
	t0=$(date +%s%N)
	hr create --bundle "$bundle" "hrit-killed-$$-timing" >/dev/null 2>&1 || true
	total_us=$((($(date +%s%N) - t0) / 1000))
	"$HARDRUN" --hardrun-policy "$POLICY" delete -f "hrit-killed-$$-timing" >/dev/null 2>&1 || true
	echo "a whole create takes ${total_us} us"
	absent=0 complete=0 midwrite=0
	# at least 40 kills sweeping that time (each step shifted by a prime),
	# and on (up to 200) until kills have landed before and after the write
	for i in $(seq 200); do
		if [ "$i" -gt 40 ] && [ "$absent" -gt 0 ] && [ "$complete" -gt 0 ]; then
			break
		fi
		id=hrit-killed-$$-$i
		# a simple command, not the hr function: $! is hardrun itself, not
		# a subshell whose kill would leave hardrun running on
		"$HARDRUN" --hardrun-policy "$POLICY" --log "$LOG" --log-format json create --bundle "$bundle" "$id" \
			>/dev/null 2>&1 &
		pid=$!
		sleep "0.$(printf %06d $((((i * 7) % 41) * total_us / 40)))"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		# the caller's bundle: never written, whenever the kill landed
		cmp "$bundle/config.json" "$BATS_TEST_TMPDIR/original.json"
		[ -z "$(ls -A "$bundle" | grep -v '^config.json$')" ]
		if compgen -G "/run/hardrun/bundles/*/$id.*/.config.json.hardrun-*" >/dev/null; then
			midwrite=$((midwrite + 1)) # killed inside the atomic write
		fi
		private=$(compgen -G "/run/hardrun/bundles/*/$id.*/config.json" || true)
		if [ -z "$private" ]; then
			absent=$((absent + 1))
		else
			# complete: valid JSON, hardened, every env entry there
			jq -e '.process.noNewPrivileges == true and (.linux.seccomp.syscalls | length > 0) and (.process.env | length > 20000)' \
				"$private" >/dev/null || {
				echo "kill $i left a private spec that is not complete: $(head -c 200 "$private")"
				return 1
			}
			complete=$((complete + 1))
		fi
		"$HARDRUN" --hardrun-policy "$POLICY" delete -f "$id" >/dev/null 2>&1 || true
		# delete removes whatever the kill left
		refute compgen -G "/run/hardrun/bundles/*/$id.*"
	done
	echo "private copy absent: $absent, complete: $complete, killed mid-write: $midwrite"
	# the kills landed on both sides of the write, or the test proved nothing
	[ "$absent" -gt 0 ]
	[ "$complete" -gt 0 ]
	if grep -qs "hrit-killed-$$" /run/hardrun/ids/*; then
		POLICY=$(write_policy)
		id=$(new_id after-kills)
		bundle2=$(make_bundle after 'true')
		hr run --bundle "$bundle2" "$id"
		refute grep -qs "hrit-killed-$$" /run/hardrun/ids/*
	fi
}

@test "32 creates at once with four profiles: each container gets its profile, its own range, one audit line" {
	POLICY=$BATS_TEST_TMPDIR/profiles.json
	jq --arg log "$AUDIT" --arg runc "$RUNC" '.audit_log = $log | .runtime = $runc' "$REPO/examples/policies/profiles.json" >"$POLICY"
	profiles=(default strict rollout default)
	for i in $(seq 0 31); do
		# strict refuses --privileged outright: its containers ask for every
		# capability only; the others ask for everything (rollout's run as
		# asked, by plain runc, which cannot apply CAP_SYS_RESOURCE here)
		case ${profiles[i % 4]} in
		strict) filter='.process.capabilities = {bounding: $all, effective: $all, permitted: $all, inheritable: $all, ambient: $all}' ;;
		rollout) filter="$EVERYTHING_FILTER | .process.capabilities |= map_values(map(select(. != \"CAP_SYS_RESOURCE\")))" ;;
		*) filter=$EVERYTHING_FILTER ;;
		esac
		b=$(make_bundle "p$i" 'sleep 60' "$filter")
		ids[i]=hrit-par-$$-$i
		track "${ids[i]}"
		"$HARDRUN" --hardrun-policy "$POLICY" --hardrun-profile "${profiles[i % 4]}" --log "$LOG" --log-format json \
			create --bundle "$b" "${ids[i]}" >/dev/null 2>"$BATS_TEST_TMPDIR/create-$i.err" &
		pids[i]=$!
	done
	# only these: a bare wait would also wait for bats' own timeout timer
	wait "${pids[@]}"
	declare -A seen
	for i in $(seq 0 31); do
		id=${ids[i]} profile=${profiles[i % 4]}
		state=$(runc_ state "$id") || {
			echo "$id ($profile) was not created: $(cat "$BATS_TEST_TMPDIR/create-$i.err")"
			return 1
		}
		pid=$(jq -r .pid <<<"$state")
		status=$(cat "/proc/$pid/status")
		eff=$(field CapEff "$status")
		base=$(awk '{print $2}' "/proc/$pid/uid_map")
		echo "$id $profile CapEff=$eff uid base=$base"
		case $profile in
		strict) [ "$eff" = 0000000000000000 ] ;;
		default) [ "$eff" = "$ALLOWED_CAPS" ] ;;
		rollout)
			# runs as asked (no user namespace added), the audit says what would change
			[ "$base" = 0 ]
			[ "$(audit_last_for "$id" | jq -r .decision)" = allow ]
			audit_last_for "$id" | jq -e '[.decisions[] | select(.outcome == "audited")] | length > 3' >/dev/null
			;;
		esac
		[ "$(audit_last_for "$id" | jq -r .profile)" = "$profile" ]
		if [ "$profile" != rollout ]; then
			[ -z "${seen[$base]:-}" ] # no two containers share a range
			seen[$base]=$id
		fi
	done
	[ "$(jq -s 'length' "$AUDIT")" -eq 32 ]
}
