#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# hardrun's Debian package, built from the tree (tests/package/build-deb.sh),
# installs, works, and removes cleanly; /etc/hardrun as it was before is put
# back whatever happens.

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

setup_file() {
	if [ "$(id -u)" -ne 0 ] || ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
		return
	fi
	export SAVED_ETC=$BATS_FILE_TMPDIR/etc-hardrun
	[ ! -e /etc/hardrun ] || cp -a /etc/hardrun "$SAVED_ETC"
	dpkg -s hardrun >/dev/null 2>&1 && export WAS_INSTALLED=1
	export DEB
	DEB=$("$REPO/tests/package/build-deb.sh" "$BATS_FILE_TMPDIR/out")
}

teardown_file() {
	[ -n "${DEB:-}" ] || return 0
	[ -n "${WAS_INSTALLED:-}" ] || dpkg --purge hardrun >/dev/null 2>&1 || true
	rm -rf /etc/hardrun
	[ ! -e "$SAVED_ETC" ] || cp -a "$SAVED_ETC" /etc/hardrun
}

setup() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (dpkg -i)"
	[ -n "${DEB:-}" ] || skip "needs dpkg-dev and debhelper (apt-get install dpkg-dev debhelper)"
	[ -z "${WAS_INSTALLED:-}" ] || skip "a hardrun package is installed on this host: not touched"
}

@test "the package installs the binary, man pages, completion, tmpfiles, logrotate and the profiles" {
	rm -rf /etc/hardrun
	run dpkg -i "$DEB"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -x /usr/sbin/hardrun ]
	run /usr/sbin/hardrun --version
	[ "$status" -eq 0 ]
	grep -Eq '^hardrun commit: [0-9a-f]{7,}' <<<"$output"
	run /usr/sbin/hardrun help
	[ "$status" -eq 0 ]
	man -w hardrun
	man -w 5 hardrun-policy
	[ -f /usr/share/bash-completion/completions/hardrun ]
	grep -q '^d /run/hardrun 0711 root root' /usr/lib/tmpfiles.d/hardrun.conf
	[ -f /etc/logrotate.d/hardrun ]
	# the profiles the examples' runtimeArgs name: a profile of them validates
	run /usr/sbin/hardrun policy validate /etc/hardrun/profiles.json
	[ "$status" -eq 0 ]
	run /usr/sbin/hardrun --hardrun-policy=/etc/hardrun/profiles.json --hardrun-profile=strict \
		check --config "$REPO/tests/fixtures/docker-20.10/default/config.json"
	[ "$status" -le 1 ]
	if command -v logrotate >/dev/null; then
		logrotate -d /etc/logrotate.d/hardrun
	fi
}

@test "remove takes the files away, purge the configuration too" {
	dpkg -i "$DEB" >/dev/null
	run dpkg -r hardrun
	[ "$status" -eq 0 ]
	[ ! -e /usr/sbin/hardrun ]
	[ ! -e /usr/share/man/man8/hardrun.8.gz ]
	# conffiles stay until purge, as Debian does
	[ -f /etc/hardrun/profiles.json ]
	run dpkg --purge hardrun
	[ "$status" -eq 0 ]
	[ ! -e /etc/hardrun/profiles.json ]
	[ ! -e /etc/logrotate.d/hardrun ]
	run dpkg -s hardrun
	[ "$status" -ne 0 ]
}
