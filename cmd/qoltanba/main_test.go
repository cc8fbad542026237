package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestMain gives the whole test binary one SoftHSM configuration: SoftHSM
// reads SOFTHSM2_CONF at the first C_Initialize of the process only, so every
// test that needs a token makes its own token (by label) in this directory.
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "qoltanba-softhsm-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	tokens := filepath.Join(dir, "tokens")
	conf := filepath.Join(dir, "softhsm2.conf")
	if err := os.Mkdir(tokens, 0o700); err == nil {
		err = os.WriteFile(conf, []byte("directories.tokendir = "+tokens+"\nobjectstore.backend = file\nlog.level = ERROR\n"), 0o600)
		if err == nil {
			os.Setenv("SOFTHSM2_CONF", conf)
		}
	}
	return m.Run()
}
