#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Observability, through real runc: what an audit line says about where it
# was written (host, hardrun's version, the digest of the policy enforced,
# the pod); `report --since/--container` on a live log; `report --format
# prometheus` read by a strict parser and checked against the log; syslog
# with a severity that follows the decision, received by a real listener on
# /dev/log, and a syslog that is absent or stalled never stopping a
# container.

load helpers

setup() {
	hr_setup
	jq --arg log "$AUDIT" --arg runc "$RUNC" '.audit_log = $log | .runtime = $runc' \
		"$REPO/examples/policies/profiles.json" >"$BATS_TEST_TMPDIR/profiles.json"
}

teardown() {
	hr_teardown
}

# version_line version|commit: what `hardrun --version` says
version_line() {
	"$HARDRUN" --version | sed -n -E "s/^hardrun $1:? //p"
}

# run_one NAME [JQ_FILTER [HARDRUN_ARGS...]]: `hr run` of a container that
# echoes; its id in $ID.
run_one() {
	local name=$1 filter=${2:-.} bundle
	shift 2 || shift $#
	bundle=$(make_bundle "$name" 'echo ran=yes' "$filter")
	ID=$(new_id "$name")
	run hr "$@" run --bundle "$bundle" "$ID"
	echo "$output"
}

# run_three_outcomes: one container modified, one in the rollout profile's
# audit mode, one refused; each must end as its decision says.
run_three_outcomes() {
	run_one modified
	[ "$status" -eq 0 ] || return 1
	run_one rollout . --hardrun-profile rollout
	[ "$status" -eq 0 ] || return 1
	run_one refused '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	[ "$status" -eq 1 ] || return 1
}

@test "audit lines name the host, hardrun's version and commit, and the digest of the policy bytes enforced" {
	run_one plain
	[ "$status" -eq 0 ]
	line=$(audit_last_for "$ID")
	echo "$line"
	jq -e --arg host "$(hostname)" --arg v "$(version_line version)" --arg c "$(version_line commit)" \
		--arg policy "$POLICY" --arg sha "$(sha256sum "$POLICY" | cut -d' ' -f1)" '
		.host == $host and .hardrun_version == $v and .hardrun_commit == $c
		and .policy == $policy and .policy_sha256 == $sha and (.policy_sha256 | test("^[0-9a-f]{64}$"))' <<<"$line"
	# the fields that were there keep their meaning; no pod outside Kubernetes
	jq -e --arg id "$ID" '.container == $id and .command == "run" and .decision == "modify"
		and .profile == "default" and (.time | test("^[0-9-]{10}T[0-9:]{8}\\.[0-9]{6}Z$"))
		and (.decisions | length > 0) and (has("kubernetes") | not)' <<<"$line"
	# other bytes, another digest: the line names the policy that decided
	old=$(jq -r .policy_sha256 <<<"$line")
	echo ' ' >>"$POLICY"
	run_one again
	[ "$status" -eq 0 ]
	jq -e --arg old "$old" --arg sha "$(sha256sum "$POLICY" | cut -d' ' -f1)" \
		'.policy_sha256 == $sha and .policy_sha256 != $old' <<<"$(audit_last_for "$ID")"
}

@test "a pod's container: the audit lines of its create and of an exec name its namespace, pod and container" {
	local annotations
	# containerd 1.6's CRI annotations, as captured, with a pod of our own
	annotations=$(jq -c '.annotations | .["io.kubernetes.cri.sandbox-namespace"] = "team-a"
		| .["io.kubernetes.cri.sandbox-name"] = "web-0"' \
		"$FIXTURES/containerd-1.6-cri/default-container/config.json")
	bundle=$(make_bundle pod 'sleep 30' ".annotations = $annotations")
	ID=$(new_id pod)
	hr create --bundle "$bundle" "$ID" >/dev/null 2>&1 </dev/null
	hr start "$ID"
	wait_running "$ID"
	run hr exec "$ID" true
	[ "$status" -eq 0 ]
	jq -c --arg id "$ID" 'select(.container == $id)' "$AUDIT" >"$BATS_TEST_TMPDIR/lines"
	cat "$BATS_TEST_TMPDIR/lines"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/lines")" -eq 2 ]
	jq -se '.[0].command == "create" and .[1].command == "exec"
		and all(.[]; .kubernetes.namespace == "team-a" and .kubernetes.pod == "web-0"
			and .kubernetes.container == "app" and .kubernetes.container_type == "container"
			and .kubernetes.pod_uid == "00000000-0000-4000-8000-0000c0ffee00")' "$BATS_TEST_TMPDIR/lines"
}

@test "report --since and --container choose the records, in every format" {
	run_one first
	[ "$status" -eq 0 ]
	first=$ID
	since=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
	run_one second
	second=$ID
	run_one third
	third=$ID
	run "$HARDRUN" report --audit-log "$AUDIT" --since "$since" --format json
	echo "$output"
	[ "$status" -eq 0 ]
	jq -e --arg s "$second" --arg t "$third" '.records == 2 and .filter.left_out == 1
		and ([.containers[].container] | sort) == ([$s, $t] | sort)' <<<"$output"
	run "$HARDRUN" report --audit-log "$AUDIT" --since 1h --format json
	[ "$status" -eq 0 ]
	jq -e '.records == 3 and .filter.since == "1h"' <<<"$output"
	run "$HARDRUN" report --audit-log "$AUDIT" --since 2999-01-01T00:00:00+01:00 --format json
	[ "$status" -eq 0 ]
	jq -e '.records == 0 and .filter.left_out == 3' <<<"$output"
	# a unique prefix, like docker
	run "$HARDRUN" report --audit-log "$AUDIT" --container "${second%-*}" --format json
	echo "$output"
	[ "$status" -eq 0 ]
	jq -e --arg s "$second" '.records == 1 and .containers[0].container == $s and .filter.container == $s' <<<"$output"
	run "$HARDRUN" report --audit-log "$AUDIT" --container "$first" --since "$since" --format json
	[ "$status" -eq 0 ]
	jq -e '.records == 0 and .filter.left_out == 3' <<<"$output"
	run "$HARDRUN" report --audit-log "$AUDIT" --container "$third"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"filter:    container $third; 2 records left out"* ]]
	[[ "$output" == *"records:   1 (allow 0, modify 1, deny 0, quarantine 0)"* ]]
	run "$HARDRUN" report --audit-log "$AUDIT" --container "$second" --format prometheus
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *'hardrun_containers_total{outcome="modify",profile="default"} 1'* ]]
	# an ambiguous prefix, an unknown id, a time that is not one: errors
	run "$HARDRUN" report --audit-log "$AUDIT" --container hrit-
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *'--container "hrit-" is the prefix of several containers: '*"\"$first\""* ]]
	run "$HARDRUN" report --audit-log "$AUDIT" --container nosuchcontainer
	[ "$status" -eq 2 ]
	[[ "$output" == *'--container "nosuchcontainer": no container of the audit log'* ]]
	run "$HARDRUN" report --audit-log "$AUDIT" --since yesterday
	[ "$status" -eq 2 ]
	[[ "$output" == *'--since "yesterday": expected an RFC 3339 time'* ]]
}

@test "report --format prometheus: strict exposition format, counts equal to the log's" {
	POLICY=$BATS_TEST_TMPDIR/profiles.json
	run_three_outcomes
	run "$HARDRUN" report --audit-log "$AUDIT" --format prometheus
	echo "$output"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | python3 "$HELPERS_DIR/prom_parse.py" >"$BATS_TEST_TMPDIR/samples.json"
	# every (rule, outcome, profile) of the log, counted by jq, is one sample
	jq -cs '[.[] | .profile as $p | .decisions[] | select(.outcome != "truncated")
		| {rule, outcome, profile: $p}] | group_by(.) | map(.[0] + {n: length}) | sort' "$AUDIT" >"$BATS_TEST_TMPDIR/want"
	jq -c '[.[] | select(.name == "hardrun_decisions_total") | .labels + {n: .value}] | sort' \
		"$BATS_TEST_TMPDIR/samples.json" >"$BATS_TEST_TMPDIR/got"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	jq -e '[.[] | select(.name == "hardrun_containers_total") | .labels + {n: .value}] | sort ==
		[{outcome: "allow", profile: "rollout", n: 1}, {outcome: "deny", profile: "default", n: 1},
		 {outcome: "modify", profile: "default", n: 1}]' "$BATS_TEST_TMPDIR/samples.json"
	jq -e '[.[] | select(.name == "hardrun_decisions_total" and .labels.rule == "sysctls")][0].labels.outcome == "denied"' \
		"$BATS_TEST_TMPDIR/samples.json"
	jq -e '[.[] | select(.name == "hardrun_audit_unreadable_lines")][0].value == 0' "$BATS_TEST_TMPDIR/samples.json"
}

# in_private_dev SCRIPT: SCRIPT in a mount namespace of its own whose /dev
# is a writable overlay of the host's, so that /dev/log there is the test's
# (made, removed or replaced) and the host's /dev is untouched.
in_private_dev() {
	local t=$BATS_TEST_TMPDIR/dev
	mkdir -p "$t/upper" "$t/work"
	HARDRUN=$HARDRUN POLICY=$POLICY LOG=$LOG HELPERS_DIR=$HELPERS_DIR T=$BATS_TEST_TMPDIR \
		unshare -m --propagation private bash -euc "mount -t overlay overlay \
		-o lowerdir=/dev,upperdir=$t/upper,workdir=$t/work /dev || exit 77
		$1"
}

# skip_without_private_dev: after `run in_private_dev`, skips when the
# overlay could not be mounted.
skip_without_private_dev() {
	[ "$status" -ne 77 ] || skip "needs an overlay mount over /dev in a private mount namespace"
}

# wait_for FILE [LINES]: until FILE exists (and has LINES lines), 10 s at most.
WAIT_FOR='wait_for() { for _ in $(seq 100); do [ -e "$1" ] && [ "$(wc -l <"$1")" -ge "${2:-0}" ] && return 0; sleep 0.1; done; return 1; }'

syslog_policy() {
	jq '.audit_syslog = true' "$BATS_TEST_TMPDIR/profiles.json" >"$BATS_TEST_TMPDIR/syslog.json"
	POLICY=$BATS_TEST_TMPDIR/syslog.json
}

@test "syslog: each decision reaches /dev/log as LOG_AUTHPRIV, with a severity that follows it" {
	syslog_policy
	b_mod=$(make_bundle mod 'echo ran')
	b_allow=$(make_bundle allow 'echo ran')
	b_deny=$(make_bundle deny 'echo ran' '.linux.sysctl = {"net.ipv4.ip_forward": "1"}')
	id_mod=$(new_id mod) id_allow=$(new_id allow) id_deny=$(new_id deny)
	run in_private_dev "$WAIT_FOR
		python3 \$HELPERS_DIR/syslog_listen.py /dev/log \$T/syslog.out \$T/ready & pid=\$!
		wait_for \$T/ready
		\$HARDRUN --hardrun-policy \$POLICY run --bundle $b_mod $id_mod
		\$HARDRUN --hardrun-policy \$POLICY --hardrun-profile rollout run --bundle $b_allow $id_allow
		\$HARDRUN --hardrun-policy \$POLICY run --bundle $b_deny $id_deny || echo refused
		wait_for \$T/syslog.out 3 || echo 'fewer than 3 messages'
		kill \$pid"
	echo "$output"
	skip_without_private_dev
	[ "$status" -eq 0 ]
	[[ "$output" == *refused* ]]
	[[ "$output" != *'fewer than'* ]]
	cat "$BATS_TEST_TMPDIR/syslog.out"
	# <PRI>: LOG_AUTHPRIV (10 << 3) + info 6, notice 5, warning 4
	for want in "86 $id_allow allow" "85 $id_mod modify" "84 $id_deny deny"; do
		set -- $want
		line=$(grep -F "\"container\":\"$2\"" "$BATS_TEST_TMPDIR/syslog.out")
		[[ "$line" =~ ^\<$1\>[A-Z][a-z]{2}\ [\ 0-9][0-9]\ [0-9]{2}:[0-9]{2}:[0-9]{2}\ hardrun\[[0-9]+\]:\ \{ ]]
		jq -e --arg d "$3" --arg sha "$(sha256sum "$POLICY" | cut -d' ' -f1)" \
			'.decision == $d and .policy_sha256 == $sha and (.decisions | length > 0)' <<<"${line#*]: }"
		[ "${#line}" -lt 8192 ]
	done
	# and the file has the same decisions
	[ "$(jq -r .decision <<<"$(audit_last_for "$id_deny")")" = deny ]
}

@test "syslog: no /dev/log, or a receiver that has stopped reading, never stops or slows a container" {
	syslog_policy
	b_none=$(make_bundle none 'echo ran=none')
	b_stall=$(make_bundle stall 'echo ran=stall')
	id_none=$(new_id none) id_stall=$(new_id stall)
	run in_private_dev "$WAIT_FOR
		rm -f /dev/log
		\$HARDRUN --hardrun-policy \$POLICY run --bundle $b_none $id_none
		python3 \$HELPERS_DIR/syslog_listen.py /dev/log --stall \$T/ready & pid=\$!
		wait_for \$T/ready
		start=\$(date +%s)
		timeout 60 \$HARDRUN --hardrun-policy \$POLICY run --bundle $b_stall $id_stall || echo \"status \$?\"
		echo took=\$((\$(date +%s) - start))
		kill \$pid"
	echo "$output"
	skip_without_private_dev
	[ "$status" -eq 0 ]
	[[ "$output" == *ran=none* ]]
	[[ "$output" == *ran=stall* ]]
	[[ "$output" != *status* ]]
	took=$(sed -n 's/^took=//p' <<<"$output")
	[ "$took" -lt 20 ]
	# the audit file has both decisions
	[ "$(jq -r .decision <<<"$(audit_last_for "$id_none")")" = modify ]
	[ "$(jq -r .decision <<<"$(audit_last_for "$id_stall")")" = modify ]
}

# textfile_policy: the profiles policy with metrics_textfile in the test's
# directory; the path in $PROM.
textfile_policy() {
	PROM=$BATS_TEST_TMPDIR/textfile/hardrun.prom
	mkdir -p "${PROM%/*}"
	jq --arg prom "$PROM" '.metrics_textfile = $prom' "$BATS_TEST_TMPDIR/profiles.json" >"$BATS_TEST_TMPDIR/textfile.json"
	POLICY=$BATS_TEST_TMPDIR/textfile.json
}

@test "metrics_textfile: the counts are brought up to date at each decision and equal report's" {
	textfile_policy
	run_three_outcomes
	cat "$PROM"
	stat -c '%a %U' "$PROM"
	[ "$(stat -c '%a %U' "$PROM")" = "644 root" ]
	python3 "$HELPERS_DIR/prom_parse.py" <"$PROM" >"$BATS_TEST_TMPDIR/file.json"
	"$HARDRUN" report --audit-log "$AUDIT" --format prometheus | python3 "$HELPERS_DIR/prom_parse.py" |
		jq -c '[.[] | select(.name != "hardrun_audit_unreadable_lines")] | sort' >"$BATS_TEST_TMPDIR/want"
	jq -c 'sort' "$BATS_TEST_TMPDIR/file.json" >"$BATS_TEST_TMPDIR/got"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# no temporary file is left next to it
	[ "$(ls -A "${PROM%/*}")" = hardrun.prom ]
}

@test "metrics_textfile: 16 parallel creates lose no count" {
	textfile_policy
	local pids=() ids=() i
	bundle=$(make_bundle par 'true')
	for i in $(seq 16); do
		ids+=("$(new_id "par$i")")
	done
	for id in "${ids[@]}"; do
		"$HARDRUN" --hardrun-policy "$POLICY" run --bundle "$bundle" "$id" >/dev/null 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	cat "$PROM"
	grep -qx 'hardrun_containers_total{outcome="modify",profile="default"} 16' "$PROM"
	grep -qx 'hardrun_decisions_total{rule="pids_limit",outcome="changed",profile="default"} 16' "$PROM"
}

@test "metrics_textfile: a FIFO or a symlink put in its place neither stalls a create nor is written through" {
	textfile_policy
	# whoever owns the collector's directory puts a FIFO there: a create
	# that opened it to read would wait for a writer forever
	mkfifo "$PROM"
	bundle=$(make_bundle fifo 'echo ran=fifo')
	id=$(new_id fifo)
	run timeout 30 "$HARDRUN" --hardrun-policy "$POLICY" run --bundle "$bundle" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *ran=fifo* ]]
	[ -f "$PROM" ] && [ ! -p "$PROM" ]
	grep -qx 'hardrun_containers_total{outcome="modify",profile="default"} 1' "$PROM"
	# a symlink to a file of the host: the link is replaced, the file untouched
	echo 'hardrun_containers_total{outcome="modify",profile="default"} 1000' >"$BATS_TEST_TMPDIR/target"
	cp "$BATS_TEST_TMPDIR/target" "$BATS_TEST_TMPDIR/target.orig"
	rm "$PROM"
	ln -s "$BATS_TEST_TMPDIR/target" "$PROM"
	id=$(new_id link)
	run "$HARDRUN" --hardrun-policy "$POLICY" run --bundle "$bundle" "$id"
	[ "$status" -eq 0 ]
	cmp "$BATS_TEST_TMPDIR/target" "$BATS_TEST_TMPDIR/target.orig"
	[ ! -L "$PROM" ]
	grep -qx 'hardrun_containers_total{outcome="modify",profile="default"} 1' "$PROM"
}
