#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# exec into a running hardened container: the --process file gets the
# container's process rules (docker exec --privileged gains nothing), and the
# exec flags that would raise privilege are refused before anything runs.

load helpers

setup() {
	hr_setup
	CID=$(new_id exec)
	local bundle
	bundle=$(make_bundle sleeper 'exec sleep 600')
	hr create --bundle "$bundle" "$CID" >/dev/null 2>&1 </dev/null
	hr start "$CID"
	wait_running "$CID"
}

teardown() {
	hr_teardown
}

# process_file FIXTURE_FILE NAME: an engine's captured exec process file,
# with its command replaced by the report; echoes its path.
process_file() {
	local file=$BATS_TEST_TMPDIR/$2.json
	jq -c --arg script "$REPORT_SCRIPT" '.args = ["/bin/sh", "-c", $script]' "$FIXTURES/$1" >"$file"
	echo "$file"
}

# ran_in_container FILE: FILE exists in the container (an exec left it).
ran_in_container() {
	"$RUNC" exec "$CID" test -e "$1"
}

@test "docker exec --privileged's process file: the exec'd process gets nothing more than the container" {
	f=$(process_file docker-20.10/exec/04-exec.process.json privileged)
	[ "$(jq '.capabilities.effective | length' "$f")" -ge 38 ]
	[ "$(jq '.noNewPrivileges // false' "$f")" = false ]
	cp "$f" "$BATS_TEST_TMPDIR/before.json"
	run hr exec --process "$f" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_hardened_status
	[ "$(field CapEff)" = "$ALLOWED_CAPS" ]
	assert_userns
	if have_probe; then
		[ "$(field keyctl)" = EPERM ]
		[ "$(field unshare_user)" = EPERM ]
		[ "$(field mount)" = EPERM ]
	fi
	# runc got a hardened private copy: the caller's file is left as it was
	cmp "$f" "$BATS_TEST_TMPDIR/before.json"
	line=$(audit_last_for "$CID")
	echo "audit: $line"
	[ "$(jq -r .command <<<"$line")" = exec ]
	[ "$(jq -r .decision <<<"$line")" = modify ]
	[ "$(jq -r .document <<<"$line")" = "$f" ]
}

@test "every spelling of --process reaches hardrun: -p FILE, --process=FILE, -process FILE" {
	for spelling in '-p FILE' '--process=FILE' '-process FILE' '-p=FILE'; do
		f=$(process_file docker-20.10/exec/04-exec.process.json "p$RANDOM")
		args=${spelling//FILE/$f}
		run hr exec $args "$CID"
		echo "$spelling: $output"
		[ "$status" -eq 0 ]
		assert_hardened_status
		[ "$(jq .noNewPrivileges "$f")" = null ]
	done
}

@test "plain runc exec of the same process file would raise the process's privileges" {
	f=$(process_file docker-20.10/exec/04-exec.process.json privileged)
	# this host cannot grant CAP_SYS_RESOURCE at all
	jq -c '.capabilities |= map_values(map(select(. != "CAP_SYS_RESOURCE")))' "$f" >"$f.new" && mv "$f.new" "$f"
	run "$RUNC" exec --process "$f" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	refute caps_within "$(field CapEff)"
	[ "$(field NoNewPrivs)" = 0 ]
}

@test "docker exec's ordinary process file: no_new_privs set for the exec'd process too" {
	f=$(process_file docker-20.10/exec/03-exec.process.json plain)
	run hr exec --process "$f" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_hardened_status
	[ "$(jq .noNewPrivileges "$f")" = null ]
}

@test "hardrun exec ID CMD works and the process is hardened" {
	run hr exec "$CID" cat /proc/self/status
	echo "$output"
	[ "$status" -eq 0 ]
	assert_hardened_status
	run hr exec --no-new-privs --cwd /tmp --env X=1 --user 1000:1000 "$CID" sh -c 'echo "x=$X uid=$(id -u) cwd=$(pwd)"'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "x=1 uid=1000 cwd=/tmp" ]
}

# refused_flag PATTERN FLAGS...: exec with FLAGS is refused naming the flag,
# and its command never runs.
refused_flag() {
	local pattern=$1 marker
	shift
	marker=/tmp/ran-$RANDOM
	run --separate-stderr hr exec "$@" "$CID" touch "$marker"
	echo "exec $*: status $status [$output] [$stderr]"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	assert_log_error "policy denies exec in container $CID.*$pattern"
	[[ "$stderr" == *"$pattern"* ]]
	refute ran_in_container "$marker"
	[[ "$(audit_last_for "$CID")" == *'"decision":"deny"'* ]]
}

@test "exec --cap is refused, in every spelling" {
	refused_flag '--cap CAP_SYS_ADMIN' --cap CAP_SYS_ADMIN
	refused_flag '--cap CAP_SYS_ADMIN' --cap=CAP_SYS_ADMIN
	refused_flag '--cap CAP_SYS_ADMIN' -c CAP_SYS_ADMIN
	refused_flag '--cap CAP_NET_RAW' -cap CAP_NET_RAW
	# even one the allowlist has: capabilities come from the policy
	refused_flag '--cap CAP_CHOWN' --cap CAP_CHOWN
}

@test "exec --no-new-privs=false is refused" {
	refused_flag '--no-new-privs=false' --no-new-privs=false
	refused_flag '--no-new-privs=false' -no-new-privs=0
}

@test "exec --cwd /proc/self/fd/3 is refused" {
	refused_flag '--cwd' --cwd /proc/self/fd/3
	refused_flag '--cwd' --cwd=/proc/1/cwd
}

@test "exec --env with a credential: audited by name by default, refused under secrets deny; never the value" {
	secret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
	run hr exec --env "AWS_SECRET_ACCESS_KEY=$secret" "$CID" true
	echo "$output"
	[ "$status" -eq 0 ]
	audit_last_for "$CID" | jq -e '.decisions[] | select(.rule == "secrets" and .outcome == "audited" and (.message | test("exec --env: env AWS_SECRET_ACCESS_KEY holds")))'
	POLICY=$(write_policy '{"profiles": {"default": {"rules": {"secrets": {"action": "deny"}}}}}' secrets-deny)
	refused_flag '--env: env AWS_SECRET_ACCESS_KEY holds' --env "AWS_SECRET_ACCESS_KEY=$secret"
	refused_flag '--env: env GH holds a GitHub token' -e GH=ghp_0123456789abcdefghijABCDEFGHIJ012345
	refute grep -F -e "$secret" -e ghp_0123456789 "$AUDIT" "$LOG"
}

@test "exec --apparmor and --process-label are refused" {
	refused_flag '--apparmor "x"' --apparmor x
	refused_flag '--process-label "x"' --process-label x
}

@test "a control: the marker command runs when nothing is refused" {
	run hr exec "$CID" touch /tmp/control-marker
	[ "$status" -eq 0 ]
	ran_in_container /tmp/control-marker
}

@test "flags after the container id are the command's arguments, as in runc" {
	run hr exec "$CID" echo --cap CAP_SYS_ADMIN --no-new-privs=false
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "--cap CAP_SYS_ADMIN --no-new-privs=false" ]
}

@test "a process file with a cwd under /proc/self/fd is refused and left as it was" {
	f=$(process_file docker-20.10/exec/03-exec.process.json cwd)
	jq -c '.cwd = "/proc/self/fd/3" | .args = ["touch", "/tmp/cwd-ran"]' "$f" >"$f.new" && mv "$f.new" "$f"
	cp "$f" "$BATS_TEST_TMPDIR/before.json"
	run --separate-stderr hr exec --process "$f" "$CID"
	[ "$status" -eq 1 ]
	assert_log_error 'process_cwd'
	cmp "$f" "$BATS_TEST_TMPDIR/before.json"
	refute ran_in_container /tmp/cwd-ran
}

@test "a process file hardrun cannot read unambiguously is refused" {
	f=$BATS_TEST_TMPDIR/dup.json
	printf '%s' '{"args":["touch","/tmp/dup-ran"],"cwd":"/","noNewPrivileges":true,"NoNewPrivileges":false}' >"$f"
	cp "$f" "$BATS_TEST_TMPDIR/before.json"
	run --separate-stderr hr exec --process "$f" "$CID"
	[ "$status" -eq 1 ]
	assert_log_error 'duplicate key'
	cmp "$f" "$BATS_TEST_TMPDIR/before.json"
	refute ran_in_container /tmp/dup-ran
	printf '%s' '{"args":["touch","/tmp/trunc-ran"],"cwd":"/",' >"$f"
	run --separate-stderr hr exec --process "$f" "$CID"
	[ "$status" -eq 1 ]
	assert_log_error 'invalid JSON'
	refute ran_in_container /tmp/trunc-ran
}

# record_file ID: where hardrun keeps the profile of container ID (created
# with the default runc root).
record_file() {
	echo "/run/hardrun/containers/$(printf '%s\0%s' "${RUNC_ROOT:-/run/runc}" "$1" | sha256sum | cut -d' ' -f1).json"
}

# profiles_policy: examples/policies/profiles.json with the test's audit log and runc.
profiles_policy() {
	jq --arg log "$AUDIT" --arg runc "$RUNC" '.audit_log = $log | .runtime = $runc' \
		"$REPO/examples/policies/profiles.json" >"$BATS_TEST_TMPDIR/profiles.json"
	echo "$BATS_TEST_TMPDIR/profiles.json"
}

@test "exec runs under the profile its container was created under, not the default" {
	POLICY=$(profiles_policy)
	bundle=$(make_bundle strict-sleeper 'exec sleep 600')
	id=$(new_id strict)
	hr --hardrun-profile strict create --bundle "$bundle" "$id" >/dev/null 2>&1 </dev/null
	hr start "$id"
	wait_running "$id"
	rec=$(record_file "$id")
	[ "$(stat -c '%a %u' "$rec")" = "600 0" ]
	[ "$(stat -c '%a %u' /run/hardrun/containers)" = "700 0" ]
	jq -e '.profile == "strict" and .quarantined == false' "$rec"
	# without the runtimeArgs flag, an exec gets strict (no capability),
	# whether the process comes from flags or from a --process file
	run hr exec "$id" cat /proc/self/status
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field CapEff)" = 0000000000000000 ]
	[ "$(field CapBnd)" = 0000000000000000 ]
	[ "$(field NoNewPrivs)" = 1 ]
	line=$(audit_last_for "$id")
	echo "audit: $line"
	jq -e '.command == "exec" and .profile == "strict" and .profile_source == "recorded at create"' <<<"$line"
	CID=$id
	f=$(process_file docker-20.10/exec/03-exec.process.json strict)
	run hr exec -p "$f" "$id"
	[ "$status" -eq 0 ]
	[ "$(field CapEff)" = 0000000000000000 ]
	# a --hardrun-profile at exec cannot pick another profile
	run hr --hardrun-profile default exec "$id" cat /proc/self/status
	[ "$status" -eq 0 ]
	[ "$(field CapEff)" = 0000000000000000 ]
	audit_last_for "$id" | jq -e '.profile == "strict" and (.profile_source | test("hardrun-profile .default. ignored"))'
	# delete removes the record
	hr delete -f "$id"
	[ ! -e "$rec" ]
}

@test "a container without a record (created before profiles were recorded): the default profile, and the audit line says so" {
	rm -f "$(record_file "$CID")"
	run hr exec "$CID" cat /proc/self/status
	[ "$status" -eq 0 ]
	assert_hardened_status
	audit_last_for "$CID" | jq -e '.profile == "default" and (.profile_source | test("^no record of the container.s profile"))'
}

@test "exec without --process: a config.json edited after create gives the exec nothing (runc would read it again)" {
	bundle=$(runc_ state "$CID" | jq -r .bundle)
	jq --argjson all "$ALL_CAPS" '.process.noNewPrivileges = false
		| .process.capabilities = ({bounding: $all, effective: $all, permitted: $all} | map_values(map(select(. != "CAP_SYS_RESOURCE"))))' \
		"$bundle/config.json" >"$bundle/config.new"
	mv "$bundle/config.new" "$bundle/config.json"
	cp "$bundle/config.json" "$BATS_TEST_TMPDIR/before.json"
	run hr exec "$CID" cat /proc/self/status
	echo "$output"
	[ "$status" -eq 0 ]
	assert_hardened_status
	[ "$(field CapEff)" = "$ALLOWED_CAPS" ]
	audit_last_for "$CID" | jq -e --arg doc "$bundle/config.json" '.document == $doc and .decision == "modify"'
	cmp "$bundle/config.json" "$BATS_TEST_TMPDIR/before.json"
	# the same exec through plain runc: CAP_SYS_ADMIN and no no_new_privs
	run "$RUNC" exec "$CID" cat /proc/self/status
	[ "$status" -eq 0 ]
	(((0x$(field CapEff) & (1 << 21)) != 0))
	[ "$(field NoNewPrivs)" = 0 ]
}

@test "exec without --process builds the process as runc does: user, groups, tty off, env appended, args" {
	run hr exec --user 1000:1001 -g 7 -g=16 --env A=1 "$CID" sh -c 'echo "id=$(id -u):$(id -g) groups=$(id -G) a=$A path=$PATH tty=$(tty >/dev/null && echo yes || echo no)"'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "id=1000:1001 groups=1001 7 16 a=1 path=/bin tty=no" ]
	run "$RUNC" exec --user 1000:1001 -g 7 -g=16 --env A=1 "$CID" sh -c 'echo "id=$(id -u):$(id -g) groups=$(id -G) a=$A path=$PATH tty=$(tty >/dev/null && echo yes || echo no)"'
	[ "$output" = "id=1000:1001 groups=1001 7 16 a=1 path=/bin tty=no" ]
	run hr exec --user x "$CID" true
	[ "$status" -eq 1 ]
	assert_log_error 'parsing x as int for uid failed'
}

@test "exec -p from a pipe, /dev/stdin or a process substitution: read once, hardened, runs" {
	f=$(process_file docker-20.10/exec/04-exec.process.json pipe)
	run hr exec -p <(cat "$f") "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_hardened_status
	run hr exec -p /dev/stdin "$CID" <"$f"
	[ "$status" -eq 0 ]
	assert_hardened_status
	run bash -c "cat '$f' | '$HARDRUN' --hardrun-policy '$POLICY' --log '$LOG' --log-format json exec --process /dev/stdin '$CID'"
	[ "$status" -eq 0 ]
	assert_hardened_status
	# bounded: a process file larger than 64 MiB is refused, not read forever
	run --separate-stderr hr exec -p /dev/zero "$CID"
	[ "$status" -eq 1 ]
	assert_log_error 'larger than'
}

@test "exec -p through a symlink: neither the link nor its target is written" {
	f=$(process_file docker-20.10/exec/04-exec.process.json target)
	ln -s "$f" "$BATS_TEST_TMPDIR/link.json"
	cp "$f" "$BATS_TEST_TMPDIR/before.json"
	run hr exec -p "$BATS_TEST_TMPDIR/link.json" "$CID"
	[ "$status" -eq 0 ]
	assert_hardened_status
	[ -L "$BATS_TEST_TMPDIR/link.json" ]
	cmp "$f" "$BATS_TEST_TMPDIR/before.json"
	# nothing of hardrun's is left beside it either
	[ -z "$(find "$BATS_TEST_TMPDIR" -maxdepth 1 -name '.*hardrun*')" ]
}

@test "--preserve-fds: the container gets the caller's fds, never hardrun's private process copy" {
	run hr exec --preserve-fds 1 "$CID" sh -c 'cat <&3; ls -l /proc/$$/fd' 3< <(echo from-fd-3)
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == from-fd-3* ]]
	[[ "$output" != *hardrun-process* ]]
	[ "$(grep -c -- ' -> ' <<<"$output")" -eq 4 ]
}

@test "exec into a quarantined container is refused; its command never runs" {
	POLICY=$(profiles_policy)
	bundle=$(make_bundle q-sleeper 'exec sleep 600' '.linux.namespaces |= map(select(.type != "network"))')
	id=$(new_id quarantined)
	hr --hardrun-profile quarantine create --bundle "$bundle" "$id" >/dev/null 2>&1 </dev/null
	hr start "$id"
	wait_running "$id"
	jq -e '.quarantined == true and .profile == "quarantine"' "$(record_file "$id")"
	CID=$id
	run --separate-stderr hr --hardrun-profile quarantine exec "$id" touch /tmp/q-ran
	echo "$output $stderr"
	[ "$status" -eq 1 ]
	assert_log_error "policy denies exec in container $id.*quarantine: container $id runs quarantined"
	run ran_in_container /tmp/q-ran
	[ "$status" -ne 0 ]
	audit_last_for "$id" | jq -e '.decision == "deny" and .command == "exec"'
	f=$(process_file docker-20.10/exec/03-exec.process.json q)
	run --separate-stderr hr exec -p "$f" "$id"
	[ "$status" -eq 1 ]
	# plain runc would run it
	run "$RUNC" exec "$id" touch /tmp/q-ran
	[ "$status" -eq 0 ]
	ran_in_container /tmp/q-ran
}

@test "records of containers gone without hardrun's delete (runc run deletes its own) are collected when old, never young" {
	old=$(record_file "hrit-gone-old-$$")
	young=$(record_file "hrit-gone-young-$$")
	track_path "$old"
	track_path "$young"
	for which in old young; do
		printf '{"root":"/run/runc","id":"hrit-gone-%s-%s","profile":"default","quarantined":false}' "$which" "$$" >"${!which}"
		chmod 600 "${!which}"
	done
	touch -d '-20 minutes' "$old"
	bundle=$(make_bundle gc 'exec sleep 600')
	id=$(new_id gc)
	hr create --bundle "$bundle" "$id" >/dev/null 2>&1 </dev/null
	[ ! -e "$old" ]
	[ -e "$young" ]
	# the live container's own record is kept, whatever its age
	touch -d '-20 minutes' "$(record_file "$CID")"
	hr delete -f "$id"
	id=$(new_id gc2)
	hr create --bundle "$bundle" "$id" >/dev/null 2>&1 </dev/null
	[ -e "$(record_file "$CID")" ]
}
