#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# hardrun's cost next to runc's (and gVisor's runsc, the reference point of
# a sandboxed runtime), and how create scales; writes docs/benchmark.md,
# docs/bench-docker.png and docs/bench-scaling.png.  Not a pass/fail test.
#   flock /tmp/hardrun-e2e.lock tests/bench/run-bench.sh [--quick]   (root, Debian 12)
# (the lock: the docker section starts dockerd, a second one for the
# userns-remap anchor, installs hardrun as the e2e suites do and registers
# runsc in /etc/docker/daemon.json for the run)
# Every comparison alternates hardrun and the real runtime in one run
# (tests/bench/bench_exec.c), so that the machine's drift falls on both.
# --quick: fewer iterations (a smoke run of the script itself).
# Environment: BENCH_OUT (default docs/), BENCH_BUILD (default build-bench),
# BENCH_SECTIONS (some sections only, e.g. "create_real docker"; no benchmark.md,
# but the docker and scaling sections write their plots to BENCH_OUT).
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
QUICK=false
[ "${1:-}" = --quick ] && QUICK=true
OUT=${BENCH_OUT:-$REPO/docs}
BUILD=${BENCH_BUILD:-$REPO/build-bench}

# iterations N_FULL N_QUICK
iterations() { if $QUICK; then echo "$2"; else echo "$1"; fi; }

[ "$(id -u)" -eq 0 ] || { echo "run-bench.sh: run as root (it creates containers)" >&2; exit 1; }
need=()
for c in bc:bc gnuplot:gnuplot-nox /usr/bin/time:time valgrind:valgrind callgrind_annotate:valgrind runc:runc runsc:runsc jq:jq meson:meson; do
	command -v "${c%%:*}" >/dev/null || need+=("${c#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# an optimized build, as a package would ship it
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" --buildtype=release -Dtests=true >/dev/null
ninja -C "$BUILD" >/dev/null
HARDRUN=$BUILD/runtime/hardrun
BENCH_EXEC=$BUILD/tests/bench/bench_exec
BENCH_CREATE=$BUILD/tests/bench/bench_create
RUNC=$(command -v runc)

WORK=$(mktemp -d /tmp/hardrun-bench.XXXXXX)
RESULTS=$WORK/results.md
CONTAINERS=()
ENGINES_STARTED=false
cleanup() {
	local id
	for id in "${CONTAINERS[@]}"; do "$RUNC" delete -f "$id" >/dev/null 2>&1 || true; done
	if $ENGINES_STARTED; then
		remap_dockerd_stop >/dev/null 2>&1 || true
		e2e_suite_teardown >/dev/null 2>&1 || true
	fi
	[ -n "${BENCH_KEEP:-}" ] || rm -rf "$WORK"
	rm -rf /var/lib/docker/containers/hardrun-bench-*
}
trap cleanup EXIT

say() { echo "$*" | tee -a "$RESULTS"; }
section() { printf '\n## %s\n\n' "$1" | tee -a "$RESULTS"; }

# A busybox rootfs and a bundle of `runc spec` running ARGS: bundle DIR ARGS...
busybox_rootfs() {
	local root=$WORK/rootfs
	[ -d "$root" ] && { echo "$root"; return; }
	mkdir -p "$root/bin" "$root"/{etc,tmp,run,proc,sys,dev,mnt}
	cp /bin/busybox "$root/bin/"
	for applet in $(/bin/busybox --list); do
		[ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
	done
	echo "$root"
}

# compare LABEL_A CMD_A LABEL_B CMD_B [LABEL_C CMD_C] [bench_exec options]:
# one alternated run (differences against the last command), its report in
# the results.  Labels are single words (median_of).
compare() {
	local out pairs=()
	while [ $# -ge 2 ] && [[ "$1" != -* ]]; do
		pairs+=("$1" "$2")
		shift 2
	done
	out=$("$BENCH_EXEC" "$@" "${pairs[@]}") || { echo "$out"; return 1; }
	echo "$out" | grep -v '^result ' | sed 's/^/    /' | tee -a "$RESULTS"
	echo "$out" | grep '^result ' >>"$WORK/all-results"
}

median_of() { awk -v l="$1" '$1 == "result" && $2 == l {print $3}' "$WORK/all-results" | tail -n 1; }

# ---------------------------------------------------------------------------
section_machine() {
	cat >"$RESULTS" <<EOF
# hardrun benchmark

Written by \`tests/bench/run-bench.sh\` (this file is its output; run it
again to refresh). Every comparison alternates hardrun and the real runtime
in the same run, iteration by iteration, and reports medians.

- date: $(date -u '+%Y-%m-%d %H:%M UTC')
- machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), kernel $(uname -r)
- runc: $("$RUNC" --version | head -n 1)
- hardrun: $(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown), meson --buildtype=release
- command: \`tests/bench/run-bench.sh$($QUICK && echo ' --quick')\`
EOF
}

# ---------------------------------------------------------------------------
section_passthrough() {
	local bundle=$WORK/pt id=hardrun-bench-pt n
	n=$(iterations 500 20)
	section "Pass-through commands (target: at most one execve over runc)"
	mkdir -p "$bundle"
	(cd "$bundle" && "$RUNC" spec)
	jq --arg root "$(busybox_rootfs)" '.root.path = $root | .process.terminal = false | .process.args = ["sleep", "1000000"]' \
		"$bundle/config.json" >"$bundle/c.json" && mv "$bundle/c.json" "$bundle/config.json"
	CONTAINERS+=("$id")
	"$RUNC" run -d --bundle "$bundle" "$id" >/dev/null 2>&1 </dev/null
	say "A running busybox container made by runc itself; $n alternated runs each."
	say ""
	say "One extra execve, for scale: \`env runc state\` against \`runc state\`:"
	compare env+runc "env $RUNC state $id" runc "$RUNC state $id" -n "$n"
	for cmd in "state $id" "kill $id SIGCONT" "ps $id"; do
		say ""
		say "\`$cmd\`:"
		compare "hardrun-${cmd%% *}" "$HARDRUN $cmd" "runc-${cmd%% *}" "$RUNC $cmd" -n "$n"
	done
}

# ---------------------------------------------------------------------------
# instructions SPEC N MODE: instructions of N creates (callgrind, one_create).
instructions() {
	local f=$WORK/callgrind.out
	valgrind --tool=callgrind --toggle-collect=one_create --callgrind-out-file="$f" \
		"$BENCH_CREATE" "$1" "$2" "$3" >/dev/null 2>&1
	sed -n 's/^summary: *//p; s/^totals: *//p' "$f" | head -n 1 | awk '{print $1}'
}

section_create_inprocess() {
	local spec name n line uncached cached rss i1 i2
	n=$(iterations 200 5)
	section "create: parse, enforce, seccomp compile, serialize (target: under 2 ms for Docker's default)"
	say "In-process (\`bench_create\`, the embedded default policy, no filesystem): mean time of $n"
	say "creates with the seccomp profile compiled each time (a profile hardrun has not seen"
	say "yet) and remembered (every later container with the same profile); instructions"
	say "counted by callgrind for exactly one create; peak RSS of a \`hardrun check\` process"
	say "doing the same work from the file, next to \`hardrun policy show\` (start-up and policy only)."
	say ""
	say "| spec | bytes | first create | cached create | instructions (first) | instructions (cached) | peak RSS check / start-up |"
	say "|---|---:|---:|---:|---:|---:|---:|"
	local base_rss
	base_rss=$(/usr/bin/time -f %M "$HARDRUN" policy show 2>&1 >/dev/null | tail -n 1)
	for spec in "$REPO"/tests/fixtures/*/*/config.json; do
		name=${spec#"$REPO/tests/fixtures/"}
		name=${name%/config.json}
		line=$("$BENCH_CREATE" "$spec" "$n")
		uncached=$(echo "$line" | sed -n 's/.* \([0-9.]*\) us per create (seccomp compiled each time.*/\1/p')
		cached=$(echo "$line" | sed -n 's/.* \([0-9.]*\) us per create (seccomp compile cached.*/\1/p')
		i1=$(instructions "$spec" 1 uncached)
		# cached: two creates minus one (the first compiles)
		i2=$(($(instructions "$spec" 2 cached) - $(instructions "$spec" 1 cached)))
		rss=$({ /usr/bin/time -f %M "$HARDRUN" check --config "$spec" >/dev/null || true; } 2>&1 | tail -n 1)
		if [ "$name" = docker-20.10/default ]; then
			DOCKER_FIRST_US=$uncached DOCKER_CACHED_US=$cached DOCKER_RSS=$rss BASE_RSS=$base_rss
		fi
		say "| $name | $(stat -c %s "$spec") | $(printf '%.2f' "$(echo "$uncached / 1000" | bc -l)") ms | $(printf '%.2f' "$(echo "$cached / 1000" | bc -l)") ms | $i1 | $i2 | $rss / $base_rss KiB |"
	done
}

# ---------------------------------------------------------------------------
# docker_default_bundle DIR ID: Docker 20.10's default spec running sleep on
# the busybox rootfs, with docker's bind files where docker keeps them.
docker_default_bundle() {
	local dir=$1 id=$2 src
	mkdir -p "$dir"
	jq --arg root "$(busybox_rootfs)" --arg id "$id" --arg cg "/$id" '
		.root.path = $root | del(.hooks) | .linux.cgroupsPath = $cg
		| .process.terminal = false | .process.args = ["sleep", "1000000"]
		| .mounts |= map(if (.source | test("[0-9a-f]{64}")) then .source |= sub("[0-9a-f]{64}"; $id) else . end)
		' "$REPO/tests/fixtures/docker-20.10/default/config.json" >"$dir/config.json"
	for src in $(jq -r '.mounts[] | select(.type == "bind") | .source' "$dir/config.json"); do
		[ -e "$src" ] && continue
		mkdir -p "$(dirname "$src")"
		if [[ "$src" == */shm ]]; then mkdir -p "$src"; else echo "# bench" >"$src"; fi
	done
	cp "$dir/config.json" "$dir/original.json"
}

# remap_bundle DIR ID: the same spec as Docker's userns-remap makes it: a
# user namespace mapping 0-65535 to REMAP_BASE and a copy of the rootfs
# chowned to it (dockerd chowns the image layers once, at pull), and no
# ping_group_range sysctl (dockerd sets none with userns-remap: its
# "0 2147483647" cannot be written in the namespace).
REMAP_BASE=300000
remap_bundle() {
	local root=$WORK/rootfs-remap
	if [ ! -d "$root" ]; then
		# the namespace's root is nobody to the host: it must traverse $WORK
		chmod 0711 "$WORK"
		cp -a "$(busybox_rootfs)" "$root"
		chown -R -h "$REMAP_BASE:$REMAP_BASE" "$root"
	fi
	docker_default_bundle "$1" "$2"
	jq --arg root "$root" --argjson b "$REMAP_BASE" '.root.path = $root
		| .linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: $b, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: $b, size: 65536}]
		| del(.linux.sysctl["net.ipv4.ping_group_range"])' "$1/config.json" >"$1/c.json"
	mv "$1/c.json" "$1/config.json"
}

section_create_real() {
	local n hb rb ub policy=$WORK/policy.json audit=$WORK/audit.jsonl
	n=$(iterations 40 4)
	section "create with the real runc: hardrun create against runc create, with and without a user namespace"
	hb=$WORK/create-hardrun rb=$WORK/create-runc ub=$WORK/create-remap
	docker_default_bundle "$hb" hardrun-bench-h
	docker_default_bundle "$rb" hardrun-bench-r
	remap_bundle "$ub" hardrun-bench-u
	jq -n --arg log "$audit" --arg runc "$RUNC" '{audit_log: $log, runtime: $runc}' >"$policy"
	say "Docker's default spec on a busybox rootfs; $n alternated creates each, every"
	say "container deleted (untimed) before the next. hardrun's includes what runc does"
	say "more for the user namespace hardrun adds; the user-namespace setup of hardrun"
	say "itself (id range, idmapped rootfs) is in its audit lines as \`userns_setup_us\`."
	say "\`runc-userns-create\` is the anchor of the same protection without hardrun: the"
	say "spec as Docker's \`userns-remap\` makes it (a user namespace mapping 0-65535 to"
	say "host $REMAP_BASE, the rootfs chowned to it beforehand, as dockerd does at pull)."
	say ""
	compare hardrun-create "$HARDRUN --hardrun-policy $policy create --bundle $hb hardrun-bench-h" \
		runc-create "$RUNC create --bundle $rb hardrun-bench-r" \
		runc-userns-create "$RUNC create --bundle $ub hardrun-bench-u" \
		-n "$n" -w 2 \
		-c "$HARDRUN --hardrun-policy $policy delete -f hardrun-bench-h && cp $hb/original.json $hb/config.json && rm -f $hb/.hardrun-*.json" \
		-C "$RUNC delete -f hardrun-bench-r" \
		-D "$RUNC delete -f hardrun-bench-u"
	say ""
	say "hardrun's user-namespace setup: median $(jq -s '[.[] | select(.command == "create") | .userns_setup_us] | sort | .[length / 2 | floor]' "$audit") us of $(jq -s '[.[] | select(.command == "create")] | length' "$audit") creates."
}

# ---------------------------------------------------------------------------
# A second dockerd with userns-remap, next to the suite's: the same
# containerd under namespaces of its own, its own data and exec roots and
# socket, no bridge; /etc/docker/daemon.json is not read (its own config
# file).  userns-remap needs a subordinate range for a user: nobody's gets
# REMAP_BASE for the run, and /etc/subuid and /etc/subgid are restored byte
# for byte after it (remap_dockerd_stop, and the EXIT trap).
REMAP_STATE=/run/hardrun-bench-remap
REMAP_SOCK=$REMAP_STATE/docker.sock
remap_dockerd_start() {
	local f
	mkdir -p "$REMAP_STATE"
	for f in subuid subgid; do
		[ -e "$REMAP_STATE/$f.orig" ] || cp -a "/etc/$f" "$REMAP_STATE/$f.orig"
		echo "nobody:$REMAP_BASE:65536" >>"/etc/$f"
	done
	echo '{"userns-remap": "nobody:nogroup"}' >"$REMAP_STATE/daemon.json"
	setsid dockerd --config-file "$REMAP_STATE/daemon.json" --containerd="$CONTAINERD_SOCK" \
		--containerd-namespace hardrun-bench-remap --containerd-plugins-namespace hardrun-bench-remap-plugins \
		--data-root "$WORK/docker-remap" --exec-root "$REMAP_STATE/exec" --pidfile "$REMAP_STATE/dockerd.pid" \
		-H "unix://$REMAP_SOCK" --bridge=none --iptables=false \
		</dev/null >>"$REMAP_STATE/dockerd.log" 2>&1 3>&- &
	chmod 0711 "$WORK"
	for _ in $(seq 150); do
		timeout 5 "$DOCKER" -H "unix://$REMAP_SOCK" info >/dev/null 2>&1 && break
		sleep 0.2
	done
	timeout 60 "$DOCKER" -H "unix://$REMAP_SOCK" import -c 'ENV PATH=/bin' "$(busybox_tar)" "$E2E_IMAGE" >/dev/null 2>&1
}

remap_dockerd_stop() {
	local f
	[ -d "$REMAP_STATE" ] || return 0
	stop_pid "$REMAP_STATE/dockerd.pid"
	for f in subuid subgid; do
		[ -e "$REMAP_STATE/$f.orig" ] && cp -a "$REMAP_STATE/$f.orig" "/etc/$f"
	done
	ctr -n hardrun-bench-remap containers ls -q 2>/dev/null | xargs -r ctr -n hardrun-bench-remap containers rm >/dev/null 2>&1
	rm -rf "$REMAP_STATE" "$WORK/docker-remap"
}

# runsc_register IMAGE: gVisor's runsc as docker's runtime "runsc", for this
# run only: added to the daemon.json `hardrun install docker` wrote, which
# the suite's teardown (`hardrun install docker --uninstall --force`, the
# EXIT trap) puts back byte for byte.  --network=none: runsc's own network
# stack refuses docker's network namespace (the benchmark's containers have
# no network); --ignore-cgroups: this host's cgroup set-up.  Checked with one
# container; on failure RUNSC_WHY says why (docker's message carries runsc's
# log) and the section goes on without it.
RUNSC_ARGS='["--network=none", "--ignore-cgroups"]'
runsc_register() {
	local runsc json out
	RUNSC_WHY=
	if ! runsc=$(command -v runsc); then
		RUNSC_WHY="runsc is not installed (apt-get install runsc)"
		return 1
	fi
	if ! json=$(jq --arg p "$runsc" --argjson a "$RUNSC_ARGS" '.runtimes.runsc = {path: $p, runtimeArgs: $a}' /etc/docker/daemon.json) ||
		! echo "$json" >/etc/docker/daemon.json; then
		RUNSC_WHY="cannot add runsc to /etc/docker/daemon.json"
		return 1
	fi
	if ! reload_dockerd hardrun runsc; then
		RUNSC_WHY="dockerd does not list runsc after SIGHUP"
		return 1
	fi
	if ! out=$(d run --rm --network none --runtime=runsc "$1" true 2>&1); then
		RUNSC_WHY="\`docker run --runtime=runsc\` fails on this host: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
		return 1
	fi
	RUNSC_VERSION=$("$runsc" --version | head -n 1)
}

# docker_plot SAMPLES LABEL...: a box of each runtime's times (bench_exec
# -o: "LABEL MICROS" lines) with every run as a point, and under each its
# median and its difference to the last LABEL's, in $OUT/bench-docker.png.
docker_plot() {
	local samples=$1 i=0 label base tics=""
	shift
	base=$(median_of "${!#}")
	for label in "$@"; do
		i=$((i + 1))
		awk -v l="$label" '$1 == l {print $2 / 1000}' "$samples" >"$WORK/docker-$i.dat"
		tics+="${tics:+, }\"$label\\n$(awk -v m="$(median_of "$label")" -v b="$base" -v last="$([ "$i" -eq $# ] && echo 1)" \
			'BEGIN {printf "%.0f ms, %s", m / 1000, last ? "baseline" : sprintf("%+.1f %%%%", 100 * (m - b) / b)}')\" $i"
	done
	mkdir -p "$OUT"
	gnuplot <<EOF
set terminal pngcairo size 900,540 noenhanced
set output "$OUT/bench-docker.png"
set title "docker run --rm --network none IMAGE true, $(wc -l <"$WORK/docker-1.dat") alternated runs each\nboxes: quartiles, whiskers: 1.5 IQR, points: every run; under each: median, against the last"
set ylabel "wall time of one docker run (ms)"
set xrange [0.5:$i.5]
set yrange [0:*]
set xtics ($tics)
set bmargin 4
set grid ytics
set style fill solid 0.25 border -1
set style boxplot nooutliers
set boxwidth 0.4
set key off
plot for [k=1:$i] sprintf("$WORK/docker-%d.dat", k) using (k):1 with boxplot lc k, \\
     for [k=1:$i] sprintf("$WORK/docker-%d.dat", k) using (k + 0.3 * (rand(0) - 0.5)):1 with points pt 7 ps 0.5 lc k
EOF
}

section_docker() {
	local n img before subjects=() names=() k runsc=false
	n=$(iterations 30 3)
	section "docker run --rm IMAGE true (target: within 3 % of runc)"
	# the e2e suites' engine set-up: hardrun installed, daemon.json, image
	export E2E_STATE=/run/hardrun-bench HARDRUN
	# the helpers it loads are written for bats
	bats_require_minimum_version() { :; }
	# shellcheck source-path=SCRIPTDIR source=../e2e/engines.bash
	. "$REPO/tests/e2e/engines.bash"
	if [ -n "$(e2e_missing)" ]; then
		say "skipped: $(e2e_missing)"
		return
	fi
	ENGINES_STARTED=true
	e2e_suite_setup
	if [ -f "$E2E_STATE/broken" ]; then
		say "skipped: $(cat "$E2E_STATE/broken")"
		return
	fi
	img=$E2E_IMAGE
	before=$(wc -l 2>/dev/null </var/log/hardrun/audit.jsonl || echo 0)
	say "dockerd with examples/docker/daemon.json, the embedded default policy, a busybox"
	say "image; $n alternated runs each."
	say ""
	subjects=("docker+hardrun" "$DOCKER run --rm --network none --runtime=hardrun $img true")
	# before the second dockerd: reload_dockerd signals the newest one
	runsc_register "$img" && runsc=true
	if remap_dockerd_start; then
		say "\`docker-remap+runc\` is a second dockerd of the same containerd with"
		say "\`userns-remap\` (a daemon-wide user namespace, plain runc, its own data root): the"
		say "protection of a user namespace without hardrun."
		subjects+=("docker-remap+runc" "$DOCKER -H unix://$REMAP_SOCK run --rm --network none $img true")
	else
		say "(no userns-remap anchor: a second dockerd did not start, see $REMAP_STATE/dockerd.log)"
	fi
	if $runsc; then
		say "\`docker+runsc\` is gVisor's runsc ($RUNSC_VERSION, Debian's), the reference"
		say "point of a sandboxed runtime: the same dockerd, the runtime registered with"
		say "\`\"runtimeArgs\": $RUNSC_ARGS\`."
		subjects+=("docker+runsc" "$DOCKER run --rm --network none --runtime=runsc $img true")
	else
		say "(no runsc: $RUNSC_WHY)"
	fi
	say "All alternated in one run; \`docker+runc\` (the same dockerd, plain runc) is the"
	say "baseline of the differences."
	say ""
	subjects+=("docker+runc" "$DOCKER run --rm --network none --runtime=runc $img true")
	compare "${subjects[@]}" -n "$n" -w 2 -o "$WORK/docker.samples"
	remap_dockerd_stop
	for ((k = 0; k < ${#subjects[@]}; k += 2)); do names+=("${subjects[k]}"); done
	docker_plot "$WORK/docker.samples" "${names[@]}"
	say ""
	say "of which hardrun's user-namespace setup: median $(tail -n +"$((before + 1))" /var/log/hardrun/audit.jsonl |
		jq -s '[.[] | select(.command == "create") | .userns_setup_us] | sort | .[length / 2 | floor]') us."
	say ""
	say "![docker run wall time of each runtime](bench-docker.png)"
}

# ---------------------------------------------------------------------------
# 32 creates at once: throughput against runc's (the id-range lock must not
# serialize more than the allocation).  Each round starts 32 creates of the
# same bundle under distinct ids and waits for all; rounds alternate.
section_parallel() {
	local rounds b policy=$WORK/policy-parallel.json i r t0 t1 hardrun_ms=() runc_ms=()
	rounds=$(iterations 6 2)
	section "32 creates at once (target: throughput within 10 % of runc's)"
	b=$WORK/parallel
	docker_default_bundle "$b" hardrun-bench-p
	# no binds, and each container in the cgroup runc names after its id
	jq '.mounts |= map(select(.source | startswith("/var/lib/docker") | not)) | del(.linux.cgroupsPath)' \
		"$b/config.json" >"$b/nobind.json"
	jq -n --arg log "$WORK/audit-parallel.jsonl" --arg runc "$RUNC" '{audit_log: $log, runtime: $runc}' >"$policy"
	for ((r = 0; r < rounds; r++)); do
		for side in hardrun runc; do
			cp "$b/nobind.json" "$b/config.json"
			t0=$(date +%s%N)
			for ((i = 0; i < 32; i++)); do
				if [ "$side" = hardrun ]; then
					"$HARDRUN" --hardrun-policy "$policy" create --bundle "$b" "hb-par-$r-$i" >/dev/null 2>&1 &
				else
					"$RUNC" create --bundle "$b" "rb-par-$r-$i" >/dev/null 2>&1 &
				fi
			done
			wait
			t1=$(date +%s%N)
			# a round counts only if all 32 were created
			if [ "$("$RUNC" list -q | grep -c -- "-par-$r-")" -ne 32 ]; then
				say "failed: not all 32 $side creates of round $r succeeded"
				return 1
			fi
			for ((i = 0; i < 32; i++)); do
				if [ "$side" = hardrun ]; then
					"$HARDRUN" --hardrun-policy "$policy" delete -f "hb-par-$r-$i" >/dev/null 2>&1
				else
					"$RUNC" delete -f "rb-par-$r-$i" >/dev/null 2>&1
				fi
			done
			if [ "$side" = hardrun ]; then hardrun_ms+=($(((t1 - t0) / 1000000))); else runc_ms+=($(((t1 - t0) / 1000000))); fi
		done
	done
	say "Docker's default spec without its binds on a busybox rootfs, real runc; $rounds"
	say "alternated rounds of 32 creates started at once (ms until the last returned):"
	say ""
	say "    hardrun  ${hardrun_ms[*]}"
	say "    runc     ${runc_ms[*]}"
	PARALLEL_RATIO=$(printf '%s\n' "${hardrun_ms[@]}" | sort -n | awk -v r="$(printf '%s\n' "${runc_ms[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" \
		'{a[NR]=$1} END {printf "%.0f", 100 * r / a[int((NR+1)/2)]}')
	say ""
	say "hardrun's throughput: $PARALLEL_RATIO % of runc's (medians of the rounds)."
}

# ---------------------------------------------------------------------------
# A Kubernetes pod through containerd's CRI (tests/bench/bench_pod.py, on
# the k8s layer's test bed): hardrun's handler, plain runc, and runc with
# RuntimeDefault seccomp (the part of the baseline plain Kubernetes gives).
section_cri() {
	local n out
	n=$(iterations 20 3)
	section "A Kubernetes pod through the CRI (target: within 5 % of the runc handler)"
	if [ ! -x /usr/lib/cni/bridge ] || ! /usr/bin/python3 -c 'import grpc, grpc_tools' 2>/dev/null; then
		say "skipped: needs containernetworking-plugins, python3-grpcio and python3-grpc-tools"
		return
	fi
	say "RunPodSandbox, CreateContainer and StartContainer of a busybox \`true\` through"
	say "containerd 1.6's CRI as kubelet calls them, on a CNI bridge; $n alternated pods"
	say "each, every pod removed (untimed) before the next. \`cri+runc+seccomp\` is the runc"
	say "handler with kubelet's \`seccompProfile: RuntimeDefault\` on the pod and container."
	say ""
	out=$(HARDRUN=$HARDRUN /usr/bin/python3 "$REPO/tests/bench/bench_pod.py" "$n") || { say "failed: $out"; return; }
	echo "$out" | grep -v '^result ' | sed 's/^/    /' | tee -a "$RESULTS"
	echo "$out" | grep '^result ' >>"$WORK/all-results"
}

# ---------------------------------------------------------------------------
# scaled_spec KIND COUNT FILE: Docker's default spec with COUNT env entries
# or COUNT tmpfs mounts.
scaled_spec() {
	jq --arg kind "$1" --argjson n "$2" '
		if $kind == "env" then .process.env += [range($n) | "VAR_\(.)=value-\(.)"]
		else .mounts += [range($n) | {destination: "/data/m\(.)", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "size=64k"]}]
		end' "$REPO/tests/fixtures/docker-20.10/default/config.json" >"$3"
}

section_scaling() {
	local kind count iters line us rss ins spec data=$WORK/scaling.dat counts
	counts="10 1000 10000 100000"
	section "Scaling: create against spec size (must grow linearly)"
	say "Docker's default spec with COUNT extra env entries or COUNT extra tmpfs mounts;"
	say "\`bench_create\` (seccomp profile cached), one process per size for its peak RSS."
	say ""
	say "Instructions (callgrind, one create) are the repeatable measure of the work;"
	say "time also carries the page faults of the memory the tree takes."
	say ""
	say "| kind | count | spec bytes | time per create | time per entry | instructions per entry | peak RSS |"
	say "|---|---:|---:|---:|---:|---:|---:|"
	: >"$data"
	for kind in env mounts; do
		for count in $counts; do
			spec=$WORK/scaled-$kind-$count.json
			scaled_spec "$kind" "$count" "$spec"
			iters=$((2000000 / (count + 1000)))
			$QUICK && iters=1
			[ "$iters" -ge 1 ] || iters=1
			line=$("$BENCH_CREATE" "$spec" "$iters" cached)
			us=$(echo "$line" | sed -n 's/.* \([0-9.]*\) us per create.*/\1/p')
			rss=$(echo "$line" | sed -n 's/.*peak RSS \([0-9]*\) KiB.*/\1/p')
			ins=-
			$QUICK || ins=$(($(instructions "$spec" 1 cached) / count))
			echo "$kind $count $us $rss $ins" >>"$data"
			say "| $kind | $count | $(stat -c %s "$spec") | $(printf '%.3f' "$(echo "$us / 1000" | bc -l)") ms | $(printf '%.3f' "$(echo "$us / $count" | bc -l)") us | $ins | $rss KiB |"
		done
	done
	say ""
	for kind in env mounts; do
		local small big
		small=$(awk -v k="$kind" '$1 == k && $2 == 1000 {print $3}' "$data")
		big=$(awk -v k="$kind" '$1 == k && $2 == 100000 {print $3}' "$data")
		say "- $kind: 100x the entries (1,000 to 100,000) costs $(printf '%.1f' "$(echo "$big / $small" | bc -l)")x the time; instructions per entry $(awk -v k="$kind" '$1 == k && $2 == 1000 {print $5}' "$data") at 1,000, $(awk -v k="$kind" '$1 == k && $2 == 100000 {print $5}' "$data") at 100,000."
	done
	mkdir -p "$OUT"
	gnuplot <<EOF
set terminal pngcairo size 800,500 noenhanced
set output "$OUT/bench-scaling.png"
set title "hardrun create (parse, enforce, serialize) against spec size"
set logscale xy
set xlabel "extra entries in Docker's default spec"
set ylabel "time per create (ms)"
set y2label "peak RSS (MiB)"
set y2tics
set logscale y2
set key top left
set grid
plot "< grep ^env $data" using 2:(\$3/1000) with linespoints title "env entries: time", \
     "< grep ^mounts $data" using 2:(\$3/1000) with linespoints title "tmpfs mounts: time", \
     "< grep ^env $data" using 2:(\$4/1024) axes x1y2 with linespoints dashtype 2 title "env entries: peak RSS", \
     "< grep ^mounts $data" using 2:(\$4/1024) axes x1y2 with linespoints dashtype 2 title "tmpfs mounts: peak RSS"
EOF
	say ""
	say "![create time and peak RSS against spec size](bench-scaling.png)"
}

# ---------------------------------------------------------------------------
# verdict LABEL VALUE TARGET: "met" or "missed" for VALUE <= TARGET.
verdict() { awk -v v="$1" -v t="$2" 'BEGIN {print (v <= t) ? "met" : "MISSED"}'; }

section_targets() {
	local execve cmd first cached ratio
	section "Targets"
	execve=$(awk -v a="$(median_of env+runc)" -v b="$(median_of runc)" 'BEGIN {printf "%.0f", a - b}')
	say "| target | measured | |"
	say "|---|---|---|"
	for cmd in state kill ps; do
		local extra
		extra=$(awk -v a="$(median_of "hardrun-$cmd")" -v b="$(median_of "runc-$cmd")" 'BEGIN {printf "%.0f", a - b}')
		say "| pass-through \`$cmd\` adds about one execve ($execve us here; met within 1.5x, the noise of one run) | +$extra us | $(verdict "$extra" "$((execve * 3 / 2))") |"
	done
	first=$(awk -v u="$DOCKER_FIRST_US" 'BEGIN {printf "%.2f", u / 1000}')
	cached=$(awk -v u="$DOCKER_CACHED_US" 'BEGIN {printf "%.2f", u / 1000}')
	say "| create of Docker's default spec under 2 ms (profile already compiled) | $cached ms | $(verdict "$cached" 2) |"
	say "| create of Docker's default spec under 2 ms (first container of a new profile) | $first ms | $(verdict "$first" 2) |"
	say "| create's peak memory under 3 MB more than hardrun's start-up | $((DOCKER_RSS - BASE_RSS)) KiB more ($DOCKER_RSS KiB in all) | $(verdict "$((DOCKER_RSS - BASE_RSS))" 3072) |"
	if [ -n "$(median_of docker+runc)" ]; then
		ratio=$(awk -v a="$(median_of docker+hardrun)" -v b="$(median_of docker+runc)" 'BEGIN {printf "%.1f", 100 * (a - b) / b}')
		say "| \`docker run\` within 3 % of runc | $ratio % | $(verdict "$ratio" 3) |"
	fi
	if [ -n "$(median_of docker+runsc)" ] && [ -n "$(median_of docker+runc)" ]; then
		ratio=$(awk -v a="$(median_of docker+runsc)" -v b="$(median_of docker+runc)" 'BEGIN {printf "%+.1f %% (%.2fx)", 100 * (a - b) / b, a / b}')
		say "| for reference, not a target: gVisor's runsc, \`docker run\` against runc | $ratio | - |"
	fi
	if [ -n "$(median_of cri+runc)" ]; then
		ratio=$(awk -v a="$(median_of cri+hardrun)" -v b="$(median_of cri+runc)" 'BEGIN {printf "%.1f", 100 * (a - b) / b}')
		say "| a CRI pod within 5 % of the runc handler | $ratio % | $(verdict "$ratio" 5) |"
	fi
	if [ -n "${PARALLEL_RATIO:-}" ]; then
		say "| 32 parallel creates: throughput within 10 % of runc's | $PARALLEL_RATIO % of runc's | $(verdict "$((100 - PARALLEL_RATIO))" 10) |"
	fi
}

section_machine
# BENCH_SECTIONS="create_real docker": only these sections, printed and not
# written to docs/benchmark.md (a partial run is no benchmark.md; their plots are)
if [ -n "${BENCH_SECTIONS:-}" ]; then
	for s in $BENCH_SECTIONS; do "section_$s"; done
	exit 0
fi
section_passthrough
section_create_inprocess
section_create_real
section_parallel
section_docker
section_cri
section_scaling
section_targets
mkdir -p "$OUT"
cp "$RESULTS" "$OUT/benchmark.md"
echo
echo "written: $OUT/benchmark.md, $OUT/bench-docker.png, $OUT/bench-scaling.png"
