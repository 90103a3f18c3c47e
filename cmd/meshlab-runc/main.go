// Command meshlab-runc is a runc wrapper for hosts whose capability bounding set lacks
// CAP_SYS_RESOURCE. It edits the spec runc is about to read (clusters/kind/runcwrap) and execs
// the real runc with the same arguments. hack/docker.sh registers it as dockerd's default
// runtime when a privileged probe fails; the kind node image sets it as containerd's runc
// BinaryName. It is static, so it runs in a minimal node without jq or a shell.
//
//	meshlab-runc [runc arguments...]   edit the spec, then exec the real runc
//	meshlab-runc meshlab-probe         print "ok" (the probe container's command)
//
// The real runc is $MESHLAB_REAL_RUNC, else the first of /usr/sbin/runc, /usr/bin/runc,
// /usr/local/sbin/runc and /usr/local/bin/runc that is not this program.
package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/meshlab/meshlab/clusters/kind/runcwrap"
)

var candidates = []string{"/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc", "/usr/local/bin/runc"}

func main() {
	args := os.Args[1:]
	if len(args) == 1 && args[0] == "meshlab-probe" {
		fmt.Println("ok")
		return
	}
	real, err := realRunc()
	if err != nil {
		fmt.Fprintf(os.Stderr, "meshlab-runc: %v\n", err)
		os.Exit(127)
	}
	if err := editTarget(args); err != nil {
		// The real runc still runs: it reports its own error if the spec cannot be applied.
		fmt.Fprintf(os.Stderr, "meshlab-runc: %v\n", err)
	}
	err = syscall.Exec(real, append([]string{real}, args...), os.Environ())
	fmt.Fprintf(os.Stderr, "meshlab-runc: exec %s: %v\n", real, err)
	os.Exit(127)
}

func editTarget(args []string) error {
	wd, err := os.Getwd()
	if err != nil {
		return fmt.Errorf("working directory: %w", err)
	}
	path, kind := runcwrap.Target(args, wd)
	if kind == runcwrap.None {
		return nil
	}
	lim, err := runcwrap.Current()
	if err != nil {
		return err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading spec: %w", err)
	}
	edit := runcwrap.EditSpec
	if kind == runcwrap.Process {
		edit = runcwrap.EditProcess
	}
	out, changes, err := edit(data, lim)
	if err != nil || len(changes) == 0 {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("reading spec: %w", err)
	}
	if err := os.WriteFile(path, out, st.Mode().Perm()); err != nil {
		return fmt.Errorf("writing spec: %w", err)
	}
	return nil
}

func realRunc() (string, error) {
	if p := os.Getenv("MESHLAB_REAL_RUNC"); p != "" {
		return p, nil
	}
	self, _ := os.Stat("/proc/self/exe")
	for _, c := range candidates {
		st, err := os.Stat(c)
		if err != nil || st.IsDir() || (self != nil && os.SameFile(st, self)) {
			continue
		}
		return c, nil
	}
	return "", errors.New("no runc found (set MESHLAB_REAL_RUNC)")
}
