#!/usr/bin/env bats
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
	# the process file was rewritten in place
	refute cmp -s "$f" "$BATS_TEST_TMPDIR/before.json"
	[ "$(jq .noNewPrivileges "$f")" = true ]
	jq -e '.capabilities | [.bounding, .effective, .permitted] | map(length <= 8) | all' "$f"
	jq -e '.capabilities.bounding | index("CAP_SYS_ADMIN") | not' "$f"
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
		[ "$(jq .noNewPrivileges "$f")" = true ]
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
	[ "$(jq .noNewPrivileges "$f")" = true ]
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
