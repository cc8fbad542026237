package enginetest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	engineOnce sync.Once
	engineErr  error
)

// requireEngine skips t unless `openssl engine gost` loads.
func requireEngine(t *testing.T) {
	t.Helper()
	engineOnce.Do(func() {
		if _, err := exec.LookPath("openssl"); err != nil {
			engineErr = fmt.Errorf("openssl not installed: %w", err)
			return
		}
		out, err := exec.Command("openssl", "engine", "gost", "-t").CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte("available")) {
			engineErr = fmt.Errorf("openssl engine gost unavailable (install libengine-gost-openssl): %v: %s", err, out)
		}
	})
	if engineErr != nil {
		t.Skip(engineErr.Error())
	}
}

// openssl runs openssl with args and returns its standard output; a non-zero
// exit fails the test with the command's stderr.
func openssl(t *testing.T, args ...string) []byte {
	t.Helper()
	out, err := tryOpenSSL(args...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return out
}

// tryOpenSSL runs openssl and returns its output, or an error that quotes the
// command and its stderr.
func tryOpenSSL(args ...string) ([]byte, error) {
	cmd := exec.Command("openssl", args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("openssl %s: %w: %s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.Bytes(), nil
}

// writeFile writes data to name inside dir and returns the path.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatalf("write %s: %v", name, err)
	}
	return p
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return b
}
