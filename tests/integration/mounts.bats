#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The policy side of mounts, through real runc: engine-file exceptions are
# this container's own (never another container's), a named volume is judged
# by what its mount really is, a rootfs inside a sensitive path is refused,
# relative bind sources resolve in the bundle, and proc and sysfs mount only
# at /proc and /sys.  Each attack is also run under plain runc, to show what
# the refusal prevents.

load helpers

setup() {
	hr_setup
	MOUNTED=()
}

teardown() {
	local m
	# unmount first: teardown removes the directories these cover
	for m in "${MOUNTED[@]}"; do
		umount -l "$m" 2>/dev/null || true
	done
	hr_teardown
}

# random_id: 64 hex digits, the form of an engine's container id.
random_id() {
	od -An -N32 -tx1 /dev/urandom | tr -d ' \n'
}

# engine_file PATH: a file where an engine keeps a container's file, made
# for this test (its directories removed in teardown).
engine_file() {
	local dir
	dir=$(dirname "$1")
	make_parents "$dir"
	echo "engine file of $(basename "$dir")" >"$1"
}

make_parents() {
	[ -d "$1" ] && return 0
	make_parents "$(dirname "$1")"
	mkdir "$1"
	track_dir "$1"
}

# bind_bundle NAME SOURCE DEST [SCRIPT]: a bundle that binds SOURCE at DEST
# (each test its own: runc makes a missing one in the shared rootfs, as a
# file or a directory after the source).
bind_bundle() {
	make_bundle "$1" "${4:-cat $3; echo done=yes}" \
		".mounts += [{destination: \"$3\", type: \"bind\", source: \"$2\", options: [\"rbind\"]}]"
}

@test "a bind of another docker container's hosts file is refused; the container's own runs" {
	local mine other bundle id
	mine=$(random_id)
	other=$(random_id)
	engine_file "/var/lib/docker/containers/$other/hosts"
	engine_file "/var/lib/docker/containers/$mine/hosts"
	track_path "/var/lib/docker/containers/$other"
	track_path "/var/lib/docker/containers/$mine"

	# under plain runc the container rewrites the other container's file
	bundle=$(make_bundle plain 'echo owned >/x; echo done=yes' ".mounts += [{destination: \"/x\", type: \"bind\", source: \"/var/lib/docker/containers/$other/hosts\", options: [\"rbind\"]}]" "$(private_rootfs plain)")
	id=$(new_id plain)
	run runc_ run --bundle "$bundle" "$id"
	[ "$status" -eq 0 ]
	[ "$(cat "/var/lib/docker/containers/$other/hosts")" = owned ]
	echo "engine file of $other" >"/var/lib/docker/containers/$other/hosts"

	# under hardrun, as container $mine, the other's file is refused
	bundle=$(bind_bundle other "/var/lib/docker/containers/$other/hosts" /hostsfile 'echo owned >/hostsfile; echo done=yes')
	track "$mine"
	hr_refused run "$bundle" "$mine" "bind mount of \"/var/lib/docker/containers/$other/hosts\" at \"/hostsfile\" exposes the sensitive host path \"/var/lib/docker\""
	[ "$(cat "/var/lib/docker/containers/$other/hosts")" = "engine file of $other" ]

	# its own file is bound
	bundle=$(bind_bundle own "/var/lib/docker/containers/$mine/hosts" /hostsfile)
	run hr run --bundle "$bundle" "$mine"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"engine file of $mine"* ]]
}

@test "a bind of another podman container's conmon attach socket is refused" {
	local mine other bundle
	mine=$(random_id)
	other=$(random_id)
	make_parents "/var/lib/containers/storage/overlay-containers/$other/userdata"
	track_path "/var/lib/containers/storage/overlay-containers/$other"
	# a listening unix socket, as conmon's attach
	(cd "/var/lib/containers/storage/overlay-containers/$other/userdata" &&
		python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind("attach")')
	[ -S "/var/lib/containers/storage/overlay-containers/$other/userdata/attach" ]
	bundle=$(bind_bundle attach "/var/lib/containers/storage/overlay-containers/$other/userdata/attach" /attach 'ls -l /attach')
	track "$mine"
	hr_refused run "$bundle" "$mine" "bind mount of \"/var/lib/containers/storage/overlay-containers/$other/userdata/attach\" .*\"/var/lib/containers\""
}

@test "a CRI container binds its pod sandbox's files only when it really joins that live sandbox" {
	local sbx app forged bundle pid dir ann mount
	sbx=$(random_id)
	app=$(random_id)
	forged=$(random_id)
	dir=/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/$sbx
	engine_file "$dir/hosts"
	track_path "$dir"
	ann="{\"io.kubernetes.cri.sandbox-id\": \"$sbx\"}"
	mount="{destination: \"/podhosts\", type: \"bind\", source: \"$dir/hosts\", options: [\"rbind\", \"ro\"]}"

	# the sandbox itself: the annotation names its own id
	bundle=$(make_bundle sandbox 'exec sleep 120' ".annotations = $ann | .mounts += [$mount]")
	track "$sbx"
	hr create --bundle "$bundle" "$sbx" </dev/null >/dev/null 2>&1
	hr start "$sbx"
	pid=$(runc_ state "$sbx" | jq -r .pid)
	[ "$pid" -gt 0 ]

	# an app container that joins the sandbox's ipc and uts namespaces
	bundle=$(make_bundle app 'cat /podhosts; echo done=yes' ".annotations = $ann | .mounts += [$mount]
		| .linux.namespaces |= map(if .type == \"ipc\" or .type == \"uts\" then .path = \"/proc/$pid/ns/\" + .type else . end)")
	track "$app"
	run hr run --bundle "$bundle" "$app"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"engine file of $sbx"* ]]

	# one that only names the sandbox in its annotations is not in its pod
	bundle=$(make_bundle forged 'cat /podhosts; echo done=yes' ".annotations = $ann | .mounts += [$mount]")
	track "$forged"
	hr_refused run "$bundle" "$forged" "bind mount of \"$dir/hosts\" at \"/podhosts\" exposes the sensitive host path \"/var/lib/containerd\""
}

@test "a container joining live container X's network namespace may bind X's hosts file (docker's --network container:X)" {
	local x joiner bundle pid hosts
	x=$(random_id)
	joiner=$(random_id)
	hosts=/var/lib/docker/containers/$x/hosts
	engine_file "$hosts"
	track_path "/var/lib/docker/containers/$x"
	bundle=$(make_bundle x 'exec sleep 120')
	track "$x"
	hr create --bundle "$bundle" "$x" </dev/null >/dev/null 2>&1
	hr start "$x"
	pid=$(runc_ state "$x" | jq -r .pid)
	[ "$pid" -gt 0 ]

	bundle=$(make_bundle joiner 'cat /xhosts; echo done=yes' ".mounts += [{destination: \"/xhosts\", type: \"bind\", source: \"$hosts\", options: [\"rbind\", \"ro\"]}]
		| .linux.namespaces |= map(if .type == \"network\" then .path = \"/proc/$pid/ns/net\" else . end)")
	track "$joiner"
	run hr run --bundle "$bundle" "$joiner"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"engine file of $x"* ]]

	# without joining it, X's file is another container's
	bundle=$(make_bundle stranger 'cat /xhosts' ".mounts += [{destination: \"/xhosts\", type: \"bind\", source: \"$hosts\", options: [\"rbind\", \"ro\"]}]")
	joiner=$(random_id)
	track "$joiner"
	hr_refused run "$bundle" "$joiner" "bind mount of \"$hosts\" at \"/xhosts\" exposes the sensitive host path \"/var/lib/docker\""
}

@test "a named volume that is a bind of /etc is refused like a bind of /etc; a plain one runs" {
	local vol=hrit-vol-$$-$RANDOM bundle id data
	data=/var/lib/containers/storage/volumes/$vol/_data
	make_parents "$data"
	track_path "/var/lib/containers/storage/volumes/$vol"
	echo plain >"$data/file"

	bundle=$(bind_bundle plainvol "$data" /vol 'cat /vol/file; echo done=yes')
	id=$(new_id plainvol)
	run hr run --bundle "$bundle" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *plain* ]]

	# what `podman volume create -o type=none -o o=bind -o device=/etc` makes
	rm "$data/file"
	mount --bind /etc "$data"
	MOUNTED+=("$data")
	mount -o remount,bind,ro "$data"
	bundle=$(bind_bundle etcvol "$data" /vol 'cat /vol/hostname; echo done=yes')
	id=$(new_id etcvol)
	hr_refused run "$bundle" "$id" "volume \"$data\" at \"/vol\" is a mount of the host path \"/etc\", which exposes the sensitive host path \"/etc\""
	# and so is a file below it
	bundle=$(bind_bundle etcvolfile "$data/hostname" /volfile)
	id=$(new_id etcvolfile)
	hr_refused run "$bundle" "$id" "volume \"$data/hostname\" at \"/volfile\" is a mount of the host path \"/etc/hostname\""
}

@test "a named volume that is a proc mount is refused" {
	local vol=hrit-vol-$$-$RANDOM bundle id data
	data=/var/lib/containers/storage/volumes/$vol/_data
	make_parents "$data"
	track_path "/var/lib/containers/storage/volumes/$vol"
	mount -t proc proc "$data"
	MOUNTED+=("$data")
	bundle=$(bind_bundle procvol "$data" /vol)
	id=$(new_id procvol)
	hr_refused run "$bundle" "$id" "volume \"$data\" at \"/vol\" is a proc filesystem"
}

@test "a rootfs inside a sensitive path is refused" {
	local bundle id root
	for root in /var/lib/docker /etc/ssl /var/lib/containers/storage; do
		bundle=$(make_bundle "root$RANDOM" 'echo done=yes' ". | .root.path = \"$root\"")
		id=$(new_id rootfs)
		hr_refused run "$bundle" "$id" "root filesystem \"$root\" exposes the sensitive host path"
	done
}

@test "relative bind sources resolve in the bundle: . and dir/sub run, one that resolves to /etc is refused" {
	local bundle id
	bundle=$(make_bundle rel 'ls /reldot /relsub; cat /relsub/f; echo done=yes' \
		'.mounts += [{destination: "/reldot", type: "bind", source: ".", options: ["rbind", "ro"]},
		             {destination: "/relsub", type: "bind", source: "dir/sub", options: ["rbind", "ro"]}]')
	mkdir -p "$bundle/dir/sub"
	echo in-sub >"$bundle/dir/sub/f"
	id=$(new_id rel)
	run hr run --bundle "$bundle" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *config.json* ]]
	[[ "$output" == *in-sub* ]]

	for src in up ../../../../../../../../etc; do
		bundle=$(make_bundle "relup$RANDOM" 'cat /relup/hostname' \
			".mounts += [{destination: \"/relup\", type: \"bind\", source: \"$src\", options: [\"rbind\"]}]")
		ln -s /etc "$bundle/up"
		id=$(new_id relup)
		hr_refused run "$bundle" "$id" "bind mount of \"$src\" at \"/relup\" exposes the sensitive host path \"/etc\""
	done
}

@test "a sysfs mount outside /sys is refused; under plain runc it shows the firmware /sys masks" {
	local bundle id filter
	filter='.mounts += [{destination: "/mnt/s", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]}]'
	bundle=$(make_bundle sysplain 'ls /mnt/s; ls /sys/firmware | wc -l; echo done=yes' "$filter" "$(private_rootfs plain)")
	id=$(new_id sysplain)
	run runc_ run --bundle "$bundle" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *firmware* ]]

	bundle=$(make_bundle sys 'ls /mnt/s/firmware; echo done=yes' "$filter")
	id=$(new_id sys)
	hr_refused run "$bundle" "$id" "sysfs mount at \"/mnt/s\" \\(landing at \"/mnt/s\"\\) is not allowed: sysfs mounts only at /sys"
	bundle=$(make_bundle proc 'ls /mnt/p; echo done=yes' \
		'.mounts += [{destination: "/mnt/p", type: "proc", source: "proc"}]')
	id=$(new_id proc)
	hr_refused run "$bundle" "$id" "proc mount at \"/mnt/p\" .*proc mounts only at /proc"
}

@test "policy show lists the proc_sys_mounts rule and the placeholders of the exceptions" {
	run "$HARDRUN" --hardrun-policy "$POLICY" policy show
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *proc_sys_mounts* ]]
	[[ "$output" == *'/var/lib/docker/containers/{id}/hosts'* ]]
}

# The volume owner's first uid and gid in the embedded default policy.
VOLUME_OWNER=1946157056

# seed_volume DATA: what an engine leaves in a new named volume: the
# directory made by root, and the image's files copied with their owners
# (a root file, a service's directory, a setuid-root binary).
seed_volume() {
	local data=$1
	make_parents "$data"
	echo seeded >"$data/seed"
	mkdir "$data/db"
	chown 999:999 "$data/db"
	mkdir "$data/img"
	cp "$(hr_rootfs)/bin/probe" "$data/img/probe"
	chmod 4755 "$data/img/probe"
}

# volume_bundle NAME DATA SCRIPT: a container with docker's file
# capabilities (runc spec's have none) that binds DATA at /vol.
volume_bundle() {
	make_bundle "$1" "$3" "(.process.capabilities[] |= (. + [\"CAP_CHOWN\", \"CAP_DAC_OVERRIDE\", \"CAP_FOWNER\"]))
		| .mounts += [{destination: \"/vol\", type: \"bind\", source: \"$2\", options: [\"rbind\"]}]"
}

@test "a shared volume: nothing the container writes there is a host user's; a setuid copy gives another container no root" {
	local vol=hrit-vol-$$-$RANDOM bundle id data plain
	require_probe
	data=/var/lib/containers/storage/volumes/$vol/_data
	seed_volume "$data"
	track_path "/var/lib/containers/storage/volumes/$vol"

	# the attack: root in the container copies busybox and makes it setuid
	bundle=$(volume_bundle suidvol "$data" 'stat -c "%n %u %g %a" /vol /vol/seed /vol/db /vol/img/probe
		cp /bin/probe /vol/copy && chmod 4755 /vol/copy && mkdir /vol/db/x && chown 999:999 /vol/db/x && echo done=yes')
	id=$(new_id suidvol)
	run hr run --bundle "$bundle" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *done=yes* ]]
	# the container sees the image's files as the image has them
	grep -qx '/vol 0 0 755' <<<"$output"
	grep -qx '/vol/seed 0 0 644' <<<"$output"
	grep -qx '/vol/db 999 999 755' <<<"$output"
	grep -qx '/vol/img/probe 0 0 4755' <<<"$output"

	# on the host's disk: everything on the volume owner's ids, none a host user's
	[ "$(stat -c '%u %g %a' "$data/copy")" = "$VOLUME_OWNER $VOLUME_OWNER 4755" ]
	[ "$(stat -c '%u %g' "$data/db/x")" = "$((VOLUME_OWNER + 999)) $((VOLUME_OWNER + 999))" ]
	run find "$data" \( -uid -65536 -o -gid -65536 \) -print
	[ -z "$output" ]

	# another container, plain runc as uid 1000 without no_new_privs, binds
	# the same volume without nosuid: the setuid copies give it no root
	plain=$(make_bundle plainsuid '/vol/copy euid; /vol/img/probe euid' \
		".process.user = {uid: 1000, gid: 1000} | .process.noNewPrivileges = false
		 | .mounts += [{destination: \"/vol\", type: \"bind\", source: \"$data\", options: [\"rbind\"]}]")
	id=$(new_id plainsuid)
	run runc_ run --bundle "$plain" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'euid=%s\neuid=%s' "$VOLUME_OWNER" "$VOLUME_OWNER")" ]
}

@test "a shared volume keeps its content across containers of different ranges, moved onto the owner's ids once" {
	local vol=hrit-vol-$$-$RANDOM bundle id data first second
	require_probe
	data=/var/lib/containers/storage/volumes/$vol/_data
	seed_volume "$data"
	track_path "/var/lib/containers/storage/volumes/$vol"
	bundle=$(volume_bundle keep1 "$data" 'echo kept >/vol/note && chown 999 /vol/note && sleep 60')
	first=$(new_id keep1)
	hr run -d --bundle "$bundle" "$first" </dev/null >/dev/null
	wait_running "$first"
	[ "$(getfattr --only-values -n trusted.hardrun.volume_owner "$data")" = "$VOLUME_OWNER:$VOLUME_OWNER" ]
	# a second container, alive at once, holds another range: it sees the
	# first one's file as the first one wrote it
	bundle=$(volume_bundle keep2 "$data" 'stat -c "%u %g" /vol/note; cat /vol/note; echo more >>/vol/note && echo done=yes')
	second=$(new_id keep2)
	run hr run --bundle "$bundle" "$second"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "999 0" ]
	[ "${lines[1]}" = kept ]
	[[ "$output" == *done=yes* ]]
	[ "$(stat -c %u "$data/note")" = $((VOLUME_OWNER + 999)) ]
	grep -qx more "$data/note"
}

@test "moving a volume onto the owner's ids never changes a host file linked or hard-linked into it" {
	local vol=hrit-vol-$$-$RANDOM bundle id data secret
	require_probe
	data=/var/lib/containers/storage/volumes/$vol/_data
	seed_volume "$data"
	track_path "/var/lib/containers/storage/volumes/$vol"
	# host root's files, planted in the volume before its first hardrun use
	secret=/var/lib/containers/storage/hrit-secret-$$
	echo secret >"$secret"
	chmod 0600 "$secret"
	track_path "$secret"
	ln -s "$secret" "$data/link"
	ln "$secret" "$data/hard"
	bundle=$(volume_bundle linked "$data" 'cat /vol/hard /vol/link 2>&1; echo done=yes')
	id=$(new_id linked)
	run hr run --bundle "$bundle" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *secret* ]]
	# the host file keeps host root's ownership and mode; the link itself moved
	[ "$(stat -c '%u %g %a' "$secret")" = "0 0 600" ]
	[ "$(stat -c '%u' "$data/link")" = "$VOLUME_OWNER" ]
}
