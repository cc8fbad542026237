package pkcs12

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
)

const ncaPassword = "Qwerty12"

// sharedDir returns ../shared next to the repository root (the directory
// holding go.mod), or skips the test when it is absent.
func sharedDir(t testing.TB) string {
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
	shared := filepath.Join(dir, "..", "shared")
	if _, err := os.Stat(filepath.Join(shared, "testdata", "nca")); err != nil {
		t.Skipf("../shared absent: %v", err)
	}
	return shared
}

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
