// SPDX-License-Identifier: Apache-2.0
// godiff: the differential test between runc's reading of a spec (Go's
// encoding/json into runtime-spec's types) and hardrun's.
//
//	godiff view FILE
//	    prints the spec as runc decodes it (the enforced parts, see types.go)
//	godiff run -hardrun BIN -dir DIR [-v]
//	    generates specs with case variants, duplicates at every depth, merges,
//	    nulls and map keys, and for each one checks that
//	    1. hardrun with nothing enforced (audit mode) reads the spec as runc
//	       does: its spec, decoded by Go, equals the original decoded by Go,
//	       and it refuses exactly what Go refuses;
//	    2. under the default policy the spec hardrun would hand runc, decoded
//	       by Go, holds the baseline: capabilities within the allowlist,
//	       no_new_privileges, a seccomp profile that denies mount and
//	       unshare, a read-only root, a user namespace, no bind of a
//	       sensitive path, a pids limit;
//	    and prints "godiff: N passed, M failed".
//
// Standard library only: built at test time with GO111MODULE=off.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// decode reads a spec exactly as runc 1.1's loadSpec does.
func decode(data []byte) (*Spec, error) {
	var spec *Spec
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&spec); err != nil {
		return nil, err
	}
	if spec == nil || spec.Process == nil {
		return nil, fmt.Errorf("process property must not be empty")
	}
	return spec, nil
}

func view(data []byte) (string, error) {
	spec, err := decode(data)
	if err != nil {
		return "", err
	}
	out, err := json.Marshal(spec)
	return string(out), err
}

type result struct {
	name   string
	failed string
}

type runner struct {
	hardrun string
	dir     string
	audit   string
	strict  string
	verbose bool
}

// check runs `hardrun check` and returns its exit status and the spec it
// would hand runc (empty when refused).
func (r *runner) check(policy, file string) (int, []byte, string) {
	cmd := exec.Command(r.hardrun, "--hardrun-policy", policy, "check", "--config", file, "--format", "json")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	status := 0
	if ee, ok := err.(*exec.ExitError); ok {
		status = ee.ExitCode()
	} else if err != nil {
		return -1, nil, err.Error()
	}
	if status == 2 {
		return status, nil, strings.TrimSpace(stderr.String())
	}
	var report struct {
		Decision string          `json:"decision"`
		Spec     json.RawMessage `json:"spec"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
		return -1, nil, "unreadable report: " + err.Error()
	}
	return status, report.Spec, report.Decision
}

func (r *runner) one(i int, c corpusCase) result {
	file := filepath.Join(r.dir, fmt.Sprintf("case-%04d.json", i))
	if err := os.WriteFile(file, c.text, 0o600); err != nil {
		return result{c.name, err.Error()}
	}
	goView, goErr := view(c.text)

	// 1. hardrun's reading, nothing enforced
	status, spec, detail := r.check(r.audit, file)
	if goErr != nil {
		if status != 2 {
			return result{c.name, fmt.Sprintf("runc refuses (%v) but hardrun read it (status %d)", goErr, status)}
		}
		return result{c.name, ""}
	}
	if status != 0 {
		return result{c.name, fmt.Sprintf("runc reads it but hardrun refused (status %d): %s", status, detail)}
	}
	hrView, err := view(spec)
	if err != nil {
		return result{c.name, "hardrun's spec does not decode: " + err.Error()}
	}
	if hrView != goView {
		return result{c.name, fmt.Sprintf("hardrun reads it otherwise than runc\n  runc:    %s\n  hardrun: %s", goView, hrView)}
	}

	// 2. what the default policy hands runc holds the baseline
	status, spec, detail = r.check(r.strict, file)
	switch {
	case status == 1:
		return result{c.name, ""} // refused by a rule: nothing runs
	case status != 0:
		return result{c.name, fmt.Sprintf("default policy: status %d: %s", status, detail)}
	}
	hardened, err := decode(spec)
	if err != nil {
		return result{c.name, "the hardened spec does not decode: " + err.Error()}
	}
	if problem := baselineProblem(hardened); problem != "" {
		return result{c.name, "hardened spec, as runc reads it: " + problem}
	}
	return result{c.name, ""}
}

func writePolicies(dir string) (string, string) {
	audit := filepath.Join(dir, "audit-policy.json")
	strict := filepath.Join(dir, "default-policy.json")
	log := filepath.Join(dir, "audit.jsonl")
	os.WriteFile(audit, []byte(fmt.Sprintf(`{"version":1,"audit_log":%q,"audit_mode":true}`, log)), 0o600)
	os.WriteFile(strict, []byte(fmt.Sprintf(`{"version":1,"audit_log":%q}`, log)), 0o600)
	return audit, strict
}

func run(args []string) int {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	r := &runner{}
	fs.StringVar(&r.hardrun, "hardrun", "", "the hardrun binary")
	fs.StringVar(&r.dir, "dir", "", "a scratch directory")
	fs.BoolVar(&r.verbose, "v", false, "print every case")
	fs.Parse(args)
	if r.hardrun == "" || r.dir == "" {
		fmt.Fprintln(os.Stderr, "usage: godiff run -hardrun BIN -dir DIR [-v]")
		return 2
	}
	bindSource := filepath.Join(r.dir, "data")
	os.MkdirAll(bindSource, 0o755)
	r.audit, r.strict = writePolicies(r.dir)
	cases := corpus(bindSource)

	results := make([]result, len(cases))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = r.one(i, cases[i])
			}
		}()
	}
	for i := range cases {
		next <- i
	}
	close(next)
	wg.Wait()

	passed, failed := 0, 0
	for i, res := range results {
		if res.failed == "" {
			passed++
			if r.verbose {
				fmt.Printf("ok   %s\n", res.name)
			}
			continue
		}
		failed++
		fmt.Printf("FAIL %s (case-%04d.json): %s\n", res.name, i, res.failed)
	}
	fmt.Printf("godiff: %d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return 1
	}
	return 0
}

func main() {
	if len(os.Args) >= 3 && os.Args[1] == "view" {
		data, err := os.ReadFile(os.Args[2])
		if err == nil {
			var out string
			if out, err = view(data); err == nil {
				fmt.Println(out)
				return
			}
		}
		fmt.Fprintln(os.Stderr, "godiff:", err)
		os.Exit(3)
	}
	if len(os.Args) >= 2 && os.Args[1] == "run" {
		os.Exit(run(os.Args[2:]))
	}
	fmt.Fprintln(os.Stderr, "usage: godiff view FILE | godiff run -hardrun BIN -dir DIR [-v]")
	os.Exit(2)
}
