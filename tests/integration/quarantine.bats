#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Quarantine through real runc: examples/policies/profiles.json's quarantine
# profile runs a container that asks for the host's network isolated under
# strict, instead of refusing it.  The container must really be cut off:
# no network interface but lo, no capability; the audit line says
# quarantined, and why.

load helpers

setup() {
	hr_setup
	jq --arg log "$AUDIT" --arg runc "$RUNC" '.audit_log = $log | .runtime = $runc' \
		"$REPO/examples/policies/profiles.json" >"$BATS_TEST_TMPDIR/profiles.json"
	POLICY=$BATS_TEST_TMPDIR/profiles.json
}

teardown() {
	hr_teardown
}

NET_SCRIPT='grep -E "^(CapEff|CapBnd):" /proc/self/status
echo "interfaces=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort | tr "\n" " ")"'

@test "a container asking for the host network runs quarantined: only lo, no capability, audited as such" {
	# the host's network: no network namespace in the spec
	bundle=$(make_bundle host-net "$NET_SCRIPT" '.linux.namespaces |= map(select(.type != "network"))')
	id=$(new_id quarantined)
	run hr --hardrun-profile quarantine run --bundle "$bundle" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field interfaces)" = "lo " ]
	[ "$(field CapEff)" = 0000000000000000 ]
	[ "$(field CapBnd)" = 0000000000000000 ]
	line=$(audit_last_for "$id")
	echo "audit: $line"
	jq -e '.quarantined == true and .decision == "quarantine" and .profile == "quarantine"' <<<"$line"
	jq -e '[.decisions[] | select(.rule == "host_namespaces" and .outcome == "quarantined")] | length == 1' <<<"$line"
	jq -e '[.decisions[] | select(.rule == "quarantine" and (.message | test("fresh network namespace")))] | length == 1' <<<"$line"
}

@test "the same container under the default profile is refused; a compliant one under quarantine runs as usual" {
	bundle=$(make_bundle host-net2 "$NET_SCRIPT" '.linux.namespaces |= map(select(.type != "network"))')
	id=$(new_id refused)
	hr_refused run "$bundle" "$id" 'host_namespaces: .*network'
	# compliant: not quarantined, the default profile's capabilities
	bundle=$(make_bundle compliant "$NET_SCRIPT")
	id=$(new_id compliant)
	run hr --hardrun-profile quarantine run --bundle "$bundle" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field CapEff)" != 0000000000000000 ]
	jq -e '(.quarantined // false) == false and .decision == "modify"' <<<"$(audit_last_for "$id")"
}
