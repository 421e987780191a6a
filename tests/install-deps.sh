#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Installs what building and testing hardrun needs on Debian 12 (as root).
set -eu
packages=(
	# build
	build-essential meson ninja-build pkg-config python3
	libseccomp-dev libcap-dev libyajl-dev libcriterion-dev nettle-dev
	# tests: the real runtime, a rootfs, the shell test runner
	runc busybox-static bats jq procps strace attr
	# the capability names the bats helpers derive (capsh)
	libcap2-bin
	# end-to-end: the real engines
	docker.io containerd podman containernetworking-plugins
	# the Go differential test (tests/godiff, standard library only)
	golang-go
	# Kubernetes layer: a CRI client generated from api.proto
	python3-grpcio python3-grpc-tools iptables iproute2
	# fuzzing and sanitizers
	clang libclang-rt-14-dev valgrind clang-format
	# man pages, completion, the Debian package
	scdoc bash-completion dpkg-dev debhelper logrotate man-db
	# the policy schema test (tests/schema)
	python3-jsonschema
	# the Kubernetes manifests' test (tests/k8s/test_manifests.py)
	python3-yaml
)
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: run as root (apt-get install ${packages[*]})" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
