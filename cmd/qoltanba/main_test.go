package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/qoltanba/qoltanba/internal/softhsmtest"
)

// TestMain gives the whole test binary one SoftHSM configuration: SoftHSM
// reads SOFTHSM2_CONF at the first C_Initialize of the process only, so every
// test that needs a token makes its own token (by label) in this directory.
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	conf, err := softhsmtest.ForProcess()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(conf.Dir)
	return m.Run()
}
