package pkcs12

import (
	"io/fs"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"github.com/qoltanba/qoltanba/internal/sharedtest"
)

const ncaPassword = "Qwerty12"

// sharedDir returns ../shared next to the repository root (the directory
// holding go.mod), or skips the test when it is absent.
func sharedDir(t testing.TB) string { return sharedtest.Dir(t) }

// ncaFiles returns every .p12 file under ../shared/testdata/nca.
func ncaFiles(t testing.TB) []string {
	t.Helper()
	root := filepath.Join(sharedDir(t), "testdata", "nca")
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && filepath.Ext(path) == ".p12" {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", root, err)
	}
	if len(files) == 0 {
		t.Skipf("../shared absent: no .p12 files under %s", root)
	}
	sort.Strings(files)
	return files
}

// needOpenSSL skips the test when the openssl command is missing.
func needOpenSSL(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed: independent cross-check skipped")
	}
	return p
}
