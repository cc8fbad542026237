package main

import (
	"net"
	"os/exec"
	"strings"
	"testing"
)

// TestBridgeTrustAndDoctor: `bridge trust` installs the CA in the NSS
// databases under HOME (Chromium's made, a Firefox profile's found) and
// `bridge doctor` then reports each browser in the user's language.
func TestBridgeTrustAndDoctor(t *testing.T) {
	if _, err := exec.LookPath("certutil"); err != nil {
		t.Skipf("certutil absent (%v): scripts/deps.sh test installs libnss3-tools", err)
	}
	home, data := t.TempDir(), t.TempDir()
	t.Setenv("HOME", home)
	profile := home + "/.mozilla/firefox/x1.default-release"
	if out, err := exec.Command("mkdir", "-p", profile).CombinedOutput(); err != nil {
		t.Fatal(err, string(out))
	}
	if out, err := exec.Command("certutil", "-N", "-d", "sql:"+profile, "--empty-password").CombinedOutput(); err != nil {
		t.Fatal(err, string(out))
	}
	// A port nobody answers on: the doctor says so.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	free := ln.Addr().String()
	ln.Close()

	code, out, stderr := runCLI(t, "", "bridge", "doctor", "--data-dir", data, "--addr", free)
	if code != 2 || !strings.Contains(out, "✗ Chromium") || !strings.Contains(out, "✗ Firefox (x1.default-release)") {
		t.Fatalf("doctor before trust: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "", "bridge", "trust", "--data-dir", data)
	if code != 0 || !strings.Contains(out, "✓ Chromium") || !strings.Contains(out, "✓ Firefox (x1.default-release)") {
		t.Fatalf("trust: exit %d\n%s%s", code, out, stderr)
	}
	t.Setenv("LANG", "ru_RU.UTF-8")
	code, out, _ = runCLI(t, "", "bridge", "doctor", "--data-dir", data, "--addr", free)
	if code != 2 || !strings.Contains(out, "✓ Chromium: доверяет мосту Qoltanba") || !strings.Contains(out, "сайтам никто не отвечает") {
		t.Errorf("doctor in Russian: exit %d\n%s", code, out)
	}
	code, _, stderr = runCLI(t, "", "bridge", "trust", "--remove", "--data-dir", data)
	if code != 0 {
		t.Fatalf("trust --remove: exit %d %s", code, stderr)
	}
	if _, out, _ = runCLI(t, "", "bridge", "doctor", "--data-dir", data, "--addr", free); !strings.Contains(out, "✗ Chromium") {
		t.Errorf("after --remove:\n%s", out)
	}
}

// TestBridgePortInUse: another program on the port (NCALayer itself) is
// named, with what to do.
func TestBridgePortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	t.Setenv("HOME", t.TempDir())
	code, _, stderr := runCLI(t, "", "bridge", "--data-dir", t.TempDir(), "--addr", ln.Addr().String())
	if code != 1 || !strings.Contains(stderr, "is in use by") || !strings.Contains(stderr, "hint: close NCALayer") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "pid") {
		t.Errorf("the holder is not named (this test holds the port itself):\n%s", stderr)
	}
}
