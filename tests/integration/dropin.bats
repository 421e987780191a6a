#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Drop-in exact.  (1) The caller's bundle stays the caller's: hardrun never
# writes config.json; runc gets a private bundle under /run/hardrun with the
# hardened spec, so runc's ordinary workflow (create, delete, edit, run
# again) works and the bundle is byte-identical afterwards.  (2) With every
# rule off, or in audit mode, hardrun behaves as runc for every command:
# the same matrix runs through both and the exit statuses, the outputs
# (ids and times aside) and what the container sees are compared.

load helpers

setup() {
	hr_setup
}

teardown() {
	hr_teardown
}

SEE_SCRIPT='echo "marker=$MARKER"; grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status; echo "uid_map=$(cat /proc/self/uid_map)"'

# state_bundle ID: the bundle runc recorded for the container.
state_bundle() {
	runc_ state "$1" | jq -r .bundle
}

# ---------------------------------------------------------------------------
# the caller's bundle stays the caller's

@test "create, start, delete: config.json is byte-identical throughout; runc runs a private hardened copy" {
	b=$(make_bundle own "$SEE_SCRIPT" '.process.noNewPrivileges = false | .process.env += ["MARKER=one"]')
	cp "$b/config.json" "$BATS_TEST_TMPDIR/saved.json"
	id=$(new_id own)
	run_files hr create --bundle "$b" "$id"
	echo "$stderr"
	[ "$status" -eq 0 ]
	cmp "$b/config.json" "$BATS_TEST_TMPDIR/saved.json"
	[ -z "$(ls -A "$b" | grep -v '^config.json$')" ] # nothing beside it either
	private=$(state_bundle "$id")
	echo "runc's bundle: $private"
	[[ "$private" == /run/hardrun/bundles/* ]]
	[ "$(stat -c '%a %U' "$private")" = "711 root" ]
	[ "$(stat -c '%a %U' "$private/config.json")" = "600 root" ]
	jq -e '.process.noNewPrivileges == true and .root.readonly == true' "$private/config.json" >/dev/null
	hr start "$id"
	wait_stopped "$id"
	hr delete "$id"
	cmp "$b/config.json" "$BATS_TEST_TMPDIR/saved.json"
	[ ! -e "$private" ] # the private copy went with the container
}

@test "edit config.json after a run and run again: it runs as edited, hardened (runc's workflow)" {
	b=$(make_bundle edit "$SEE_SCRIPT" '.process.env += ["MARKER=first"]')
	cp "$b/config.json" "$BATS_TEST_TMPDIR/saved.json"
	run hr run --bundle "$b" "$(new_id edit1)"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field marker)" = first ]
	cmp "$b/config.json" "$BATS_TEST_TMPDIR/saved.json"
	# the user edits the bundle, as with runc
	jq '.process.env = ["PATH=/bin", "MARKER=second"]' "$b/config.json" >"$b/config.new" && mv "$b/config.new" "$b/config.json"
	cp "$b/config.json" "$BATS_TEST_TMPDIR/edited.json"
	id=$(new_id edit2)
	run_files hr create --bundle "$b" "$id"
	echo "$stderr"
	[ "$status" -eq 0 ]
	hr start "$id"
	wait_stopped "$id"
	hr delete "$id"
	cmp "$b/config.json" "$BATS_TEST_TMPDIR/edited.json"
	run hr run --bundle "$b" "$(new_id edit3)"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field marker)" = second ]
	assert_userns
	[ "$(field NoNewPrivs)" = 1 ]
}

@test "runc exec without -p, even by plain runc, runs the hardened process (runc reads the recorded bundle)" {
	b=$(make_bundle execp 'sleep 30' ".process.noNewPrivileges = false | .process.capabilities = {bounding: \$all, effective: \$all, permitted: \$all}")
	id=$(new_id execp)
	run_files hr create --bundle "$b" "$id"
	[ "$status" -eq 0 ]
	hr start "$id"
	# runc's exec without -p takes the process from config.json in the bundle
	# its state names; the caller's says noNewPrivileges false and every cap
	run runc_ exec "$id" sh -c 'grep -E "^(CapEff|NoNewPrivs):" /proc/self/status'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field NoNewPrivs)" = 1 ]
	caps_within "$(field CapEff)"
}

@test "a relative root.path and a relative bind source resolve against the caller's bundle, as runc resolves them" {
	b=$BATS_TEST_TMPDIR/rel
	mkdir -p "$b/data/sub"
	echo "from-the-bundle" >"$b/data/sub/marker"
	cp -a "$(hr_rootfs)" "$b/rootfs"
	mkdir -p "$b/rootfs/mnt/data"
	make_bundle rel-src 'cat /mnt/data/marker' \
		'.root.path = "rootfs" | .mounts += [{destination: "/mnt/data", type: "bind", source: "./data/x/../sub", options: ["rbind", "ro"]}]' >/dev/null
	cp "$BATS_TEST_TMPDIR/rel-src/config.json" "$b/config.json"
	cp "$b/config.json" "$BATS_TEST_TMPDIR/saved.json"
	mkdir -p "$b/data/x"
	run "$RUNC" run --bundle "$b" "$(new_id plain)"
	echo "runc: $output"
	[ "$status" -eq 0 ]
	[ "$output" = from-the-bundle ]
	# the same from another working directory, through hardrun
	POLICY=$(write_policy '{"profiles": {"default": {"rules": {"sensitive_mounts": {"action": "off"}}}}}' nosens)
	cd /
	id=$(new_id rel)
	run hr run --bundle "$b" "$id"
	echo "hardrun: $output"
	[ "$status" -eq 0 ]
	[ "$output" = from-the-bundle ]
	cmp "$b/config.json" "$BATS_TEST_TMPDIR/saved.json"
}

@test "a bundle on a read-only file system runs: hardrun writes nothing there" {
	b=$(make_bundle rofs 'echo ran')
	cp "$b/config.json" "$BATS_TEST_TMPDIR/saved.json"
	mount --bind "$b" "$b"
	mount -o remount,bind,ro "$b"
	run hr run --bundle "$b" "$(new_id rofs)"
	umount "$b"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = ran ]
	cmp "$b/config.json" "$BATS_TEST_TMPDIR/saved.json"
}

# ---------------------------------------------------------------------------
# with every rule off, or in audit mode, hardrun is runc

CONTAINER_SEES='grep -E "^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):" /proc/self/status
echo "uid_map=$(cat /proc/self/uid_map | tr -s " ")"; echo "id=$(id)"; echo "hostname=$(hostname)"
awk "{print \$5, \$6}" /proc/self/mountinfo | sort; ls /mnt/data 2>&1'

# normalize ID: a step's output with what differs between two runs of the
# same container (its id, pids, times) replaced.
normalize() {
	sed -E -e "s/$1/ID/g" -e 's/"pid": ?[0-9]+/"pid":N/g' -e 's/"created": ?"[^"]*"/"created":T/g' \
		-e 's/^(root|[0-9]+) +[0-9]+ +[0-9]+ .* ([^ ]+)$/\1 PROC \2/' -e 's/time="[^"]*"/time=T/g'
}

# matrix RUNTIME...: create, state, start, exec (flags too), ps, kill,
# state, delete, state, and the errors of a second delete and of an exec
# into nothing, through RUNTIME; each step's exit status and normalized
# output (stdout and stderr) goes to $BATS_TEST_TMPDIR/matrix.N.
MATRIX_N=0
matrix() {
	local out=$BATS_TEST_TMPDIR/matrix.$MATRIX_N id=hrit-drop-$$-$MATRIX_N
	MATRIX_N=$((MATRIX_N + 1))
	track "$id"
	: >"$out"
	step() {
		local s=0 text
		text=$("$@" 2>&1 </dev/null) || s=$?
		printf '== %s -> %s\n%s\n' "${*:$#-1}" "$s" "$text" | normalize "$id" >>"$out"
	}
	(cd "$B" && "$@" create --pid-file "$BATS_TEST_TMPDIR/pid" "$id" >"$out.init" 2>&1 </dev/null) || echo "create failed" >>"$out"
	step "$@" state "$id"
	[ -s "$BATS_TEST_TMPDIR/pid" ] && echo "pid file written" >>"$out"
	step "$@" start "$id"
	step "$@" exec "$id" sh -c "$CONTAINER_SEES"
	step "$@" exec --env MARKER=x --cwd /tmp --user 1000:1000 "$id" sh -c 'echo "$MARKER $(pwd) $(id -u)"'
	step "$@" exec --no-new-privs "$id" sh -c 'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status'
	[ -z "${WITH_CAP_FLAG:-}" ] || step "$@" exec --cap CAP_SYS_ADMIN "$id" sh -c 'grep -E "^CapEff" /proc/self/status'
	step "$@" ps "$id"
	step "$@" kill "$id" KILL
	wait_stopped "$id" >/dev/null
	step "$@" state "$id"
	step "$@" delete "$id"
	step "$@" state "$id"
	step "$@" delete "$id"
	step "$@" exec "$id" true
	normalize "$id" <"$out.init" >>"$out"
	rm -f "$BATS_TEST_TMPDIR/pid"
}

# compare_with_runc: runc's run of the matrix against hardrun's with every
# rule off and in audit mode, on the bundle $B.  Every check returns on
# failure, so that `run compare_with_runc` sees it too.
compare_with_runc() {
	local rules off audit
	# policy show prints a heading line, then the policy
	rules=$("$HARDRUN" --hardrun-policy "$POLICY" policy show 2>/dev/null | sed -n '/^{/,$p' | jq -c '.profiles.default.rules | map_values({action: "off"})')
	[ -n "$rules" ] || return 1
	off=$(write_policy "{\"profiles\": {\"default\": {\"rules\": $rules}}}" all-off) || return 1
	audit=$(write_policy '{"audit_mode": true}' audit) || return 1
	cp "$B/config.json" "$BATS_TEST_TMPDIR/saved.json"
	MATRIX_N=0
	matrix "$RUNC"
	matrix "$HARDRUN" --hardrun-policy "$off"
	matrix "$HARDRUN" --hardrun-policy "$audit"
	sed -n '1,400p' "$BATS_TEST_TMPDIR/matrix.0"
	diff -u "$BATS_TEST_TMPDIR/matrix.0" "$BATS_TEST_TMPDIR/matrix.1" || return 1
	diff -u "$BATS_TEST_TMPDIR/matrix.0" "$BATS_TEST_TMPDIR/matrix.2" || return 1
	cmp "$B/config.json" "$BATS_TEST_TMPDIR/saved.json" || return 1
	# the matrix did what it says: the container ran and was seen
	grep -q '^NoNewPrivs:' "$BATS_TEST_TMPDIR/matrix.0" || return 1
	grep -q '^x /tmp 1000$' "$BATS_TEST_TMPDIR/matrix.0"
}

@test "rules off and audit mode: runc's spec, every command, the same as runc" {
	B=$(make_bundle plain 'sleep 60' '.process.noNewPrivileges = false' "$(private_rootfs m)")
	compare_with_runc
}

@test "rules off and audit mode: a relative rootfs and a relative bind source, the same as runc" {
	B=$BATS_TEST_TMPDIR/relm
	mkdir -p "$B/data"
	echo in-the-bundle >"$B/data/file"
	cp -a "$(hr_rootfs)" "$B/rootfs"
	mkdir -p "$B/rootfs/mnt/data"
	make_bundle relm-src 'sleep 60' \
		'.root.path = "rootfs" | .process.noNewPrivileges = false | .mounts += [{destination: "/mnt/data", type: "bind", source: "data", options: ["rbind"]}]' >/dev/null
	cp "$BATS_TEST_TMPDIR/relm-src/config.json" "$B/config.json"
	compare_with_runc
	grep -q '^file$' "$BATS_TEST_TMPDIR/matrix.0"
}

@test "rules off and audit mode: a spec with case-variant and duplicate keys, the same as runc" {
	B=$(make_bundle dupm 'sleep 60' '.PROC_B = {noNewPrivileges: true, env: ["PATH=/bin", "MARKER=later"]} | .linux.MASK_B = []' "$(private_rootfs d)")
	spec_with_keys() { jq -c . "$1/config.json" | sed "$2" >"$1/config.new" && mv "$1/config.new" "$1/config.json"; }
	spec_with_keys "$B" 's/"PROC_B"/"Process"/; s/"MASK_B"/"ma\xc5\xbfkedPaths"/'
	compare_with_runc
}

@test "rules off: exec --cap is handed to runc as runc takes it" {
	B=$(make_bundle capm 'sleep 60' '.' "$(private_rootfs c)")
	WITH_CAP_FLAG=1
	run compare_with_runc
	echo "$output" | tail -n 20
	[ "$status" -eq 0 ]
}
