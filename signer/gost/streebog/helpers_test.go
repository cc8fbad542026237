package streebog

import (
	"testing"

	"github.com/qoltanba/qoltanba/internal/sharedtest"
)

// sharedDir returns the project's sibling ../shared directory (found by
// walking up to the directory holding go.mod), or skips the test.
func sharedDir(t testing.TB) string { return sharedtest.Dir(t) }

// reversed returns a reversed copy of b: RFC numbers ↔ output bytes.
func reversed(b []byte) []byte {
	r := make([]byte, len(b))
	for i := range b {
		r[len(b)-1-i] = b[i]
	}
	return r
}
