package main

import (
	"os"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/internal/testfeatures"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// TestSignRefusesExpiredKey: `qoltanba sign` and `qoltanba docs sign` refuse
// the same expired key the window and the core refuse, name the date, and
// write or store nothing.
func TestSignRefusesExpiredKey(t *testing.T) {
	p, _ := servedPKI(t)
	t.Setenv(dataDirEnv, t.TempDir())
	e := p.Find("gost/individual_expired")
	expired := e.Cert.NotAfter.Format("2006-01-02")
	doc := writeTemp(t, "act.txt", "Акт № 4")
	code, _, stderr := runCLI(t, testpki.DefaultPassword+"\n", "sign", "--key", e.P12Path, "--password-stdin", doc)
	if code != 1 || !strings.Contains(stderr, "expired on "+expired) {
		t.Errorf("sign: exit %d, stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(doc + ".cms"); err == nil {
		t.Error("sign wrote a signature with an expired key")
	}
	id := addDoc(t, "b.txt", "Акт № 5")
	code, _, stderr = runCLI(t, testpki.DefaultPassword+"\n", "docs", "sign", id, "--key", e.P12Path, "--password-stdin")
	if code != 1 || !strings.Contains(stderr, "expired on "+expired) {
		t.Errorf("docs sign: exit %d, stderr:\n%s", code, stderr)
	}
	if d := showDoc(t, id); len(d.Versions[0].SignatureList) != 0 {
		t.Error("docs sign stored a signature made with an expired key")
	}
}

// TestVerifyTestKeySaysTEST: a signature with the welcome's TEST key, made
// and verified by the CLI on the window's data folder, is valid and the
// report says TEST (the window's verdict: ui TestTestVerdictSameAsCLI).
func TestVerifyTestKeySaysTEST(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(dataDirEnv, dir)
	key, err := testfeatures.CreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	doc := writeTemp(t, "act.txt", "Акт № 6")
	if code, _, stderr := runCLI(t, testfeatures.Password+"\n", "sign", "--key", key, "--password-stdin", doc); code != 0 {
		t.Fatalf("sign: %d %s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, "", "verify", "--offline", doc+".cms")
	if code != 0 || !strings.Contains(stdout, "TOTAL_PASSED") || !strings.Contains(stdout, "TEST — ") {
		t.Errorf("verify: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if entries, _ := os.ReadDir(dir + "/testkeys"); len(entries) != 2 {
		t.Errorf("testkeys holds %d files, want the key and its certificate", len(entries))
	}
}

// TestDamagedSettingsWarned: a damaged settings file does not stop a
// command; it is said on stderr, and the defaults are used.
func TestDamagedSettingsWarned(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(dataDirEnv, dir)
	if err := os.WriteFile(dir+"/settings.json", []byte(`{"tsa": `), 0o600); err != nil {
		t.Fatal(err)
	}
	doc := writeTemp(t, "act.txt", "Акт")
	code, _, stderr := runCLI(t, "", "docs", "add", doc)
	if code != 0 || !strings.Contains(stderr, "warning: settings") || !strings.Contains(stderr, "damaged") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}
