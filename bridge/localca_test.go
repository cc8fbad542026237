package bridge

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestLocalCA: one CA per installation, its key never on disk, a server
// certificate for the loopback only, kept while valid and renewed with a
// new CA before it ends.
func TestLocalCA(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	c, made, err := LoadOrCreate(dir, now)
	if err != nil || !made {
		t.Fatalf("first start: made %v, %v", made, err)
	}
	leaf := c.Server.Leaf
	if err := leaf.VerifyHostname("127.0.0.1"); err != nil {
		t.Error(err)
	}
	if err := leaf.VerifyHostname("localhost"); err != nil {
		t.Error(err)
	}
	if !c.CA.IsCA || len(c.CA.PermittedIPRanges) == 0 || !c.CA.PermittedDNSDomainsCritical {
		t.Errorf("the CA is not constrained to the loopback: %+v", c.CA.PermittedIPRanges)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		if e.Name() != KeyFile && bytes.Contains(data, []byte("PRIVATE KEY")) {
			t.Errorf("%s holds a private key", e.Name())
		}
		if info, _ := e.Info(); info.Mode().Perm() != 0o600 {
			t.Errorf("%s is %v, not private to the user", e.Name(), info.Mode().Perm())
		}
	}
	again, made, err := LoadOrCreate(dir, now.Add(24*time.Hour))
	if err != nil || made || !again.CA.Equal(c.CA) {
		t.Fatalf("second start made a new CA (%v, %v)", made, err)
	}
	renewed, made, err := LoadOrCreate(dir, leaf.NotAfter.Add(-renewBefore+time.Hour))
	if err != nil || !made || renewed.CA.Equal(c.CA) || renewed.Nickname() == c.Nickname() {
		t.Fatalf("near its end the certificate is not renewed with a new CA (%v, %v)", made, err)
	}
	os.WriteFile(filepath.Join(dir, CertFile), []byte("damaged"), 0o600)
	if _, made, err := LoadOrCreate(dir, now); err != nil || !made {
		t.Errorf("a damaged certificate is not replaced: %v, %v", made, err)
	}
}
