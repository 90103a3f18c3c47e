package main

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/meshlab/meshlab/internal/testbin"
)

// bin is the directory holding the meshlab and meshd binaries built for these tests.
var bin string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	flag.Parse()
	if !testing.Short() {
		var err error
		bin, err = testbin.Build()
		defer testbin.Cleanup()
		if err != nil {
			fmt.Fprintln(os.Stderr, "building binaries:", err)
			return 1
		}
	}
	return m.Run()
}
