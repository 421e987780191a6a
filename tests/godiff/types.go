// SPDX-License-Identifier: Apache-2.0
package main

// The parts of an OCI spec that hardrun enforces or reads, as runc 1.1
// decodes them: the field names, json tags and Go kinds of runtime-spec
// (commit 1c3f411f0417, what runc 1.1 vendors), written here for the test.
// Pointers, slices, maps and struct values are kept as they are there:
// they decide how encoding/json merges a field given twice.

type Spec struct {
	Version     string            `json:"ociVersion"`
	Process     *Process          `json:"process,omitempty"`
	Root        *Root             `json:"root,omitempty"`
	Hostname    string            `json:"hostname,omitempty"`
	Mounts      []Mount           `json:"mounts,omitempty"`
	Hooks       *Hooks            `json:"hooks,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Linux       *Linux            `json:"linux,omitempty"`
}

type Process struct {
	Terminal        bool          `json:"terminal,omitempty"`
	User            User          `json:"user"`
	Args            []string      `json:"args,omitempty"`
	Env             []string      `json:"env,omitempty"`
	Cwd             string        `json:"cwd"`
	Capabilities    *Capabilities `json:"capabilities,omitempty"`
	Rlimits         []Rlimit      `json:"rlimits,omitempty"`
	NoNewPrivileges bool          `json:"noNewPrivileges,omitempty"`
	ApparmorProfile string        `json:"apparmorProfile,omitempty"`
	OOMScoreAdj     *int          `json:"oomScoreAdj,omitempty"`
	SelinuxLabel    string        `json:"selinuxLabel,omitempty"`
}

type User struct {
	UID            uint32   `json:"uid"`
	GID            uint32   `json:"gid"`
	Umask          *uint32  `json:"umask,omitempty"`
	AdditionalGids []uint32 `json:"additionalGids,omitempty"`
}

type Capabilities struct {
	Bounding    []string `json:"bounding,omitempty"`
	Effective   []string `json:"effective,omitempty"`
	Inheritable []string `json:"inheritable,omitempty"`
	Permitted   []string `json:"permitted,omitempty"`
	Ambient     []string `json:"ambient,omitempty"`
}

type Rlimit struct {
	Type string `json:"type"`
	Hard uint64 `json:"hard"`
	Soft uint64 `json:"soft"`
}

type Root struct {
	Path     string `json:"path"`
	Readonly bool   `json:"readonly,omitempty"`
}

type Mount struct {
	Destination string   `json:"destination"`
	Type        string   `json:"type,omitempty"`
	Source      string   `json:"source,omitempty"`
	Options     []string `json:"options,omitempty"`
}

type Hook struct {
	Path    string   `json:"path"`
	Args    []string `json:"args,omitempty"`
	Env     []string `json:"env,omitempty"`
	Timeout *int     `json:"timeout,omitempty"`
}

type Hooks struct {
	Prestart        []Hook `json:"prestart,omitempty"`
	CreateRuntime   []Hook `json:"createRuntime,omitempty"`
	CreateContainer []Hook `json:"createContainer,omitempty"`
	StartContainer  []Hook `json:"startContainer,omitempty"`
	Poststart       []Hook `json:"poststart,omitempty"`
	Poststop        []Hook `json:"poststop,omitempty"`
}

type Linux struct {
	UIDMappings       []IDMapping       `json:"uidMappings,omitempty"`
	GIDMappings       []IDMapping       `json:"gidMappings,omitempty"`
	Sysctl            map[string]string `json:"sysctl,omitempty"`
	Resources         *Resources        `json:"resources,omitempty"`
	CgroupsPath       string            `json:"cgroupsPath,omitempty"`
	Namespaces        []Namespace       `json:"namespaces,omitempty"`
	Devices           []Device          `json:"devices,omitempty"`
	Seccomp           *Seccomp          `json:"seccomp,omitempty"`
	RootfsPropagation string            `json:"rootfsPropagation,omitempty"`
	MaskedPaths       []string          `json:"maskedPaths,omitempty"`
	ReadonlyPaths     []string          `json:"readonlyPaths,omitempty"`
}

type IDMapping struct {
	ContainerID uint32 `json:"containerID"`
	HostID      uint32 `json:"hostID"`
	Size        uint32 `json:"size"`
}

type Namespace struct {
	Type string `json:"type"`
	Path string `json:"path,omitempty"`
}

type Device struct {
	Path     string  `json:"path"`
	Type     string  `json:"type"`
	Major    int64   `json:"major"`
	Minor    int64   `json:"minor"`
	FileMode *uint32 `json:"fileMode,omitempty"`
	UID      *uint32 `json:"uid,omitempty"`
	GID      *uint32 `json:"gid,omitempty"`
}

type DeviceCgroup struct {
	Allow  bool   `json:"allow"`
	Type   string `json:"type,omitempty"`
	Major  *int64 `json:"major,omitempty"`
	Minor  *int64 `json:"minor,omitempty"`
	Access string `json:"access,omitempty"`
}

type Memory struct {
	Limit       *int64  `json:"limit,omitempty"`
	Reservation *int64  `json:"reservation,omitempty"`
	Swap        *int64  `json:"swap,omitempty"`
	Swappiness  *uint64 `json:"swappiness,omitempty"`
}

type CPU struct {
	Shares *uint64 `json:"shares,omitempty"`
	Quota  *int64  `json:"quota,omitempty"`
	Period *uint64 `json:"period,omitempty"`
	Cpus   string  `json:"cpus,omitempty"`
	Mems   string  `json:"mems,omitempty"`
}

type Pids struct {
	Limit int64 `json:"limit"`
}

type Rdma struct {
	HcaHandles *uint32 `json:"hcaHandles,omitempty"`
	HcaObjects *uint32 `json:"hcaObjects,omitempty"`
}

type Resources struct {
	Devices []DeviceCgroup    `json:"devices,omitempty"`
	Memory  *Memory           `json:"memory,omitempty"`
	CPU     *CPU              `json:"cpu,omitempty"`
	Pids    *Pids             `json:"pids,omitempty"`
	Rdma    map[string]Rdma   `json:"rdma,omitempty"`
	Unified map[string]string `json:"unified,omitempty"`
}

type SeccompArg struct {
	Index    uint   `json:"index"`
	Value    uint64 `json:"value"`
	ValueTwo uint64 `json:"valueTwo,omitempty"`
	Op       string `json:"op"`
}

type Syscall struct {
	Names    []string     `json:"names"`
	Action   string       `json:"action"`
	ErrnoRet *uint        `json:"errnoRet,omitempty"`
	Args     []SeccompArg `json:"args,omitempty"`
}

type Seccomp struct {
	DefaultAction    string    `json:"defaultAction"`
	DefaultErrnoRet  *uint     `json:"defaultErrnoRet,omitempty"`
	Architectures    []string  `json:"architectures,omitempty"`
	Flags            []string  `json:"flags,omitempty"`
	ListenerPath     string    `json:"listenerPath,omitempty"`
	ListenerMetadata string    `json:"listenerMetadata,omitempty"`
	Syscalls         []Syscall `json:"syscalls,omitempty"`
}
