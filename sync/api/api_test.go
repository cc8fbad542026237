package api

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedIsCurrent regenerates the Go code from openapi.yaml and
// fails when it differs from the committed api.gen.go: the contract is
// the source of truth, never the generated file.
func TestGeneratedIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds oapi-codegen")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "api.gen.go")
	cfg, err := os.ReadFile("codegen.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg = bytes.Replace(cfg, []byte("output: api.gen.go"), []byte("output: "+out), 1)
	if err := os.WriteFile(filepath.Join(dir, "codegen.yaml"), cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "tool", "oapi-codegen", "-config", filepath.Join(dir, "codegen.yaml"), "openapi.yaml")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("oapi-codegen: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("api.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("api.gen.go is not what openapi.yaml generates: run `go generate ./sync/api` and commit the result")
	}
}

// TestSpecValid: the contract parses and validates (kin-openapi).
func TestSpecValid(t *testing.T) {
	doc, err := Spec(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("OpenAPI %s", doc.OpenAPI)
	}
	for _, p := range []string{"/auth/challenge", "/auth/session", "/events", "/documents/{id}/signatures", "/operations/{key}"} {
		if doc.Paths.Find(p) == nil {
			t.Errorf("no path %s", p)
		}
	}
}

// TestRedoclyLint runs the external linter (@redocly/cli from npm,
// installed by scripts/deps.sh test) over the contract: no error, no
// warning.
func TestRedoclyLint(t *testing.T) {
	bin := filepath.Join("testdata", "lint", "node_modules", ".bin", "redocly")
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("@redocly/cli is not installed (scripts/deps.sh test installs it): %v", err)
	}
	out, err := exec.Command(bin, "lint", "--config", "redocly.yaml", "--format", "summary", "openapi.yaml").CombinedOutput()
	// (The banner about Node.js 20's end of life is not a finding.)
	if err != nil || bytes.Contains(out, []byte("warnings")) || bytes.Contains(out, []byte("error ")) || !bytes.Contains(out, []byte("is valid")) {
		t.Fatalf("redocly lint: %v\n%s", err, out)
	}
}
