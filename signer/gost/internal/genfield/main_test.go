package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommittedFilesAreCurrent regenerates every file in memory and
// compares it with the one in signer/gost, so an edit to either the
// generator or a generated file without the other fails here.
func TestCommittedFilesAreCurrent(t *testing.T) {
	for _, f := range files {
		want, err := render(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("..", "..", f.name))
		if err != nil {
			t.Fatalf("read committed %s: %v", f.name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output; run go generate ./signer/gost/", f.name)
		}
		if !strings.HasPrefix(string(want), header) {
			t.Errorf("%s does not start with %q", f.name, header)
		}
	}
}

// TestMainWritesFiles runs the command's writing path into a temporary
// directory, as go generate does in the package directory.
func TestMainWritesFiles(t *testing.T) {
	dir := t.TempDir()
	old := os.Args
	defer func() { os.Args = old }()
	os.Args = []string{"genfield", "-dir", dir}
	main()
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join(dir, f.name))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := os.ReadFile(filepath.Join("..", "..", f.name))
		if !bytes.Equal(got, want) {
			t.Errorf("%s written by main differs from the committed file", f.name)
		}
	}
}
