#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Hooks run as root on the host: a hook is judged whole (path, arguments,
# environment) and runc is handed the path that was judged.  Each attack is
# shown to work through plain runc (the hook's side effect appears on the
# host) and to fail through hardrun (refused before runc, no side effect).

load helpers

setup() {
	hr_setup
	OUT=$BATS_TEST_TMPDIR/out
	mkdir -p "$OUT"
}

teardown() {
	[ -z "${FLIPPER:-}" ] || kill "$FLIPPER" 2>/dev/null || true
	[ -z "${STANDIN:-}" ] || kill "$STANDIN" 2>/dev/null || true
	# what the dockerd of the plain-runc control mounted before it was killed
	umount -R "$OUT/data" "$OUT/exec" 2>/dev/null || true
	hr_teardown
}

# hook_bundle NAME HOOK_JSON: a bundle whose prestart hooks are HOOK_JSON
# (a JSON array; $id in it is the container id, which is also the bundle's).
hook_bundle() {
	local dir
	dir=$(make_bundle "$1" true) || return 1
	jq --argjson hooks "$2" '.hooks = {prestart: $hooks}' "$dir/config.json" >"$dir/c" && mv "$dir/c" "$dir/config.json"
	echo "$dir"
}

# evil_so: a library that, preloaded into any program, leaves $OUT/hook-ran
# and exits before the program runs.
evil_so() {
	command -v "${CC:-cc}" >/dev/null || skip "needs a C compiler (apt-get install gcc)"
	printf '#include <fcntl.h>\n#include <unistd.h>\n__attribute__((constructor)) static void evil(void) { close(open("%s/hook-ran", O_CREAT | O_WRONLY, 0644)); _exit(0); }\n' "$OUT" >"$BATS_TEST_TMPDIR/evil.c"
	"${CC:-cc}" -shared -fPIC -o "$OUT/evil.so" "$BATS_TEST_TMPDIR/evil.c"
}

# docker_hook ID [ENV_JSON]: Docker 20.10's network hook for container ID, run
# as dockerd itself (what hardrun hands runc for /proc/PID/exe).
docker_hook() {
	jq -nc --arg id "$1" --argjson env "${2:-null}" \
		'[{path: "/usr/sbin/dockerd", args: ["libnetwork-setkey", "-exec-root=/var/run/docker", $id, "a0c0ffee0000"]}
		  | if $env then .env = $env else . end]'
}

# the three attacks of the issue: a library preloaded into dockerd, dockerd
# with arguments of the attacker's choice, a script nobody listed
ld_preload_hooks() { docker_hook "$1" "[\"LD_PRELOAD=$OUT/evil.so\"]"; }
dockerd_args_hooks() {
	jq -nc --arg out "$OUT" '[{path: "/usr/sbin/dockerd", timeout: 3,
		args: ["dockerd", "-H", "unix://\($out)/api.sock", "--pidfile", "\($out)/hook-ran", "--config-file", "\($out)/daemon.json",
		       "--data-root", "\($out)/data", "--exec-root", "\($out)/exec", "--containerd", "\($out)/none.sock"]}]'
}
script_hooks() { jq -nc --arg out "$OUT" '[{path: "\($out)/hook.sh", args: ["hook.sh"]}]'; }

prepare_attacks() {
	evil_so
	echo '{}' >"$OUT/daemon.json"
	printf '#!/bin/sh\ntouch %s/hook-ran\n' "$OUT" >"$OUT/hook.sh"
	chmod 755 "$OUT/hook.sh"
}

# refused ATTACK: through hardrun the container is refused by the hooks rule
# and the hook never ran.
refused() {
	local id bundle
	id=$(new_id "$1")
	bundle=$(hook_bundle "$1" "$("$1_hooks" "$id")")
	cp "$bundle/config.json" "$BATS_TEST_TMPDIR/before.json"
	run_files hr run --bundle "$bundle" "$id"
	echo "$1: status $status, stderr [$stderr]"
	[ "$status" -eq 1 ]
	assert_log_error "policy denies container $id .*hooks: prestart hook .*is not an allowed shape"
	cmp "$bundle/config.json" "$BATS_TEST_TMPDIR/before.json"
	run ! container_exists "$id"
	[ ! -e "$OUT/hook-ran" ]
}

@test "hooks: LD_PRELOAD into dockerd, dockerd with an API on the network, an unlisted script: each refused, none runs" {
	prepare_attacks
	refused ld_preload
	refused dockerd_args
	refused script
}

@test "hooks: control: through plain runc the same hooks run as host root" {
	prepare_attacks
	local attack id bundle
	for attack in ld_preload dockerd_args script; do
		rm -f "$OUT/hook-ran"
		id=$(new_id "plain-$attack")
		bundle=$(hook_bundle "plain-$attack" "$("${attack}_hooks" "$id")")
		run_files "$RUNC" run --bundle "$bundle" "$id"
		echo "$attack: status $status, stderr [$stderr]"
		# dockerd is killed at its timeout, after it wrote its pid file
		[ -e "$OUT/hook-ran" ]
	done
}

@test "hooks: Docker's own hook is pinned to the trusted dockerd, only for this container's id" {
	local id bundle
	# a stand-in whose /proc/PID/exe is dockerd, as Docker names its hook:
	# dockerd's libnetwork-setkey entry point waiting on its stdin
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	(exec -a libnetwork-setkey /usr/sbin/dockerd x y <>"$BATS_TEST_TMPDIR/fifo" >/dev/null 2>&1) &
	STANDIN=$!
	id=$(new_id own)
	bundle=$(hook_bundle own "$(docker_hook "$id" | jq -c --arg p "/proc/$STANDIN/exe" '.[0].path = $p')")
	# judged and handed to runc as /usr/sbin/dockerd (the hook then fails:
	# no dockerd serves this made-up network controller)
	run_files hr create --bundle "$bundle" "$id"
	audit_last_for "$id" | jq -e --arg p "/proc/$STANDIN/exe" \
		'.decisions | map(select(.rule == "hooks" and (.message | contains("hook \"\($p)\" runs as \"/usr/sbin/dockerd\"")))) | length == 1'
	# /proc/$$/exe is bash, not dockerd
	id=$(new_id bash)
	bundle=$(hook_bundle bash "$(docker_hook "$id" | jq -c --arg p "/proc/$$/exe" '.[0].path = $p')")
	run_files hr create --bundle "$bundle" "$id"
	[ "$status" -eq 1 ]
	assert_log_error "prestart hook \"/proc/$$/exe\" resolved to /usr/bin/bash.*not an allowed shape"
	# the hook of another container
	id=$(new_id other)
	bundle=$(hook_bundle other "$(docker_hook "$(new_id someone-else)")")
	run_files hr create --bundle "$bundle" "$id"
	[ "$status" -eq 1 ]
	assert_log_error "prestart hook \"/usr/sbin/dockerd\".*not an allowed shape"
}

@test "hooks: a hook path whose symlink flips between an allowed executable and a script never runs the script" {
	# the policy allows touch with these exact arguments; the script it
	# flips to would run with the same ones (no user namespace: each create
	# costs less without staging an idmapped rootfs, and the hook is the
	# same host command either way)
	local link i id bundle ran=0
	POLICY=$(write_policy "$(jq -nc --arg out "$OUT" '{profiles: {default: {rules: {user_namespace: {action: "off"},
		hooks: {allowed: [{kinds: ["prestart"], executable: ["/usr/bin/touch"], args: ["touch", "\($out)/allowed-ran"]}]}}}}}')")
	printf '#!/bin/sh\ntouch %s/script-ran\n' "$OUT" >"$OUT/evil.sh"
	chmod 755 "$OUT/evil.sh"
	link=$BATS_TEST_TMPDIR/links/hook
	mkdir -p "$BATS_TEST_TMPDIR/links"
	ln -s /usr/bin/touch "$link"
	# flip atomically (rename over the link), bounded
	(
		for i in $(seq 200000); do
			[ -e "$BATS_TEST_TMPDIR/stop" ] && exit 0
			ln -sfn "$OUT/evil.sh" "$link.t1" && mv -T "$link.t1" "$link"
			ln -sfn /usr/bin/touch "$link.t2" && mv -T "$link.t2" "$link"
		done
	) &
	FLIPPER=$!
	for i in $(seq 30); do
		id=$(new_id "flip$i")
		bundle=$(hook_bundle "flip$i" "$(jq -nc --arg p "$link" --arg out "$OUT" '[{path: $p, args: ["touch", "\($out)/allowed-ran"]}]')")
		# prestart hooks run during create
		run_files ${FLIP_RUNNER:-hr} create --bundle "$bundle" "$id"
		[ "$status" -eq 0 ] && ran=$((ran + 1))
		"$HARDRUN" --hardrun-policy "$POLICY" delete -f "$id" >/dev/null 2>&1 || true
	done
	touch "$BATS_TEST_TMPDIR/stop"
	wait "$FLIPPER" || true
	FLIPPER=
	echo "creates that succeeded: $ran of 30"
	# some creates won the allowed executable, and the script never ran
	[ "$ran" -gt 0 ]
	[ -e "$OUT/allowed-ran" ]
	[ ! -e "$OUT/script-ran" ]
}
