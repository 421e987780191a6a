#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# `hardrun check` fit for CI: specs captured on another host are judged
# offline (host paths by their text, never looked up here) without false
# denials, while what is dangerous by its text alone is still refused; what a
# pattern cannot decide is "undecided" and refused; --fail-on modified.

load helpers

setup() {
	hr_setup
}

teardown() {
	hr_teardown
}

FIX=${BATS_TEST_DIRNAME}/../fixtures

# check of fixture DIR offline, as the engine's container id of its create
check_fixture() {
	local dir=$FIX/$1
	shift
	run "$HARDRUN" --hardrun-policy "$POLICY" check --id "$(tail -1 "$dir/01-create.argv")" \
		--config "$dir/config.json" "$@"
}

# A copy of docker's default spec changed by the python expression $1 (d is the spec).
docker_spec_with() {
	python3 - "$FIX/docker-20.10/default/config.json" "$BATS_TEST_TMPDIR/spec.json" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
	echo "$BATS_TEST_TMPDIR/spec.json"
}

# check, offline, of docker's default spec changed by $1; more flags after it
check_docker_with() {
	spec=$(docker_spec_with "$1")
	shift
	run "$HARDRUN" --hardrun-policy "$POLICY" check --id "$DOCKER_ID" --config "$spec" "$@"
}

DOCKER_ID=000000000000000000000000000000000000000000000000000000c0ffee0000

@test "offline: fixtures from other hosts give no false denial" {
	# /proc/4242 of the capturing host must not be looked up here
	for f in docker-20.10/default docker-20.10/exec docker-20.10/privileged docker-20.10/capadd-all-unconfined \
		podman-4.3/default containerd-1.6-ctr/default containerd-1.6-cri/default-container \
		containerd-1.6-cri/privileged-container; do
		check_fixture "$f"
		echo "$f: $output"
		[ "$status" -eq 0 ]
		[[ "$output" == *"host:     offline"* ]]
		[[ "$output" == *" changed, 0 denied, 0 undecided offline)"* ]]
		[[ "$output" != *"  denied "* ]]
		[[ "$output" != *"  undecided "* ]]
	done
}

@test "offline is the default with --config, --online and --bundle look on this host" {
	check_fixture docker-20.10/default --format json
	[ "$status" -eq 0 ]
	[ "$(jq -r .offline <<<"$output")" = true ]
	# the pinned hook is the engine's binary as offline judges it
	jq -e '.spec.hooks.prestart[0].path == "/usr/bin/dockerd"' <<<"$output"
	check_fixture docker-20.10/default --online --format json
	[ "$(jq -r .offline <<<"$output")" = false ]
	mkdir -p "$BATS_TEST_TMPDIR/b"
	cp "$FIX/docker-20.10/default/config.json" "$BATS_TEST_TMPDIR/b/"
	run "$HARDRUN" --hardrun-policy "$POLICY" check --id "$DOCKER_ID" --bundle "$BATS_TEST_TMPDIR/b" --format json
	[ "$(jq -r .offline <<<"$output")" = false ]
}

@test "offline: a host bind of / is still denied" {
	check_docker_with 'd["mounts"].append({"destination": "/host", "type": "bind", "source": "/", "options": ["rbind", "rw"]})'
	[ "$status" -eq 1 ]
	[[ "$output" == *'denied    sensitive_mounts: bind mount of "/" at "/host"'* ]]
}

@test "offline: a bind source with .. or a trailing dot is judged by its clean text" {
	check_docker_with 'd["mounts"].append({"destination": "/host", "type": "bind", "source": "/var/../etc/./", "options": ["rbind"]})'
	[ "$status" -eq 1 ]
	[[ "$output" == *"denied    sensitive_mounts:"*'"/etc"'* ]]
}

@test "offline: the host's namespaces are still denied (absent, /proc/1, /proc/self)" {
	for ns in '[n for n in d["linux"]["namespaces"] if n["type"] != "pid"]' \
		'[dict(n, path="/proc/1/ns/pid") if n["type"] == "pid" else n for n in d["linux"]["namespaces"]]' \
		'[dict(n, path="/proc/self/ns/pid") if n["type"] == "pid" else n for n in d["linux"]["namespaces"]]'; do
		check_docker_with "d['linux']['namespaces'] = $ns"
		echo "$ns: $output"
		[ "$status" -eq 1 ]
		[[ "$output" == *"denied    host_namespaces:"*"pid namespace"* ]]
	done
}

@test "offline: privileged capabilities never stay" {
	check_docker_with 'd["process"]["capabilities"]["bounding"].append("CAP_SYS_ADMIN"); d["process"]["capabilities"]["effective"].append("CAP_SYS_ADMIN")' --format json
	# refused, or run with the capability taken away
	if [ "$status" -eq 0 ]; then
		jq -e '[.spec.process.capabilities[]?[]] | index("CAP_SYS_ADMIN") == null' <<<"$output"
	else
		[ "$status" -eq 1 ]
	fi
}

@test "offline: a path no pattern decides is undecided and refused" {
	check_docker_with 'd["linux"]["namespaces"] = [dict(n, path="/tmp/somewhere/net") if n["type"] == "network" else n for n in d["linux"]["namespaces"]]'
	[ "$status" -eq 1 ]
	[[ "$output" == *"undecided host_namespaces:"*"cannot judge offline"* ]]
	[[ "$output" == *"1 undecided offline"* ]]
	run "$HARDRUN" --hardrun-policy "$POLICY" check --id "$DOCKER_ID" --config "$spec" --format json
	[ "$status" -eq 1 ]
	jq -e '.decision == "deny" and ([.decisions[] | select(.outcome == "undecided")] | length == 1)' <<<"$output"
	# a hook from an unknown /proc path is undecided too, not allowed
	check_docker_with 'd["hooks"]["prestart"][0]["path"] = "/proc/4242/root/bin/sh"'
	[ "$status" -eq 1 ]
	[[ "$output" == *"undecided hooks:"* ]]
}

@test "offline: a hook that is not the engine's is denied" {
	check_docker_with 'd["hooks"]["prestart"][0]["path"] = "/tmp/evil"'
	[ "$status" -eq 1 ]
	[[ "$output" == *'denied    hooks: prestart hook "/tmp/evil"'* ]]
}

@test "--fail-on modified exits 3 when the spec would be rewritten; default exit codes unchanged" {
	check_fixture docker-20.10/default
	[ "$status" -eq 0 ]
	check_fixture docker-20.10/default --fail-on modified
	[ "$status" -eq 3 ]
	check_fixture docker-20.10/default --fail-on denied
	[ "$status" -eq 0 ]
	# a denial stays 1
	check_fixture docker-20.10/device-fuse-nnp --fail-on modified
	[ "$status" -eq 1 ]
	check_fixture docker-20.10/default --fail-on sometimes
	[ "$status" -eq 2 ]
	[[ "$output" == *"--fail-on must be denied or modified"* ]]
}

# pretty JSON as python writes it (hardrun's pretty form: 2 spaces)
pretty() {
	python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1])) if sys.argv[1] != "-" else json.load(sys.stdin), indent=2, ensure_ascii=False))' "$1"
}

@test "--diff and --diff=unified: patch(1) turns the spec into the hardened spec" {
	command -v patch >/dev/null || skip "needs patch(1)"
	for f in docker-20.10/default docker-20.10/privileged containerd-1.6-cri/default-container podman-4.3/default; do
		check_fixture "$f" --format json
		[ "$status" -eq 0 ]
		jq .spec <<<"$output" | pretty - >"$BATS_TEST_TMPDIR/want.json"
		pretty "$FIX/$f/config.json" >"$BATS_TEST_TMPDIR/config.json"
		for flag in --diff --diff=unified; do
			check_fixture "$f" "$flag"
			[ "$status" -eq 0 ]
			[ "${lines[0]}" = "--- a/config.json" ]
			[ "${lines[1]}" = "+++ b/config.json" ]
			cp "$BATS_TEST_TMPDIR/config.json" "$BATS_TEST_TMPDIR/patched.json"
			# exact hunks: no offset, no fuzz (GNU patch would apply both)
			run patch -F0 "$BATS_TEST_TMPDIR/patched.json" <<<"$output"
			[ "$status" -eq 0 ]
			[[ "$output" != *offset* && "$output" != *fuzz* ]]
			cmp "$BATS_TEST_TMPDIR/patched.json" "$BATS_TEST_TMPDIR/want.json"
		done
	done
}

@test "--diff=json-patch: an RFC 6902 patch that turns the spec into the hardened spec" {
	for f in docker-20.10/default docker-20.10/privileged containerd-1.6-cri/default-container podman-4.3/default; do
		check_fixture "$f" --format json
		jq .spec <<<"$output" >"$BATS_TEST_TMPDIR/want.json"
		check_fixture "$f" --diff=json-patch
		[ "$status" -eq 0 ]
		printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/patch.json"
		# RFC 6902 add/remove/replace with RFC 6901 pointers, applied by hand
		python3 - "$FIX/$f/config.json" "$BATS_TEST_TMPDIR/patch.json" "$BATS_TEST_TMPDIR/want.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
ops = json.load(open(sys.argv[2]))
assert ops, "empty patch"
for op in ops:
    assert set(op) <= {"op", "path", "value"} and op["op"] in ("add", "remove", "replace"), op
    *head, last = [t.replace("~1", "/").replace("~0", "~") for t in op["path"].split("/")[1:]]
    c = doc
    for t in head:
        c = c[int(t)] if isinstance(c, list) else c[t]
    if isinstance(c, list):
        i = len(c) if last == "-" else int(last)
        assert op["op"] == "add" and i <= len(c) or i < len(c), op
        if op["op"] == "add":
            c.insert(i, op["value"])
        elif op["op"] == "remove":
            del c[i]
        else:
            c[i] = op["value"]
    else:
        assert op["op"] == "add" or last in c, op
        if op["op"] == "remove":
            del c[last]
        else:
            c[last] = op["value"]
assert doc == json.load(open(sys.argv[3])), "the patched spec is not the hardened spec"
PY
	done
	check_fixture docker-20.10/default --diff=sideways
	[ "$status" -eq 2 ]
}

@test "text: a refusal says its fix once, after the rule's last denial" {
	check_fixture docker-20.10/device-fuse-nnp
	[ "$status" -eq 1 ]
	echo "$output"
	[ "$(grep -c '^            fix: ' <<<"$output")" -eq 1 ]
	run grep -A1 'denied    devices: device cgroup rule' <<<"$output"
	[ "${lines[1]}" = '            fix: drop the device (--device), or add it to devices.nodes or devices.cgroup_rules of the profile (hardrun explain devices)' ]
}

@test "--format json: every decision has rule_id, severity, path and fix" {
	check_fixture docker-20.10/device-fuse-nnp --format json
	[ "$status" -eq 1 ]
	jq -e '.decisions | length > 0 and all(.rule_id | test("^HR-[A-Z]+-[0-9]{3}$"))' <<<"$output"
	jq -e '.decisions | all(.severity | IN("critical", "high", "medium", "low"))' <<<"$output"
	jq -e '.decisions | all(.path | startswith("/")) and all(.fix | length > 10)' <<<"$output"
	jq -e '[.decisions[] | select(.outcome == "denied")][0] | .rule_id == "HR-DEV-001" and .path == "/linux/devices"' <<<"$output"
}

# SARIF 2.1.0, checked by hand against the properties the schema
# (sarif-schema-2.1.0.json, not downloadable here) requires: sarifLog
# "version" (const "2.1.0") and "runs"; run "tool"; tool "driver";
# toolComponent "name"; reportingDescriptor "id"; result "message"
# (message: "text" or "id"), "level" in none/note/warning/error, "ruleId"
# string, "locations" of location with physicalLocation.artifactLocation.uri
# and logicalLocations[].fullyQualifiedName.
@test "--format sarif: a SARIF 2.1.0 log with the rules and located results" {
	check_fixture docker-20.10/device-fuse-nnp --format sarif
	[ "$status" -eq 1 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/log.sarif"
	python3 - "$BATS_TEST_TMPDIR/log.sarif" <<'PY'
import json, re, sys
log = json.load(open(sys.argv[1]))
assert log["version"] == "2.1.0" and isinstance(log["runs"], list) and len(log["runs"]) == 1
assert set(log) <= {"$schema", "version", "runs", "inlineExternalProperties", "properties"}
run = log["runs"][0]
driver = run["tool"]["driver"]
assert isinstance(driver["name"], str) and driver["name"]
ids = [r["id"] for r in driver["rules"]]
assert len(ids) == len(set(ids)) == 21, ids
for r in driver["rules"]:
    assert re.fullmatch(r"HR-[A-Z]+-[0-9]{3}", r["id"]) and r["shortDescription"]["text"] and r["help"]["text"]
assert run["results"], "no results"
for res in run["results"]:
    assert res["ruleId"] in ids
    assert res["level"] in ("none", "note", "warning", "error")
    assert isinstance(res["message"]["text"], str)
    for loc in res["locations"]:
        assert loc["physicalLocation"]["artifactLocation"]["uri"].endswith("config.json")
        assert all(l["fullyQualifiedName"].startswith("/") for l in loc["logicalLocations"])
errors = [r for r in run["results"] if r["level"] == "error"]
assert [r["ruleId"] for r in errors] == ["HR-DEV-001", "HR-DEV-001"], errors
PY
}

@test "--format junit: one testcase per rule, a failure per denying rule" {
	check_fixture docker-20.10/device-fuse-nnp --format junit
	[ "$status" -eq 1 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/junit.xml"
	python3 - "$BATS_TEST_TMPDIR/junit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot().find("testsuite")
cases = suite.findall("testcase")
assert len(cases) == 21 == int(suite.get("tests")), len(cases)
failed = [c.get("name") for c in cases if c.find("failure") is not None]
assert failed == ["HR-DEV-001 devices"] and suite.get("failures") == "1", failed
assert "devices.nodes" in cases[[c.get("name") for c in cases].index(failed[0])].find("failure").get("message")
PY
	run "$HARDRUN" --hardrun-policy "$POLICY" check --config x --format yaml
	[ "$status" -eq 2 ]
}

@test "hardrun explain lists every rule with its id; explain RULE shows fix and settings" {
	run "$HARDRUN" --hardrun-policy "$POLICY" explain
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 21 ]
	[[ "${lines[0]}" == "HR-USERNS-001   user_namespace "* ]]
	for key in capabilities HR-CAPS-001 hr-caps-001; do
		run "$HARDRUN" --hardrun-policy "$POLICY" explain "$key"
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" == "capabilities (HR-CAPS-001), severity high" ]]
		[[ "$output" == *"judges: /process/capabilities"* ]]
		[[ "$output" == *"fix:    drop the capability"* ]]
		[[ "$output" == *'default (embedded default policy, profile "default"): action fix'* ]]
		[[ "$output" == *'"CAP_CHOWN"'* ]]
	done
	run "$HARDRUN" --hardrun-policy "$POLICY" explain no_such_rule
	[ "$status" -eq 2 ]
	[[ "$output" == *'no rule named "no_such_rule"'* ]]
	run "$HARDRUN" explain --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: hardrun"*"explain"* ]]
}
