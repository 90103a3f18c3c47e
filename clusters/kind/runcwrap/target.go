package runcwrap

import (
	"path/filepath"
	"strings"
)

// Kind says which file of runc's arguments holds what Edit must change.
type Kind int

const (
	// None: the command carries no spec (state, delete, kill, ...).
	None Kind = iota
	// Spec: a bundle's config.json (create, run).
	Spec
	// Process: a process JSON (exec --process).
	Process
)

// globalWithValue are runc's global flags that take a value as the next argument.
var globalWithValue = map[string]bool{"--root": true, "--log": true, "--log-format": true, "--criu": true, "--rootless": true}

// Target finds the file runc will read a spec from: for create and run the bundle's config.json
// (--bundle/-b, else the working directory wd); for exec the file after --process/-p.
func Target(args []string, wd string) (string, Kind) {
	i := 0
	for i < len(args) && strings.HasPrefix(args[i], "-") {
		if globalWithValue[args[i]] {
			i++
		}
		i++
	}
	if i >= len(args) {
		return "", None
	}
	cmd, rest := args[i], args[i+1:]
	switch cmd {
	case "create", "run":
		bundle := flagValue(rest, "--bundle", "-b")
		if bundle == "" {
			bundle = wd
		} else if !filepath.IsAbs(bundle) {
			bundle = filepath.Join(wd, bundle)
		}
		return filepath.Join(bundle, "config.json"), Spec
	case "exec":
		p := flagValue(rest, "--process", "-p")
		if p == "" {
			return "", None
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(wd, p)
		}
		return p, Process
	}
	return "", None
}

// flagValue returns the value of a flag given as "--name V", "--name=V", "-n V" or "-n=V".
func flagValue(args []string, long, short string) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		for _, name := range []string{long, short} {
			if a == name && i+1 < len(args) {
				return args[i+1]
			}
			if v, ok := strings.CutPrefix(a, name+"="); ok {
				return v
			}
		}
	}
	return ""
}
