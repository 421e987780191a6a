// SPDX-License-Identifier: Apache-2.0
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
)

// node is a JSON value that keeps member order and duplicate keys, which
// Go's own types cannot: the corpus is written through it.
type node struct {
	kind    byte // 'o' object, 'a' array, 'v' any other value (raw text)
	keys    []string
	members []*node
	items   []*node
	raw     string
}

func parseNode(dec *json.Decoder) *node {
	tok, err := dec.Token()
	if err != nil {
		panic(err)
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			n := &node{kind: 'o'}
			for dec.More() {
				k, _ := dec.Token()
				n.keys = append(n.keys, k.(string))
				n.members = append(n.members, parseNode(dec))
			}
			dec.Token()
			return n
		}
		n := &node{kind: 'a'}
		for dec.More() {
			n.items = append(n.items, parseNode(dec))
		}
		dec.Token()
		return n
	default:
		raw, _ := json.Marshal(t)
		return &node{kind: 'v', raw: string(raw)}
	}
}

func mustNode(text string) *node {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	return parseNode(dec)
}

func (n *node) write(b *bytes.Buffer) {
	switch n.kind {
	case 'o':
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			// raw UTF-8 keys (ſ, K) as a hand-written file would have them
			b.WriteString(`"` + strings.ReplaceAll(strings.ReplaceAll(k, `\`, `\\`), `"`, `\"`) + `":`)
			n.members[i].write(b)
		}
		b.WriteByte('}')
	case 'a':
		b.WriteByte('[')
		for i, it := range n.items {
			if i > 0 {
				b.WriteByte(',')
			}
			it.write(b)
		}
		b.WriteByte(']')
	default:
		b.WriteString(n.raw)
	}
}

func (n *node) text() []byte {
	var b bytes.Buffer
	n.write(&b)
	return b.Bytes()
}

func (n *node) clone() *node {
	c := &node{kind: n.kind, raw: n.raw, keys: append([]string(nil), n.keys...)}
	for _, m := range n.members {
		c.members = append(c.members, m.clone())
	}
	for _, it := range n.items {
		c.items = append(c.items, it.clone())
	}
	return c
}

// variants of a key that Go matches to the same struct field
func variants(key string) []string {
	out := []string{strings.ToUpper(key), strings.ToUpper(key[:1]) + key[1:]}
	if strings.ContainsAny(key, "sS") {
		out = append(out, strings.Replace(key, "s", "\u017f", 1))
	}
	if strings.ContainsAny(key, "kK") {
		out = append(out, strings.Replace(strings.Replace(key, "k", "\u212a", 1), "K", "\u212a", 1))
	}
	mixed := []byte(key)
	for i := range mixed {
		if i%2 == 1 && mixed[i] >= 'a' && mixed[i] <= 'z' {
			mixed[i] -= 32
		}
	}
	return append(out, string(mixed))
}

// evil: a value of the same shape that says something else.
func evil(key string, n *node) *node {
	switch n.kind {
	case 'o':
		if len(n.keys) == 0 {
			return mustNode(`{"x":1}`)
		}
		return &node{kind: 'o', keys: []string{n.keys[0]}, members: []*node{evil(n.keys[0], n.members[0])}}
	case 'a':
		if len(n.items) == 0 {
			return mustNode(`["CAP_SYS_ADMIN"]`)
		}
		return &node{kind: 'a', items: []*node{evil(key, n.items[0])}}
	}
	switch {
	case n.raw == "true":
		return mustNode("false")
	case n.raw == "false":
		return mustNode("true")
	case n.raw == "null":
		return mustNode("{}")
	case n.raw[0] == '"':
		switch strings.ToLower(key) {
		case "source":
			return mustNode(`"/etc"`)
		case "type":
			return mustNode(`"user"`)
		case "action", "defaultaction":
			return mustNode(`"SCMP_ACT_ALLOW"`)
		case "architectures":
			return mustNode(`"SCMP_ARCH_X86"`)
		}
		return mustNode(`"CAP_SYS_ADMIN"`)
	}
	return mustNode("0")
}

type corpusCase struct {
	name string
	text []byte
}

// where is one object member of the base spec: its object and index.
type where struct {
	path string
	obj  *node
	i    int
}

func members(n *node, path string, out *[]where) {
	switch n.kind {
	case 'o':
		for i, k := range n.keys {
			*out = append(*out, where{path + "." + k, n, i})
			members(n.members[i], path+"."+k, out)
		}
	case 'a':
		for i, it := range n.items {
			if i < 2 { // the first two elements of each array are enough
				members(it, fmt.Sprintf("%s[%d]", path, i), out)
			}
		}
	}
}

// forEachMember clones the base and hands the mutation the clone's copy of
// every member in turn.
func forEachMember(base *node, mutate func(w where) string, out *[]corpusCase) {
	var count []where
	members(base, "", &count)
	for i := range count {
		c := base.clone()
		var ws []where
		members(c, "", &ws)
		if name := mutate(ws[i]); name != "" {
			*out = append(*out, corpusCase{name, c.text()})
		}
	}
}

func insert(w where, at int, key string, value *node) {
	o := w.obj
	o.keys = append(o.keys[:at], append([]string{key}, o.keys[at:]...)...)
	o.members = append(o.members[:at], append([]*node{value}, o.members[at:]...)...)
}

func baseSpec(bindSource string) string {
	return `{"ociVersion":"1.0.2","process":{"terminal":false,"user":{"uid":0,"gid":0,"additionalGids":[1,2]},
"args":["sh","-c","true"],"env":["PATH=/bin","HOME=/"],"cwd":"/",
"capabilities":{"bounding":["CAP_CHOWN","CAP_KILL","CAP_SYS_ADMIN"],"effective":["CAP_CHOWN","CAP_KILL"],
"inheritable":["CAP_KILL"],"permitted":["CAP_CHOWN","CAP_KILL","CAP_NET_RAW"],"ambient":["CAP_KILL"]},
"rlimits":[{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}],"noNewPrivileges":false,"oomScoreAdj":5},
"root":{"path":"rootfs","readonly":false},"hostname":"godiff",
"mounts":[{"destination":"/proc","type":"proc","source":"proc"},
{"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]},
{"destination":"/data","type":"bind","source":"` + bindSource + `","options":["rbind","rw"]},
{"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]}],
"annotations":{"org.example.a":"1","org.example.b":"2"},
"linux":{"sysctl":{"kernel.shm_rmid_forced":"1"},
"resources":{"devices":[{"allow":false,"access":"rwm"}],"memory":{"limit":67108864},"cpu":{"shares":512,"quota":20000},"pids":{"limit":100},"unified":{"pids.max":"100"}},
"namespaces":[{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"mount"}],
"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]},
"maskedPaths":["/proc/kcore","/proc/keys"],"readonlyPaths":["/proc/sys"]}}`
}

// Hand-written attacks: each hides a weaker setting where a naive reader
// would not look for it.
func attacks(bindSource string) []corpusCase {
	base := baseSpec(bindSource)
	at := func(anchor, add string) string { return strings.Replace(base, anchor, anchor+add, 1) }
	list := []struct{ name, text string }{
		{"later Capabilities adds CAP_SYS_ADMIN", at(`"cwd":"/",`, `"Capabilities":{"bounding":["CAP_SYS_ADMIN"],"effective":["CAP_SYS_ADMIN"],"permitted":["CAP_SYS_ADMIN"]},`)},
		{"Root merged: readonly false survives a later root without it", at(`"hostname":"godiff",`, `"ROOT":{"path":"rootfs"},`)},
		{"root readonly true then Readonly false", strings.Replace(base, `"readonly":false`, `"readonly":true,"Readonly":false`, 1)},
		{"seccomp then SECCOMP null", at(`"readonlyPaths":["/proc/sys"]`, `,"SECCOMP":null`)},
		{"seccomp then ſeccomp allow-all", at(`"readonlyPaths":["/proc/sys"]`, `,"ſeccomp":{"defaultAction":"SCMP_ACT_ALLOW"}`)},
		{"namespaces then Namespaces without mount", at(`"readonlyPaths":["/proc/sys"]`, `,"Namespaces":[{"type":"pid"}]`)},
		{"mounts then Mounts binding /etc", at(`"hostname":"godiff",`, `"Mounts":[{"destination":"/x","type":"bind","source":"/etc","options":["rbind"]}],`) + ""},
		{"stale slice element: the third mounts array revives a bind of /etc",
			strings.Replace(base, `"annotations"`, `"Mounts":[{"destination":"/proc"}],"MOUNTS":[{"destination":"/proc","type":"proc","source":"proc"},{"destination":"/dev"},{"destination":"/data"},{"destination":"/sys"}],"annotations"`, 1)},
		{"stale slice: shrink then grow with null elements",
			strings.Replace(base, `"annotations"`, `"Mounts":[{"destination":"/proc","type":"proc","source":"proc"}],"mountſ":[null,null,null,null],"annotations"`, 1)},
		{"noNewPrivileges true then NoNewPrivileges false", strings.Replace(base, `"noNewPrivileges":false`, `"noNewPrivileges":true,"NoNewPrivileges":false`, 1)},
		{"process then Process null", at(`"hostname":"godiff",`, `"Process":null,`)},
		{"process merged from two halves", strings.Replace(base, `"cwd":"/",`, `"cwd":"/"},"PROCESS":{`, 1)},
		{"linux merged from two halves", strings.Replace(base, `"namespaces"`, `"x":1},"Linux":{"namespaces"`, 1)},
		{"resources cpu and CPU merged (runc's update test)", at(`"pids":{"limit":100},`, `"CPU":{"period":100000,"cpus":"0"},`)},
		{"pids then Pids null", at(`"pids":{"limit":100},`, `"Pids":null,`)},
		{"annotations differing only in case are two", at(`"org.example.b":"2"`, `,"ORG.EXAMPLE.A":"3","org.example.a":"4"`)},
		{"annotations given twice are merged", at(`"annotations":{"org.example.a":"1","org.example.b":"2"},`, `"Annotations":{"org.example.c":"5"},`)},
		{"annotations null element is an empty string", at(`"org.example.b":"2"`, `,"org.example.n":null`)},
		{"sysctl keys differing only in case are two", at(`"kernel.shm_rmid_forced":"1"`, `,"KERNEL.SHM_RMID_FORCED":"0"`)},
		{"unified keys differing only in case are two", at(`"pids.max":"100"`, `,"PIDS.MAX":"5"`)},
		{"user uid then UID", strings.Replace(base, `"uid":0,`, `"uid":0,"UID":1000,`, 1)},
		{"Kelvin sign in maſKed paths key empties them", at(`"readonlyPaths":["/proc/sys"]`, `,"mas\u212aedPaths":[]`)},
		{"capabilities bounding shrunk then grown back (stale strings)", at(`"ambient":["CAP_KILL"]`, `,"Bounding":["CAP_KILL"],"BOUNDING":["CAP_KILL","CAP_CHOWN","CAP_KILL"]`)},
		{"uidMappings twice", strings.Replace(base, `"linux":{`, `"linux":{"uidMappings":[{"containerID":0,"hostID":0,"size":1}],"UIDMAPPINGS":[{"hostID":5}],`, 1)},
		{"integer out of range in a duplicate", strings.Replace(base, `"oomScoreAdj":5`, `"oomScoreAdj":5,"OOMScoreAdj":1.5`, 1)},
		{"type mismatch in a later duplicate", at(`"hostname":"godiff",`, `"Root":"rootfs",`)},
		{"unknown keys that differ in case", at(`"hostname":"godiff",`, `"x-extra":1,"X-EXTRA":2,`)},
		{"null for a value field keeps the earlier value", strings.Replace(base, `"readonly":false`, `"readonly":true,"readonly":null`, 1)},
		{"escaped key \\u0070rocess", at(`"hostname":"godiff",`, `"\u0070rocess":{"cwd":"/"},`)},
	}
	var out []corpusCase
	for _, a := range list {
		out = append(out, corpusCase{a.name, []byte(a.text)})
	}
	return out
}

func corpus(bindSource string) []corpusCase {
	base := mustNode(baseSpec(bindSource))
	out := attacks(bindSource)
	rng := rand.New(rand.NewSource(15))

	forEachMember(base, func(w where) string { // a case variant of each key
		vs := variants(w.obj.keys[w.i])
		w.obj.keys[w.i] = vs[rng.Intn(len(vs))]
		return "rename " + w.path + " to " + w.obj.keys[w.i]
	}, &out)
	forEachMember(base, func(w where) string { // a later, different duplicate
		vs := variants(w.obj.keys[w.i])
		key := vs[rng.Intn(len(vs))]
		insert(w, w.i+1, key, evil(w.obj.keys[w.i], w.obj.members[w.i]))
		return "later " + key + " after " + w.path
	}, &out)
	forEachMember(base, func(w where) string { // an earlier duplicate, merged into
		vs := variants(w.obj.keys[w.i])
		key := vs[rng.Intn(len(vs))]
		insert(w, w.i, key, evil(w.obj.keys[w.i], w.obj.members[w.i]))
		return "earlier " + key + " before " + w.path
	}, &out)
	forEachMember(base, func(w where) string { // a later null
		key := variants(w.obj.keys[w.i])[0]
		insert(w, w.i+1, key, mustNode("null"))
		return "later " + key + " null after " + w.path
	}, &out)
	for i := 0; i < 20; i++ { // every key of the spec renamed at once
		c := base.clone()
		var ws []where
		members(c, "", &ws)
		for _, w := range ws {
			if rng.Intn(2) == 0 {
				vs := variants(w.obj.keys[w.i])
				w.obj.keys[w.i] = vs[rng.Intn(len(vs))]
			}
		}
		out = append(out, corpusCase{fmt.Sprintf("random renames #%d", i), c.text()})
	}
	return out
}
