#!/usr/bin/env bats
# Docker through hardrun on the embedded default policy: a private id range
# per container and an idmapped rootfs, seen from inside the containers.
# Starts containerd and dockerd when they are not running (and stops only
# what it started); registers hardrun as in examples/docker/daemon.json.

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
HARDRUN=${HARDRUN:-$REPO/build/runtime/hardrun}
IMAGE=hardrun-e2e-busybox
STATE=/tmp/hardrun-e2e-docker

docker_() { timeout 120 docker "$@"; }

setup_file() {
	if [ "$(id -u)" -ne 0 ] || ! command -v dockerd >/dev/null || ! command -v containerd >/dev/null; then
		return 0
	fi
	mkdir -p "$STATE" /etc/docker
	install -m 0755 "$HARDRUN" /usr/local/sbin/hardrun
	if [ ! -f /etc/docker/daemon.json ] || ! grep -q hardrun /etc/docker/daemon.json; then
		[ -f /etc/docker/daemon.json ] && cp /etc/docker/daemon.json "$STATE/daemon.json.orig"
		jq '{runtimes: {hardrun: .runtimes.hardrun}}' "$REPO/examples/docker/daemon.json" >/etc/docker/daemon.json
		pkill -HUP -x dockerd || true
	fi
	if ! pgrep -x containerd >/dev/null; then
		containerd >"$STATE/containerd.log" 2>&1 &
		echo $! >"$STATE/containerd.pid"
		for _ in $(seq 30); do [ -S /run/containerd/containerd.sock ] && break; sleep 0.5; done
	fi
	if ! pgrep -x dockerd >/dev/null; then
		dockerd --containerd=/run/containerd/containerd.sock >"$STATE/dockerd.log" 2>&1 &
		echo $! >"$STATE/dockerd.pid"
	fi
	for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
	sleep 1 # the SIGHUP'd runtime list
	if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
		local root=$STATE/rootfs
		rm -rf "$root" && mkdir -p "$root/bin"
		cp /bin/busybox "$root/bin/"
		for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"; done
		mkdir -p "$root"/{etc,tmp,run,var/tmp,proc,sys,dev}
		tar -C "$root" -c . | docker import -c 'ENV PATH=/bin' - "$IMAGE" >/dev/null
	fi
}

teardown_file() {
	docker ps -aq --filter label=hardrun-e2e | xargs -r docker rm -f >/dev/null 2>&1 || true
	for daemon in dockerd containerd; do
		if [ -f "$STATE/$daemon.pid" ]; then
			kill "$(cat "$STATE/$daemon.pid")" 2>/dev/null || true
			sleep 2
			rm -f "$STATE/$daemon.pid"
		fi
	done
	if [ -f "$STATE/daemon.json.orig" ]; then
		mv "$STATE/daemon.json.orig" /etc/docker/daemon.json
	fi
}

setup() {
	if [ "$(id -u)" -ne 0 ] || ! command -v dockerd >/dev/null || ! command -v containerd >/dev/null; then
		skip "needs root and docker.io + containerd (apt-get install docker.io containerd)"
	fi
	docker info 2>/dev/null | grep -q 'Runtimes:.*hardrun' || skip "dockerd did not come up with the hardrun runtime"
}

run_hardened() {
	docker_ run --rm --label hardrun-e2e --runtime=hardrun "$@"
}

@test "docker run: hardened, own id range, image files owned by the container's root" {
	run run_hardened "$IMAGE" sh -c 'grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status
		echo "uid_map $(cat /proc/self/uid_map)"
		echo "busybox $(stat -c %u /bin/busybox) hosts $(stat -c %u /etc/hosts)"
		touch /x 2>/dev/null && echo writable || echo read-only'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"CapEff:	00000000000004fb"* ]]
	[[ "$output" == *"NoNewPrivs:	1"* ]]
	[[ "$output" == *"Seccomp:	2"* ]]
	[[ "$output" =~ uid_map\ +0\ +[1-9][0-9]{5,}\ +65536 ]]
	[[ "$output" == *"busybox 0 hosts 0"* ]]
	[[ "$output" == *"read-only"* ]]
}

@test "docker run --privileged and --cap-add ALL run as ordinary hardened containers" {
	for flags in "--privileged" "--cap-add ALL --security-opt seccomp=unconfined"; do
		run run_hardened $flags "$IMAGE" grep -E "^(CapEff|Seccomp):" /proc/self/status
		echo "$flags: $output"
		[ "$status" -eq 0 ]
		[[ "$output" == *"CapEff:	00000000000004fb"* ]]
		[[ "$output" == *"Seccomp:	2"* ]]
	done
}

@test "docker run -v /var/run/docker.sock is refused in docker's own error output" {
	run run_hardened -v /var/run/docker.sock:/var/run/docker.sock "$IMAGE" true
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"hardrun: policy denies container"*"sensitive_mounts: bind mount of \"/var/run/docker.sock\""* ]]
}

@test "docker exec --privileged gains nothing" {
	id=$(docker_ run -d --label hardrun-e2e --runtime=hardrun "$IMAGE" sleep 120)
	run docker_ exec --privileged "$id" grep -E "^(CapEff|NoNewPrivs):" /proc/self/status
	docker_ rm -f "$id" >/dev/null
	echo "$output"
	[[ "$output" == *"CapEff:	00000000000004fb"* ]]
	[[ "$output" == *"NoNewPrivs:	1"* ]]
}

@test "two running containers have disjoint ranges; removal frees them" {
	a=$(docker_ run -d --label hardrun-e2e --runtime=hardrun "$IMAGE" sleep 120)
	b=$(docker_ run -d --label hardrun-e2e --runtime=hardrun "$IMAGE" sleep 120)
	ra=$(docker_ exec "$a" cat /proc/self/uid_map | awk '{print $2}')
	rb=$(docker_ exec "$b" cat /proc/self/uid_map | awk '{print $2}')
	echo "ranges $ra $rb"
	[ "$ra" != "$rb" ]
	[ $((ra > rb ? ra - rb : rb - ra)) -ge 65536 ]
	docker_ rm -f "$a" "$b" >/dev/null
	! grep -rqs -e "$a" -e "$b" /run/hardrun/ids
}

@test "64 containers started in parallel get 64 distinct ranges, all free after removal" {
	before=$(grep -c /run/hardrun/stage /proc/self/mountinfo || true)
	for i in $(seq 64); do
		docker_ run -d --label hardrun-e2e --label hardrun-e2e-parallel --runtime=hardrun "$IMAGE" sleep 300 \
			>"$BATS_TEST_TMPDIR/id.$i" 2>&1 &
	done
	wait
	ids=$(docker ps -q --filter label=hardrun-e2e-parallel)
	[ "$(echo "$ids" | wc -l)" -eq 64 ]
	for id in $ids; do
		awk '{print $2}' /proc/"$(docker inspect -f '{{.State.Pid}}' "$id")"/uid_map
	done | sort >"$BATS_TEST_TMPDIR/ranges"
	cat "$BATS_TEST_TMPDIR/ranges" | tr '\n' ' '
	[ "$(sort -u "$BATS_TEST_TMPDIR/ranges" | wc -l)" -eq 64 ]
	for id in $ids; do grep -ls "$(docker inspect -f '{{.Id}}' "$id")" /run/hardrun/ids/*; done | sort -u >"$BATS_TEST_TMPDIR/entries"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/entries")" -eq 64 ]
	echo "$ids" | xargs -P 8 -n 8 docker rm -f >/dev/null
	for entry in $(cat "$BATS_TEST_TMPDIR/entries"); do
		[ ! -e "$entry" ]
		[ ! -e "/run/hardrun/stage/$(basename "$entry")" ]
	done
	[ "$(grep -c /run/hardrun/stage /proc/self/mountinfo || true)" -eq "$before" ]
}
