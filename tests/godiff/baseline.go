// SPDX-License-Identifier: Apache-2.0
package main

import (
	"fmt"
	"path/filepath"
	"strings"
)

// The default policy's capability allowlist.
var allowedCaps = map[string]bool{
	"CAP_CHOWN": true, "CAP_DAC_OVERRIDE": true, "CAP_FOWNER": true, "CAP_FSETID": true,
	"CAP_KILL": true, "CAP_SETUID": true, "CAP_SETGID": true, "CAP_NET_BIND_SERVICE": true,
}

var sensitive = []string{"/", "/proc", "/sys", "/dev", "/boot", "/etc", "/root", "/var/lib/docker",
	"/var/lib/containerd", "/run/containerd", "/var/run/docker.sock"}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// within: path is dir or lies under it ("/" counts only as itself: every
// path lies under it, and a bind of a parent of a sensitive path is caught
// the other way round).
func within(path, dir string) bool {
	return path == dir || dir != "/" && strings.HasPrefix(path, dir+"/")
}

// baselineProblem says what in a hardened spec (as runc reads it) breaks the
// default policy's baseline, or "".
func baselineProblem(s *Spec) string {
	p := s.Process
	if p == nil {
		return "no process"
	}
	if !p.NoNewPrivileges {
		return "noNewPrivileges is false"
	}
	if c := p.Capabilities; c != nil {
		for name, set := range map[string][]string{"bounding": c.Bounding, "effective": c.Effective, "permitted": c.Permitted} {
			for _, cap := range set {
				if !allowedCaps[cap] {
					return fmt.Sprintf("capability %s in the %s set", cap, name)
				}
			}
		}
		if len(c.Inheritable)+len(c.Ambient) > 0 {
			return "inheritable or ambient capabilities"
		}
	}
	if s.Root == nil || !s.Root.Readonly {
		return "the root is writable"
	}
	if problem := mountProblem(s.Mounts); problem != "" {
		return problem
	}
	l := s.Linux
	if l == nil {
		return "no linux section"
	}
	user := false
	for _, ns := range l.Namespaces {
		user = user || ns.Type == "user"
	}
	if !user || len(l.UIDMappings) == 0 || len(l.GIDMappings) == 0 {
		return "no user namespace with mappings"
	}
	for _, m := range append(append([]IDMapping{}, l.UIDMappings...), l.GIDMappings...) {
		if m.HostID == 0 {
			return "host id 0 is mapped"
		}
	}
	if l.Resources == nil || l.Resources.Pids == nil || l.Resources.Pids.Limit <= 0 {
		return "no pids limit"
	}
	return seccompProblem(l.Seccomp)
}

func mountProblem(mounts []Mount) string {
	for _, m := range mounts {
		if m.Type != "bind" && !has(m.Options, "bind") && !has(m.Options, "rbind") {
			continue
		}
		src := filepath.Clean(m.Source)
		for _, dir := range sensitive {
			if within(src, dir) || within(dir, src) {
				return fmt.Sprintf("bind of %s at %s", m.Source, m.Destination)
			}
		}
		if !has(m.Options, "nosuid") || !has(m.Options, "nodev") {
			return fmt.Sprintf("bind at %s without nosuid,nodev", m.Destination)
		}
	}
	return ""
}

func seccompProblem(sc *Seccomp) string {
	if sc == nil {
		return "no seccomp profile"
	}
	if sc.DefaultAction == "SCMP_ACT_ALLOW" || sc.DefaultAction == "SCMP_ACT_LOG" {
		return "seccomp allows by default"
	}
	for _, rule := range sc.Syscalls {
		if rule.Action != "SCMP_ACT_ALLOW" && rule.Action != "SCMP_ACT_LOG" || len(rule.Args) > 0 {
			continue
		}
		for _, name := range []string{"mount", "unshare", "bpf", "keyctl"} {
			if has(rule.Names, name) {
				return "seccomp allows " + name
			}
		}
	}
	return ""
}
