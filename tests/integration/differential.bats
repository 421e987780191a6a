#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The parser-differential defence.  runc is Go: encoding/json matches keys
# case-insensitively (with Unicode folding: U+017F "ſ" is an "s", U+212A
# KELVIN SIGN a "k") and the last of duplicate keys wins; its command line is
# urfave/cli over Go's flag package.  A spec or an argv that hardrun read
# differently from runc would let a container through unhardened.  First the
# danger is shown with plain runc, then hardrun is shown to read exactly what
# runc reads and harden that: duplicate keys, case variants (merged as Go
# merges them), stale slice elements.  The generated corpus of
# tests/godiff (godiff.bats) checks the same over hundreds of specs.

load helpers

setup() {
	hr_setup
}

teardown() {
	hr_teardown
}

NNP_SCRIPT='echo "marker=$MARKER"; grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status'

# spec_with_keys BUNDLE JQ SED: rewrites BUNDLE/config.json compactly with jq,
# then renames placeholder keys with sed (jq cannot write duplicate keys).
spec_with_keys() {
	jq -c "$2" "$1/config.json" | sed "$3" >"$1/config.new"
	mv "$1/config.new" "$1/config.json"
}

# key_count BUNDLE TEXT: how often TEXT occurs in the bundle's spec.
key_count() {
	grep -o -- "$2" "$1/config.json" | wc -l
}

# runs_hardened BUNDLE: hardrun runs the bundle with no_new_privs and
# seccomp, and leaves the caller's config.json as it was.
runs_hardened() {
	cp "$1/config.json" "$BATS_TEST_TMPDIR/before.json"
	run hr run --bundle "$1" "$(new_id hardened)"
	echo "hardrun: $status $output"
	[ "$status" -eq 0 ]
	[ "$(field NoNewPrivs)" = 1 ]
	[ "$(field Seccomp)" = 2 ]
	cmp "$1/config.json" "$BATS_TEST_TMPDIR/before.json"
}

# ---------------------------------------------------------------------------
# the danger, with plain runc

@test "plain runc runs a spec whose process key is spelled Process (and proceſſ)" {
	root=$(private_rootfs p)
	for key in 'Process' 'PROCESS' 'proce\xc5\xbf\xc5\xbf'; do
		b=$(make_bundle "k$RANDOM" "$NNP_SCRIPT" '.process.env += ["MARKER=renamed"]' "$root")
		spec_with_keys "$b" 'with_entries(if .key == "process" then .key = "PROCESS_KEY" else . end)' "s/\"PROCESS_KEY\"/\"$key\"/"
		[ "$(key_count "$b" '"process"')" -eq 0 ]
		run "$RUNC" run --bundle "$b" "$(new_id plain)"
		echo "$key: $output"
		[ "$status" -eq 0 ]
		[ "$(field marker)" = renamed ]
	done
}

@test "plain runc takes the last of two noNewPrivileges keys" {
	b=$(make_bundle twonnp "$NNP_SCRIPT" 'del(.process.noNewPrivileges) | .process.NNP_A = true | .process.NNP_B = false' "$(private_rootfs p)")
	spec_with_keys "$b" . 's/"NNP_A"/"noNewPrivileges"/; s/"NNP_B"/"noNewPrivileges"/'
	[ "$(key_count "$b" '"noNewPrivileges":')" -eq 2 ]
	run "$RUNC" run --bundle "$b" "$(new_id plain)"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field NoNewPrivs)" = 0 ] # the first said true
}

@test "plain runc takes the later of process and Process" {
	b=$(make_bundle twoproc "$NNP_SCRIPT" '.process.env += ["MARKER=first"] | .PROC_B = (.process | .env = ["PATH=/bin", "MARKER=second"] | .noNewPrivileges = false)' "$(private_rootfs p)")
	spec_with_keys "$b" . 's/"PROC_B"/"Process"/'
	run "$RUNC" run --bundle "$b" "$(new_id plain)"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field marker)" = second ]
	[ "$(field NoNewPrivs)" = 0 ]
}

# ---------------------------------------------------------------------------
# hardrun reads what runc reads

@test "hardrun reads a Process (or proceſſ) key as the process, as runc does, and hardens it" {
	for key in 'Process' 'proce\xc5\xbf\xc5\xbf'; do
		b=$(make_bundle "k$RANDOM" "$NNP_SCRIPT" ".process.env += [\"MARKER=renamed\"] | .process.noNewPrivileges = false | .process.capabilities = {bounding: \$all, effective: \$all, permitted: \$all}")
		spec_with_keys "$b" 'with_entries(if .key == "process" then .key = "PROCESS_KEY" else . end)' "s/\"PROCESS_KEY\"/\"$key\"/"
		id=$(new_id renamed)
		run hr run --bundle "$b" "$id"
		echo "$key: $output"
		[ "$status" -eq 0 ]
		[ "$(field marker)" = renamed ]
		[ "$(field NoNewPrivs)" = 1 ]
		[ "$(field Seccomp)" = 2 ]
		caps_within "$(field CapEff)"
		# the caller's spec is left as written
		[ "$(key_count "$b" '"process"')" -eq 0 ]
	done
}

@test "hardrun reads the later of two noNewPrivileges keys, as runc does, and the container has no_new_privs" {
	b=$(make_bundle twonnp "$NNP_SCRIPT" 'del(.process.noNewPrivileges) | .process.NNP_A = true | .process.NNP_B = false')
	spec_with_keys "$b" . 's/"NNP_A"/"noNewPrivileges"/; s/"NNP_B"/"noNewPrivileges"/'
	runs_hardened "$b"
}

@test "hardrun takes the later of process and Process, as runc does, and hardens it" {
	b=$(make_bundle twoproc "$NNP_SCRIPT" '.process.env += ["MARKER=first"] | .PROC_B = (.process | .env = ["PATH=/bin", "MARKER=second"] | .noNewPrivileges = false)')
	spec_with_keys "$b" . 's/"PROC_B"/"Process"/'
	runs_hardened "$b"
	[ "$(field marker)" = second ]
}

@test "keys Go folds together (case, ſ, the Kelvin sign, escapes): hardrun reads the one runc reads" {
	# each pair: the first says "hardened", the later (which runc reads) does not
	for variant in \
		's/"NNP_A"/"noNewPrivileges"/; s/"NNP_B"/"NoNewPrivileges"/' \
		's/"NNP_A"/"noNewPrivileges"/; s/"NNP_B"/"noNewPrivilege\xc5\xbf"/' \
		's/"NNP_A"/"noNewPrivileges"/; s/"NNP_B"/"\\u006eoNewPrivileges"/' \
		's/"NNP_A"/"noNewPrivileges"/; s/"NNP_B"/"NONEWPRIVILEGES"/'; do
		b=$(make_bundle "v$RANDOM" "$NNP_SCRIPT" 'del(.process.noNewPrivileges) | .process.NNP_A = true | .process.NNP_B = false')
		spec_with_keys "$b" . "$variant"
		echo "variant $variant"
		runs_hardened "$b"
	done
	# masked paths emptied through a key with the Kelvin sign: hardrun reads
	# them empty, as runc does, and masks Docker's list again
	b=$(make_bundle kelvin 'echo "keys_bytes=$(cat /proc/keys | wc -c)"; grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status')
	spec_with_keys "$b" '.linux.MASK_B = []' 's/"MASK_B"/"mas\xe2\x84\xaaedPaths"/'
	runs_hardened "$b"
	[ "$(field keys_bytes)" = 0 ]
}

@test "the Kelvin-sign key really is maskedPaths to runc" {
	root=$(private_rootfs p)
	b=$(make_bundle kelvin 'echo "keys_bytes=$(cat /proc/keys | wc -c)"' '.' "$root")
	run "$RUNC" run --bundle "$b" "$(new_id plain)"
	[ "$(field keys_bytes)" = 0 ] # masked by runc spec's default
	spec_with_keys "$b" '.linux.MASK_B = []' 's/"MASK_B"/"mas\xe2\x84\xaaedPaths"/'
	run "$RUNC" run --bundle "$b" "$(new_id plain)"
	echo "$output"
	[ "$(field keys_bytes)" -gt 0 ] # the later, Kelvin-spelled, key won
}

# ---------------------------------------------------------------------------
# the command line: hardrun rewrites the bundle runc uses

# reset_bundles: pristine decoy (the working directory) and target bundles.
reset_bundles() {
	cp "$BATS_TEST_TMPDIR/decoy.pristine" "$DECOY/config.json"
	cp "$BATS_TEST_TMPDIR/target.pristine" "$TARGET/config.json"
	rm -f -- "$DECOY/--bundle" "$DECOY/--" "$BATS_TEST_TMPDIR/pid"
}

make_argv_bundles() {
	DECOY=$(make_bundle decoy "$NNP_SCRIPT" '.process.env += ["MARKER=decoy"] | .process.noNewPrivileges = false')
	TARGET=$(make_bundle target "$NNP_SCRIPT" '.process.env += ["MARKER=target"] | .process.noNewPrivileges = false')
	cp "$DECOY/config.json" "$BATS_TEST_TMPDIR/decoy.pristine"
	cp "$TARGET/config.json" "$BATS_TEST_TMPDIR/target.pristine"
}

# words FORM ID: the argv of FORM with its placeholders filled in.
words() {
	local w
	for w in $1; do
		w=${w//ID/$2}
		w=${w//TARGET/$TARGET}
		w=${w//PIDFILE/$BATS_TEST_TMPDIR/pid}
		printf '%s\n' "$w"
	done
}

# argv_case FORM: runc's choice of bundle for the create argv FORM, found by
# running runc itself, is the bundle hardrun hardens; the other bundle is
# untouched; the container runs hardened.  Forms runc refuses, hardrun
# refuses without touching either bundle.
argv_case() {
	local form=$1 id args r_status r_bundle h_status h_bundle chosen other
	echo "== $form"
	# what runc does with this argv
	reset_bundles
	id=$(new_id argv)
	mapfile -t args < <(words "$form" "$id")
	r_status=0
	(cd "$DECOY" && "$RUNC" "${args[@]}" >"$BATS_TEST_TMPDIR/runc.out" 2>&1 </dev/null) || r_status=$?
	r_bundle=$("$RUNC" state "$id" 2>/dev/null | jq -r .bundle)
	"$RUNC" delete -f "$id" >/dev/null 2>&1 || true
	echo "runc: status $r_status, bundle ${r_bundle:-none}: $(tail -n 2 "$BATS_TEST_TMPDIR/runc.out")"
	# what hardrun does with it
	reset_bundles
	id=$(new_id argv)
	mapfile -t args < <(words "$form" "$id")
	h_status=0
	(cd "$DECOY" && hr "${args[@]}" >"$BATS_TEST_TMPDIR/hr.out" 2>&1 </dev/null) || h_status=$?
	h_bundle=$("$RUNC" state "$id" 2>/dev/null | jq -r .bundle)
	echo "hardrun: status $h_status, bundle ${h_bundle:-none}: $(cat "$BATS_TEST_TMPDIR/hr.out")"
	if [ "$r_status" -ne 0 ]; then
		[ "$h_status" -ne 0 ]
		refute container_exists "$id"
		cmp "$DECOY/config.json" "$BATS_TEST_TMPDIR/decoy.pristine"
		cmp "$TARGET/config.json" "$BATS_TEST_TMPDIR/target.pristine"
		return 0
	fi
	[ "$h_status" -eq 0 ]
	if [ "$r_bundle" = "$TARGET" ]; then chosen=target; else chosen=decoy; fi
	[ "$r_bundle" = "$(eval echo "\$${chosen^^}")" ]
	# runc got a private bundle with the hardened spec of the bundle runc
	# would have used; neither of the caller's bundles was written
	[[ "$h_bundle" == /run/hardrun/bundles/* ]]
	[ "$(jq .process.noNewPrivileges "$h_bundle/config.json")" = true ]
	jq -r '.process.env[]' "$h_bundle/config.json" | grep -qx "MARKER=$chosen"
	cmp "$DECOY/config.json" "$BATS_TEST_TMPDIR/decoy.pristine"
	cmp "$TARGET/config.json" "$BATS_TEST_TMPDIR/target.pristine"
	# and the container, started, is that bundle's process, hardened
	hr start "$id"
	wait_stopped "$id"
	output=$(cat "$BATS_TEST_TMPDIR/hr.out")
	echo "$output"
	[ "$(field marker)" = "$chosen" ]
	[ "$(field NoNewPrivs)" = 1 ]
	[ "$(field Seccomp)" = 2 ]
	"$HARDRUN" --hardrun-policy "$POLICY" delete -f "$id" >/dev/null 2>&1 || true
	CHOSEN=$chosen
}

@test "argv: create ID --bundle DIR" {
	make_argv_bundles
	argv_case 'create ID --bundle TARGET'
	[ "$CHOSEN" = target ]
}

@test "argv: create --pid-file --bundle ID (the pid file is named --bundle: the working directory is the bundle)" {
	make_argv_bundles
	argv_case 'create --pid-file --bundle ID'
	[ "$CHOSEN" = decoy ]
}

@test "argv: create ID --pid-file -- --bundle DIR" {
	make_argv_bundles
	argv_case 'create ID --pid-file -- --bundle TARGET'
	[ "$CHOSEN" = target ] # "--" is the pid file's value, not the end of the flags
}

@test "argv: -bundle=DIR, -b DIR, -b=DIR, --bundle=DIR" {
	make_argv_bundles
	for form in 'create -bundle=TARGET ID' 'create -b TARGET ID' 'create ID -b=TARGET' 'create --bundle=TARGET ID' 'create ID -bundle TARGET'; do
		argv_case "$form"
		[ "$CHOSEN" = target ]
	done
}

@test "argv: the last --bundle wins" {
	make_argv_bundles
	argv_case 'create --bundle . --bundle TARGET ID'
	[ "$CHOSEN" = target ]
	argv_case 'create --bundle TARGET ID --bundle .'
	[ "$CHOSEN" = decoy ]
}

@test "argv: flags around -- and bool flags" {
	make_argv_bundles
	for form in 'create --bundle TARGET -- ID' 'create --no-pivot --bundle TARGET ID' 'create --no-new-keyring=true ID -b TARGET' \
		'--debug create ID --pid-file PIDFILE --bundle TARGET' 'create --pid-file=PIDFILE ID --bundle TARGET' 'create ID'; do
		argv_case "$form"
	done
}

@test "argv: forms runc refuses are refused, neither bundle touched" {
	make_argv_bundles
	for form in 'create -b TARGET --bundle TARGET ID' 'create ---bundle TARGET ID' 'create ID --bundle' \
		'create --bundle TARGET ID extra' 'create --bundle=TARGET' 'create --no-such-flag ID'; do
		argv_case "$form"
	done
}

@test "argv: run with the bundle after the id runs the target, hardened" {
	make_argv_bundles
	reset_bundles
	cd "$DECOY"
	run hr run "$(new_id runargv)" --bundle "$TARGET"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field marker)" = target ]
	[ "$(field NoNewPrivs)" = 1 ]
	cmp "$DECOY/config.json" "$BATS_TEST_TMPDIR/decoy.pristine"
}

# ---------------------------------------------------------------------------
# merges and stale slice elements: what Go's decoder does with a field given
# twice, shown with plain runc, read the same way by hardrun

# the caller's mounts, three times: the third array's second element is
# decoded into what the first left in Go's backing array, a bind of /etc
STALE_MOUNTS='.mounts as $m | .MOUNTS_A = ($m + [{destination: "/mnt", type: "bind", source: "/etc", options: ["rbind", "ro"]}])
	| .MOUNTS_B = $m | .MOUNTS_C = ($m + [{destination: "/mnt"}]) | del(.mounts)'

@test "plain runc: a stale slice element revives a bind of /etc from an earlier mounts array" {
	root=$(private_rootfs p)
	mkdir -p "$root/mnt"
	b=$(make_bundle stale 'cat /mnt/hostname 2>&1' "$STALE_MOUNTS" "$root")
	spec_with_keys "$b" . 's/"MOUNTS_A"/"mounts"/; s/"MOUNTS_B"/"Mounts"/; s/"MOUNTS_C"/"MOUNTS"/'
	run "$RUNC" run --bundle "$b" "$(new_id plain)"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat /etc/hostname)" ] # the host's /etc, inside
}

@test "hardrun sees the revived bind of /etc that runc would mount, and refuses it" {
	b=$(make_bundle stale 'cat /mnt/hostname 2>&1' "$STALE_MOUNTS")
	spec_with_keys "$b" . 's/"MOUNTS_A"/"mounts"/; s/"MOUNTS_B"/"Mounts"/; s/"MOUNTS_C"/"MOUNTS"/'
	cp "$b/config.json" "$BATS_TEST_TMPDIR/before.json"
	id=$(new_id stale)
	run_files hr run --bundle "$b" "$id"
	echo "$output $stderr"
	[ "$status" -eq 1 ]
	assert_log_error '/etc'
	refute container_exists "$id"
	cmp "$b/config.json" "$BATS_TEST_TMPDIR/before.json"
}

@test "resources given as cpu and CPU are merged, as runc's update tests rely on, and the container runs" {
	b=$(make_bundle cpus "$NNP_SCRIPT" '.linux.resources.cpu = {shares: 512} | .linux.resources.CPU_B = {period: 100000, quota: 50000}')
	spec_with_keys "$b" . 's/"CPU_B"/"CPU"/'
	runs_hardened "$b"
}

@test "annotations that differ only in case are two annotations, as to runc; sysctl keys likewise" {
	b=$(make_bundle annot "$NNP_SCRIPT" '.annotations = {"org.example.a": "1", "ANNOT_B": "2"} | .linux.sysctl = {"kernel.shm_rmid_forced": "1"}')
	spec_with_keys "$b" . 's/"ANNOT_B"/"ORG.EXAMPLE.A"/'
	runs_hardened "$b"
}
