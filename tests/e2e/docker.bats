#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Docker 20.10 through hardrun: `docker run --runtime=hardrun` with the
# embedded default policy, the profiles of examples/docker/daemon.json, the
# lock-down deployment (hardrun installed as `runc`) and lifecycle hygiene.
# What each container gets is read from inside it (/proc/self/status,
# uid_map, file owners, a write to /); a refusal is read from docker's own
# error output.  Engines: setup_suite.bash.

load engines

setup() { e2e_require; }
teardown() { e2e_cleanup; }

# ---------------------------------------------------------------------------
# the daemon

@test "docker info lists the runtimes of examples/docker/daemon.json and works" {
	run d info
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ Runtimes:.*hardrun ]]
	run d info --format '{{json .Runtimes}}'
	echo "$output"
	[ "$(echo "$output" | jq -r '.hardrun.path')" = "$HR_BIN" ]
	[ "$(echo "$output" | jq -r '."hardrun-strict".runtimeArgs | join(" ")')" = "--hardrun-policy=/etc/hardrun/profiles.json --hardrun-profile=strict" ]
	[ "$(echo "$output" | jq -r '."hardrun-rollout".runtimeArgs | join(" ")')" = "--hardrun-policy=/etc/hardrun/profiles.json --hardrun-profile=rollout" ]
	# the installed binary is this build's
	cmp "$HARDRUN" "$HR_BIN"
}

@test "hardrun as docker's default-runtime: docker info parses the real runc version, plain docker run is hardened" {
	E2E_TEARDOWN_EXTRA='docker_default_runtime_reset'
	jq '. + {"default-runtime": "hardrun"}' "$REPO/examples/docker/daemon.json" >/etc/docker/daemon.json
	reload_dockerd hardrun
	run d info
	echo "$output" | grep -E 'Default Runtime|runc version|Runtimes'
	[ "$status" -eq 0 ]
	[[ "$output" == *"Default Runtime: hardrun"* ]]
	# docker runs `hardrun --version` and reads the first lines as runc's
	[[ "$output" =~ runc\ version:\ 1\.[0-9]+\.[0-9]+ ]]
	run d run --rm --label "$E2E_LABEL" "$E2E_IMAGE" sh -c "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_hardened
}

docker_default_runtime_reset() {
	# an absent default-runtime keeps the reloaded one: say runc first
	jq '. + {"default-runtime": "runc"}' "$REPO/examples/docker/daemon.json" >/etc/docker/daemon.json
	reload_dockerd hardrun
	write_daemon_json
	reload_dockerd hardrun hardrun-strict hardrun-rollout hardrun-quarantine
	d info 2>/dev/null | grep -q 'Default Runtime: runc'
}

# ---------------------------------------------------------------------------
# the scenario matrix, default policy

@test "docker run: hardened (caps, no_new_privs, seccomp, own id range, idmapped image, read-only /)" {
	run drun "$E2E_IMAGE" sh -c "$PROBE
		cat /proc/self/attr/current 2>/dev/null
		echo \"hosts-owner: \$(stat -c %u /etc/hosts)\"
		echo \"pids.max: \$(cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max)\"
		if touch /tmp/t && touch /run/t && touch /var/tmp/t; then echo 'tmpfs: writable'; fi
		if unshare -U true 2>/dev/null; then echo 'unshare: allowed'; else echo 'unshare: denied'; fi"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_hardened
	expect_field uid 0:0
	expect_field hosts-owner 0
	expect_field pids.max 4096
	expect_field tmpfs writable
	expect_field unshare denied
}

@test "docker run --privileged runs as an ordinary hardened container" {
	run drun --privileged "$E2E_IMAGE" sh -c "$PROBE
		echo \"devices: \$(ls /dev | tr '\n' ' ')\"
		if [ -e /dev/vda ] || [ -e /dev/kmsg ] || [ -e /dev/fuse ]; then echo 'host-devices: present'; else echo 'host-devices: absent'; fi
		if mount -t tmpfs none /mnt 2>/dev/null; then echo 'mount: allowed'; else echo 'mount: denied'; fi"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_hardened
	expect_field host-devices absent
	expect_field mount denied
}

@test "docker run --cap-add ALL --security-opt seccomp=unconfined runs hardened" {
	run drun --cap-add ALL --security-opt seccomp=unconfined "$E2E_IMAGE" sh -c "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_hardened
	expect_field CapBnd "$CAPS_DEFAULT"
}

@test "docker run -v /var/run/docker.sock is refused in docker's own error, naming sensitive_mounts" {
	run drun -v /var/run/docker.sock:/var/run/docker.sock "$E2E_IMAGE" true
	echo "$output"
	expect_refused 'sensitive_mounts: bind mount of "/var/run/docker.sock"'
	expect_output_contains "docker: Error response from daemon"
	[ "$status" -eq 125 ]
}

@test "docker run -v /etc:/hostetc is refused naming sensitive_mounts and /etc" {
	run drun -v /etc:/hostetc:ro "$E2E_IMAGE" true
	echo "$output"
	expect_refused 'sensitive_mounts: bind mount of "/etc"'
}

@test "docker run --pid host is refused naming host_namespaces" {
	run drun --pid host "$E2E_IMAGE" true
	echo "$output"
	expect_refused "host_namespaces" "pid namespace"
}

@test "docker run --net host is refused: the network namespace is the host's" {
	run drun --net host "$E2E_IMAGE" true
	echo "$output"
	expect_refused "host_namespaces" "the network namespace" "is the host's"
}

@test "docker run --ipc host and --uts host are refused naming host_namespaces" {
	run drun --ipc host "$E2E_IMAGE" true
	echo "$output"
	expect_refused "host_namespaces" "ipc namespace"
	run drun --uts host "$E2E_IMAGE" true
	echo "$output"
	expect_refused "host_namespaces" "uts namespace"
}

@test "docker run --read-only --user 1000:1000 --pids-limit 100 runs as uid 1000 with pids.max 100" {
	run drun --read-only --user 1000:1000 --pids-limit 100 "$E2E_IMAGE" sh -c "$PROBE
		echo \"pids.max: \$(cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max)\""
	echo "$output"
	[ "$status" -eq 0 ]
	expect_field uid 1000:1000
	expect_field pids.max 100
	# a non-root process: no effective capabilities, the bounding set cut
	expect_field CapEff "$CAPS_NONE"
	expect_field CapBnd "$CAPS_DEFAULT"
	expect_field NoNewPrivs 1
	expect_field Seccomp 2
	expect_userns
	expect_field owner 0:0
	expect_field rootfs read-only
}

@test "docker run --device /dev/fuse is refused naming devices and /dev/fuse" {
	run drun --device /dev/fuse "$E2E_IMAGE" true
	echo "$output"
	expect_refused "devices:" "/dev/fuse"
}

@test "docker run -t: a TTY at /dev/pts/N, hardened" {
	run d run --rm -t --label "$E2E_LABEL" --runtime=hardrun "$E2E_IMAGE" sh -c "tty; $PROBE"
	output=$(echo "$output" | tr -d '\r')
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$(echo "$output" | head -n 1)" =~ ^/dev/pts/[0-9]+$ ]]
	expect_hardened
}

@test "docker exec and docker exec --privileged gain nothing" {
	id=$(d run -d --label "$E2E_LABEL" --runtime=hardrun "$E2E_IMAGE" sleep 300)
	run d exec "$id" sh -c "$PROBE"
	echo "exec: $output"
	[ "$status" -eq 0 ]
	expect_hardened
	run d exec --privileged "$id" sh -c "$PROBE"
	echo "exec --privileged: $output"
	[ "$status" -eq 0 ]
	expect_hardened
	run d exec --privileged --user 1000 "$id" sh -c "$PROBE"
	echo "exec --privileged --user 1000: $output"
	[ "$status" -eq 0 ]
	expect_field CapEff "$CAPS_NONE"
	expect_field NoNewPrivs 1
	expect_field Seccomp 2
}

@test "docker stop, start, restart, kill and rm -f work and release everything" {
	id=$(d run -d --label "$E2E_LABEL" --runtime=hardrun "$E2E_IMAGE" sleep 300)
	id=$(full_id "$id")
	[ "$(hr_entry_ids "$DOCKER_RUNC_ROOT" | grep -cx "$id")" -eq 1 ]

	d stop -t 1 "$id"
	[ "$(d inspect -f '{{.State.Status}}' "$id")" = exited ]
	expect_released "$DOCKER_RUNC_ROOT" "$id"

	d start "$id"
	run d exec "$id" sh -c "$PROBE"
	echo "after start: $output"
	expect_hardened

	d restart -t 1 "$id"
	[ "$(d inspect -f '{{.State.Status}} {{.State.Running}}' "$id")" = "running true" ]
	run d exec "$id" sh -c "$PROBE"
	echo "after restart: $output"
	expect_hardened
	[ "$(hr_entry_ids "$DOCKER_RUNC_ROOT" | grep -cx "$id")" -eq 1 ]

	d kill "$id"
	wait_for 20 sh -c "[ \"\$(timeout 10 $DOCKER inspect -f '{{.State.Running}}' $id)\" = false ]"
	expect_released "$DOCKER_RUNC_ROOT" "$id"

	d start "$id"
	pid=$(d inspect -f '{{.State.Pid}}' "$id")
	[ "$pid" -gt 0 ]
	d rm -f "$id"
	run d inspect "$id"
	[ "$status" -ne 0 ]
	expect_released "$DOCKER_RUNC_ROOT" "$id"
	if kill -0 "$pid" 2>/dev/null; then echo "its process $pid is still alive" >&2; false; fi
}

@test "docker run --restart on-failure: a container exiting 1 is restarted, hardened each time" {
	id=$(d run -d --label "$E2E_LABEL" --runtime=hardrun --restart on-failure:3 "$E2E_IMAGE" \
		sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status; awk "{print \"uid_map:\", \$1, \$2, \$3}" /proc/self/uid_map; exit 1')
	id=$(full_id "$id")
	wait_for 60 sh -c "[ \"\$(timeout 10 $DOCKER inspect -f '{{.RestartCount}}' $id)\" -gt 0 ]"
	count=$(d inspect -f '{{.RestartCount}}' "$id")
	echo "RestartCount $count"
	[ "$count" -gt 0 ]
	run d logs "$id"
	echo "$output"
	[ "$(echo "$output" | grep -c "^CapEff:	$CAPS_DEFAULT$")" -ge 2 ]
	[ -z "$(echo "$output" | grep "^CapEff:" | grep -v "$CAPS_DEFAULT")" ]
	[ -z "$(echo "$output" | grep "^uid_map:" | grep -v -E '^uid_map: 0 [1-9][0-9]* 65536$')" ]
	d rm -f "$id"
	expect_released "$DOCKER_RUNC_ROOT" "$id"
}

@test "docker run -v HOSTDIR:/var/tmp: a writable volume; files the container creates belong to its range" {
	vol=$BATS_TEST_TMPDIR/vol
	mkdir -p "$vol"
	chmod 1777 "$vol"
	echo hello >"$vol/from-host"
	run drun -v "$vol:/var/tmp" "$E2E_IMAGE" sh -c "$PROBE
		cat /var/tmp/from-host && touch /var/tmp/from-container && echo 'volume: writable'"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_field volume writable
	expect_output_contains hello
	base=$(field uid_map | awk '{print $2}')
	owner=$(stat -c %u "$vol/from-container")
	echo "range starts at $base, the file belongs to host uid $owner"
	[ "$owner" -eq "$base" ]
	[ "$owner" -ne 0 ]
}

@test "docker run -v HOSTDIR:/data and --tmpfs /scratch: mounts at paths the image does not have" {
	vol=$BATS_TEST_TMPDIR/vol
	mkdir -p "$vol"
	chmod 1777 "$vol"
	# the image has no /data and no /scratch: the runtime creates the mount
	# points, as plain runc does in Docker's writable rootfs
	run drun -v "$vol:/data" "$E2E_IMAGE" sh -c 'touch /data/f && echo "volume: writable"'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"volume: writable"* ]]
	run drun --tmpfs /scratch "$E2E_IMAGE" sh -c 'touch /scratch/f && echo "tmpfs: writable"'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"tmpfs: writable"* ]]
}

@test "docker run -v NAMED_VOLUME:/data: allowed, writable by the container's root, shared with the next container" {
	vol=hr-e2e-vol-$$
	d volume create "$vol" >/dev/null
	run drun -v "$vol:/data" "$E2E_IMAGE" sh -c 'echo kept >/data/f && stat -c "owner %u:%g" /data/f'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"owner 0:0"* ]]
	# another container, another id range: the file is still its root's
	run drun -v "$vol:/data" "$E2E_IMAGE" sh -c 'cat /data/f && stat -c "owner %u:%g" /data/f && echo more >>/data/f && echo appended'
	d volume rm -f "$vol" >/dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *kept* ]]
	[[ "$output" == *"owner 0:0"* ]]
	[[ "$output" == *appended* ]]
}

# ---------------------------------------------------------------------------
# profiles through runtimeArgs (examples/docker/daemon.json and
# examples/policies/profiles.json at /etc/hardrun/profiles.json)

@test "runtime hardrun-strict: no capabilities at all, --privileged refused" {
	run d run --rm --label "$E2E_LABEL" --runtime=hardrun-strict "$E2E_IMAGE" sh -c "$PROBE
		echo \"pids.max: \$(cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max)\""
	echo "$output"
	[ "$status" -eq 0 ]
	expect_hardened "$CAPS_NONE"
	expect_field CapBnd "$CAPS_NONE"
	expect_field pids.max 512
	run d run --rm --label "$E2E_LABEL" --runtime=hardrun-strict --privileged "$E2E_IMAGE" true
	echo "${output:0:600}"
	expect_refused "profile \"strict\"" "privileged:"
}

@test "runtime hardrun-rollout: the container runs unmodified, the audit log says what would change" {
	id=$(d run -d --label "$E2E_LABEL" --runtime=hardrun-rollout "$E2E_IMAGE" sleep 300)
	id=$(full_id "$id")
	run d exec "$id" sh -c "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	# Docker's own defaults, untouched: its 14 capabilities, no user namespace
	expect_field CapEff 00000000a80425fb
	expect_field NoNewPrivs 0
	expect_field uid_map "0 0 4294967295;"
	expect_field rootfs writable
	# the audit line of its create
	line=$(audit_lines "$id" | grep '"command":"create"')
	echo "$line" | jq -c .
	[ "$(echo "$line" | wc -l)" -eq 1 ]
	[ "$(echo "$line" | jq -r .profile)" = rollout ]
	[ "$(echo "$line" | jq -r '.decisions | length')" -gt 0 ]
	[ "$(echo "$line" | jq -r '[.decisions[].outcome] | unique | join(",")')" = audited ]
	for rule in user_namespace readonly_rootfs capabilities no_new_privileges; do
		echo "$line" | jq -e --arg r "$rule" '[.decisions[] | select(.rule == $r)] | length > 0' >/dev/null
	done
	# a rollout container holds no id range
	[ -z "$(hr_entry_ids "$DOCKER_RUNC_ROOT" | grep -x "$id")" ]
}

@test "runtime hardrun-quarantine: docker run --net host runs isolated (only lo, no capability), audited as quarantined" {
	run d run --rm --label "$E2E_LABEL" --runtime=hardrun-quarantine --net host "$E2E_IMAGE" sh -c "$PROBE
		echo \"interfaces: \$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\n' ' ')\""
	echo "$output"
	[ "$status" -eq 0 ]
	expect_field interfaces "lo "
	expect_field CapEff "$CAPS_NONE"
	expect_field NoNewPrivs 1
	line=$(grep '"profile":"quarantine"' "$E2E_AUDIT" | grep '"command":"create"' | tail -n 1)
	echo "$line" | jq -c .
	echo "$line" | jq -e '.quarantined == true and .decision == "quarantine"' >/dev/null
	echo "$line" | jq -e '[.decisions[] | select(.rule == "host_namespaces" and .outcome == "quarantined")] | length == 1' >/dev/null
}

@test "runtime hardrun-quarantine: docker exec into a quarantined container is refused, nothing runs; a compliant one's exec keeps its profile" {
	out=$(mktemp -d /tmp/hardrun-e2e-q.XXXXXX)
	chmod 0777 "$out"
	id=$(d run -d --label "$E2E_LABEL" --runtime=hardrun-quarantine --net host -v "$out:/out" "$E2E_IMAGE" sleep 300)
	id=$(full_id "$id")
	run d exec "$id" sh -c 'touch /out/exec-ran; grep CapEff /proc/self/status'
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"runs quarantined"* ]]
	run d exec --privileged --user 1000 "$id" touch /out/exec-ran
	[ "$status" -ne 0 ]
	[ ! -e "$out/exec-ran" ]
	line=$(jq -c --arg id "$id" 'select(.container == $id and .command == "exec")' "$E2E_AUDIT" | tail -n 1)
	echo "$line"
	jq -e '.decision == "deny" and .profile == "quarantine" and .profile_source == "recorded at create"' <<<"$line"
	# the container itself still runs, cut off
	[ "$(d inspect -f '{{.State.Running}}' "$id")" = true ]
	d rm -f "$id" >/dev/null
	# compliant under the same runtime: the exec runs, under the profile
	# the container was created with
	id=$(d run -d --label "$E2E_LABEL" --runtime=hardrun-quarantine -v "$out:/out" "$E2E_IMAGE" sleep 300)
	id=$(full_id "$id")
	run d exec "$id" sh -c 'touch /out/exec-ran; grep -E "^(CapEff|NoNewPrivs)" /proc/self/status'
	echo "$output"
	[ "$status" -eq 0 ]
	[ -e "$out/exec-ran" ]
	expect_field NoNewPrivs 1
	d rm -f "$id" >/dev/null
	rm -rf "$out"
}

@test "runtime hardrun-rollout: what the default profile refuses still runs, audited" {
	run d run --rm --label "$E2E_LABEL" --runtime=hardrun-rollout -v /etc:/hostetc:ro "$E2E_IMAGE" \
		sh -c 'test -f /hostetc/passwd && echo "hostetc: visible"'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"hostetc: visible"* ]]
	line=$(grep '"profile":"rollout"' "$E2E_AUDIT" | grep '/etc' | tail -n 1)
	echo "$line" | jq -c '.decisions[] | select(.rule == "sensitive_mounts")'
	echo "$line" | jq -e '[.decisions[] | select(.rule == "sensitive_mounts" and .outcome == "audited")] | length > 0'
}

# ---------------------------------------------------------------------------
# lock-down: hardrun installed as `runc`

@test "lock-down: hardrun installed as runc in front of /usr/sbin/runc catches docker --runtime=runc" {
	E2E_TEARDOWN_EXTRA='lockdown_undo'
	local cpath
	cpath=$(tr '\0' '\n' </proc/"$(pgrep -n -x containerd)"/environ | sed -n 's/^PATH=//p')
	echo "containerd's PATH: $cpath"
	# the shim resolves "runc" in containerd's PATH: /usr/local/sbin must come first
	first=$(
		IFS=:
		for dir in $cpath; do
			if [ "$dir" = /usr/local/sbin ] || [ -x "$dir/runc" ]; then
				echo "$dir"
				break
			fi
		done
	)
	[ "$first" = /usr/local/sbin ] || skip "containerd's PATH finds runc in $first before /usr/local/sbin"
	lockdown_install || skip "$LOCKDOWN_RUNC already exists"

	# the lock-down binary reports the real runtime it will run
	run "$LOCKDOWN_RUNC" --version
	echo "$output"
	[[ "$(echo "$output" | head -n 1)" =~ ^runc\ version\ 1\. ]]
	expect_output_contains "hardrun real runtime: /usr/sbin/runc"

	id=$(d run -d --label "$E2E_LABEL" --runtime=runc "$E2E_IMAGE" sleep 300)
	id=$(full_id "$id")
	run d exec "$id" sh -c "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	expect_hardened
	# the real runc created it (its state), hardrun ran once (one audit line)
	[ -f "$DOCKER_RUNC_ROOT/$id/state.json" ]
	if [ -f /var/log/hardrun/audit.jsonl ]; then
		[ "$(grep -F "\"$id\"" /var/log/hardrun/audit.jsonl | grep -c '"command":"create"')" -eq 1 ]
	fi
	# and it is runc's state that `runc state` reads through hardrun
	run "$LOCKDOWN_RUNC" --root "$DOCKER_RUNC_ROOT" state "$id"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .status)" = running ]
	run d run --rm --label "$E2E_LABEL" --runtime=runc -v /var/run/docker.sock:/var/run/docker.sock "$E2E_IMAGE" true
	echo "$output"
	expect_refused 'sensitive_mounts: bind mount of "/var/run/docker.sock"'
	d rm -f "$id"
	expect_released "$DOCKER_RUNC_ROOT" "$id"

	lockdown_undo
	[ ! -e "$LOCKDOWN_RUNC" ]
	run d run --rm --label "$E2E_LABEL" --runtime=runc "$E2E_IMAGE" grep CapEff /proc/self/status
	echo "after undo: $output"
	[[ "$output" == *"CapEff:	00000000a80425fb"* ]]
}

# ---------------------------------------------------------------------------
# hygiene

@test "lifecycle hygiene: 50 containers created and removed leave no mounts, ranges, staging, state or processes" {
	: >"$BATS_TEST_TMPDIR/ids"
	lane() {
		local i id pid
		for i in $(seq 10); do
			id=$(d run -d --label "$E2E_LABEL" --runtime=hardrun "$E2E_IMAGE" sleep 300) || { echo "run failed" >&2; return 1; }
			pid=$(d inspect -f '{{.State.Pid}}' "$id")
			echo "$id $pid" >>"$BATS_TEST_TMPDIR/ids"
			d rm -f "$id" >/dev/null || { echo "rm failed" >&2; return 1; }
		done
	}
	pids=()
	for l in 1 2 3 4 5; do lane & pids+=($!); done
	for p in "${pids[@]}"; do wait "$p"; done
	[ "$(wc -l <"$BATS_TEST_TMPDIR/ids")" -eq 50 ]
	ids=$(awk '{print $1}' "$BATS_TEST_TMPDIR/ids")
	expect_released "$DOCKER_RUNC_ROOT" $ids
	[ -z "$(hr_entry_ids "$DOCKER_RUNC_ROOT")" ]
	expect_hr_state_clean
	while read -r id pid; do
		if [ -d "/proc/$pid" ] && grep -q "$id" "/proc/$pid/cgroup" 2>/dev/null; then
			echo "container $id left process $pid: $(tr '\0' ' ' </proc/$pid/cmdline)" >&2
			false
		fi
		if pgrep -f "containerd-shim.* -id $id" >/dev/null; then echo "the shim of $id is still running" >&2; false; fi
	done <"$BATS_TEST_TMPDIR/ids"
}

@test "hardrun policy validate accepts every examples/policies/*.json" {
	n=0
	for f in "$REPO"/examples/policies/*.json "$E2E_PROFILES"; do
		run "$HR_BIN" policy validate "$f"
		echo "$f: status $status: $output"
		[ "$status" -eq 0 ]
		n=$((n + 1))
	done
	[ "$n" -ge 4 ]
	# and a broken one is not accepted
	echo '{"version": 1, "profiles": {"default": {"rules": {"capabilities": {"allow": ["CAP_NOPE"]}}}}}' >"$BATS_TEST_TMPDIR/bad.json"
	run "$HR_BIN" policy validate "$BATS_TEST_TMPDIR/bad.json"
	echo "$output"
	[ "$status" -ne 0 ]
}
