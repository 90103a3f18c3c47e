package main

import (
	"flag"
	"fmt"
	"runtime"
)

// setWorkers sets how many threads run Go code at once: n > 0 sets GOMAXPROCS, 0 leaves the
// runtime's default (one per core, or the GOMAXPROCS environment variable).
func setWorkers(n int) error {
	if n < 0 {
		return fmt.Errorf("--workers must be ≥ 0, got %d", n)
	}
	if n > 0 {
		runtime.GOMAXPROCS(n)
	}
	return nil
}

// required fails when a flag was left at its zero value.
func required(fs *flag.FlagSet, names ...string) error {
	for _, n := range names {
		f := fs.Lookup(n)
		if f == nil || f.Value.String() == "" {
			return fmt.Errorf("%s: --%s is required", fs.Name(), n)
		}
	}
	return nil
}
