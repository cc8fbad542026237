// Package sharedtest finds the project's reference data for tests: the
// ../shared folder beside the module root (the directory holding go.mod),
// which holds the real NCA test keys and Kalkan's samples. The data is read
// from there and never copied into the tree; tests skip, saying why, when
// it is absent.
package sharedtest

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns ../shared joined with elem (e.g. "testdata", "nca"), or skips
// the test when it does not exist.
func Dir(t testing.TB, elem ...string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("../shared absent: no go.mod above the test directory")
		}
		dir = parent
	}
	path := filepath.Join(append([]string{filepath.Dir(dir), "shared"}, elem...)...)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("../shared absent (%v): the NCA test keys and Kalkan samples are read from there", err)
	}
	return path
}
