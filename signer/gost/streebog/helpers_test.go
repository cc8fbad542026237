package streebog

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedDir returns the project's sibling ../shared directory (found by
// walking up to the directory holding go.mod), or skips the test.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("../shared absent: no go.mod above the package directory")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("../shared absent: %v", err)
	}
	return shared
}

// reversed returns a reversed copy of b: RFC numbers ↔ output bytes.
func reversed(b []byte) []byte {
	r := make([]byte, len(b))
	for i := range b {
		r[len(b)-1-i] = b[i]
	}
	return r
}
