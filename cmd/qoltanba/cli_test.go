package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/internal/sharedtest"
)

// sharedNCA returns ../shared/testdata/nca beside the module root, or skips.
func sharedNCA(t *testing.T) string { return sharedtest.Dir(t, "testdata", "nca") }

// runCLI runs the CLI in-process with stdin and returns exit code, stdout, stderr.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, stdio{in: strings.NewReader(stdin), out: &out, err: &errb})
	return code, out.String(), errb.String()
}

func TestKeysInfoNCA(t *testing.T) {
	nca := sharedNCA(t)
	tests := []struct {
		file      string
		algorithm string
		iin, bin  string
		roles     []string
		purpose   string
	}{
		{"gost2015/legal/valid/head.p12", "GOST34.10-2015-512", "123456789011", "123456789021", []string{"legal", "head"}, "sign"},
		{"gost2015/legal/revoked/head.p12", "GOST34.10-2015-512", "", "", []string{"legal", "head"}, "sign"},
		{"gost2015/legal/valid/employee_signright.p12", "GOST34.10-2015-512", "", "", []string{"legal", "signer"}, "sign"},
		{"gost2015/legal/valid/employee.p12", "GOST34.10-2015-512", "", "", []string{"legal", "employee"}, "sign"},
		// NCA's file names and docs/kz-pki.md swap these two roles; the
		// certificates settle it: treasury_client.p12 holds CN=ИС "Тест" (an
		// information system, EKU 1.2.398.3.3.4.1.2.6) and infosystem.p12 a
		// person with EKU 1.2.398.5.19.1.2.2.1 (treasury client).
		{"gost2015/legal/valid/treasury_client.p12", "GOST34.10-2015-512", "", "123456789021", []string{"legal", "infosystem"}, "sign"},
		{"gost2015/legal/valid/infosystem.p12", "GOST34.10-2015-512", "123456789012", "123456789021", []string{"legal", "treasury"}, "sign"},
		{"gost2015/individual/valid/individual_valid.p12", "GOST34.10-2015-512", "", "", []string{"individual"}, "sign"},
		{"rsa2018/RSA256_8426360556902ce4ac33977836f873e1dc190976.p12", "RSA-2048", "", "", nil, "sign"},
		{"rsa2018/AUTH_RSA256_6b361b864c679601b652fe387f61fcd9303c0327.p12", "RSA-2048", "", "", nil, "auth"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "Qwerty12\n", "keys", "info", filepath.Join(nca, tt.file), "--password-stdin", "--json")
			if code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, stdout)
			}
			for _, field := range []string{"algorithm", "subject", "commonName", "iin", "bin", "organization", "roles", "purpose", "notBefore", "notAfter", "serialNumber", "issuer"} {
				if _, ok := got[field]; !ok {
					t.Errorf("JSON lacks %q", field)
				}
			}
			if got["algorithm"] != tt.algorithm {
				t.Errorf("algorithm = %v, want %s", got["algorithm"], tt.algorithm)
			}
			if tt.iin != "" && got["iin"] != tt.iin {
				t.Errorf("iin = %v, want %s", got["iin"], tt.iin)
			}
			if tt.bin != "" && got["bin"] != tt.bin {
				t.Errorf("bin = %v, want %s", got["bin"], tt.bin)
			}
			if got["purpose"] != tt.purpose {
				t.Errorf("purpose = %v, want %s", got["purpose"], tt.purpose)
			}
			roles, _ := got["roles"].([]any)
			for _, want := range tt.roles {
				found := false
				for _, r := range roles {
					found = found || r == want
				}
				if !found {
					t.Errorf("roles = %v, want %s among them", roles, want)
				}
			}
		})
	}
}

func TestKeysInfoText(t *testing.T) {
	nca := sharedNCA(t)
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte("Qwerty12\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "", "keys", "info", "--password-file", pw, filepath.Join(nca, "gost2015/legal/valid/head.p12"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"IIN:", "123456789011", "BIN:", "123456789021", "head", "GOST34.10-2015-512", "days left"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout+stderr, "Qwerty12") {
		t.Error("the password appears in the output")
	}
}

func TestKeysInfoErrors(t *testing.T) {
	nca := sharedNCA(t)
	head := filepath.Join(nca, "gost2015/legal/valid/head.p12")
	garbage := filepath.Join(t.TempDir(), "garbage.p12")
	if err := os.WriteFile(garbage, bytes.Repeat([]byte{0x30, 0x80, 0x02}, 100), 0o600); err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(t.TempDir(), "truncated.p12")
	data, err := os.ReadFile(head)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(truncated, data[:len(data)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		stdin  string
		args   []string
		stderr []string
	}{
		{"wrong password", "qwerty12\n", []string{"keys", "info", head, "--password-stdin"}, []string{"qoltanba: error: wrong password", "hint: "}},
		{"no password and no terminal", "", []string{"keys", "info", head}, []string{"qoltanba: error: no password given", "hint: give it with --password-stdin"}},
		{"missing file", "Qwerty12\n", []string{"keys", "info", "/nonexistent/key.p12", "--password-stdin"}, []string{"qoltanba: error: key file /nonexistent/key.p12 does not exist", "hint: "}},
		{"garbage file", "Qwerty12\n", []string{"keys", "info", garbage, "--password-stdin"}, []string{"qoltanba: error: ", "hint: is it a PKCS#12 key file"}},
		{"truncated file", "Qwerty12\n", []string{"keys", "info", truncated, "--password-stdin"}, []string{"qoltanba: error: ", "hint: "}},
		{"no file", "", []string{"keys", "info"}, []string{"qoltanba: error: name one key file", "usage: qoltanba keys info"}},
		{"unknown flag", "", []string{"keys", "info", "--bogus", head}, []string{"qoltanba: error: ", "usage: "}},
		{"unknown command", "", []string{"frobnicate"}, []string{`qoltanba: error: unknown command "frobnicate"`, "hint: run 'qoltanba help'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.stdin, tt.args...)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
}

func TestKeysList(t *testing.T) {
	nca := sharedNCA(t)
	code, stdout, stderr := runCLI(t, "", "keys", "list", "--dir", nca, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 14 {
		t.Errorf("found %d key files, want the 14 NCA test files", len(rows))
	}
}

func TestTestPKIInit(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, "", "testpki", "init", dir, "--url", "http://127.0.0.1:18080")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "test PKI written") {
		t.Errorf("unexpected output: %s", stdout)
	}
	code, stdout, stderr = runCLI(t, "", "keys", "list", "--dir", dir, "--json")
	if code != 0 {
		t.Fatalf("keys list: exit %d: %s", code, stderr)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil || len(rows) == 0 {
		t.Fatalf("no keys listed in the test PKI (%v): %s", err, stdout)
	}
	for _, r := range rows {
		path := r["uri"].(string)
		code, _, stderr := runCLI(t, "Qwerty12\n", "keys", "info", path, "--password-stdin", "--json")
		if code != 0 {
			t.Errorf("keys info %s: exit %d: %s", filepath.Base(path), code, stderr)
		}
	}
}

// TestProcess runs the real binary once: exit codes and streams as a shell sees them.
func TestProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	nca := sharedNCA(t)
	bin := filepath.Join(t.TempDir(), "qoltanba")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "keys", "info", filepath.Join(nca, "gost2015/legal/valid/head.p12"), "--password-stdin", "--json")
	cmd.Stdin = strings.NewReader("Qwerty12\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("keys info: %v", err)
	}
	for _, want := range []string{`"iin": "123456789011"`, `"bin": "123456789021"`, `"head"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	cmd = exec.Command(bin, "keys", "info", filepath.Join(nca, "gost2015/legal/valid/head.p12"), "--password-stdin")
	cmd.Stdin = strings.NewReader("wrong\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("wrong password: %v, want exit status 1", err)
	}
	if !strings.HasPrefix(stderr.String(), "qoltanba: error: wrong password") {
		t.Errorf("stderr = %q", stderr.String())
	}
}

// TestNoGUIBuild: the console program (-tags nogui) works, says plainly
// when no window program is beside it, and starts the one that is.
func TestNoGUIBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	nca := sharedNCA(t)
	bin := filepath.Join(t.TempDir(), "qoltanba-cli")
	if out, err := exec.Command("go", "build", "-tags", "nogui", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build -tags nogui: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "keys", "info", filepath.Join(nca, "gost2015/legal/valid/head.p12"), "--password-stdin", "--json")
	cmd.Stdin = strings.NewReader("Qwerty12\n")
	if out, err := cmd.Output(); err != nil || !strings.Contains(string(out), `"iin": "123456789011"`) {
		t.Errorf("keys info: %v\n%s", err, out)
	}
	var stderr bytes.Buffer
	cmd = exec.Command(bin)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err == nil || !strings.Contains(stderr.String(), "qoltanba-gui is not installed beside it") {
		t.Errorf("no arguments: %v, stderr %q", err, stderr.String())
	}
	// A stand-in for the window program records how it was started.
	marker := filepath.Join(t.TempDir(), "started")
	gui := filepath.Join(filepath.Dir(bin), "qoltanba-gui")
	if err := os.WriteFile(gui, []byte("#!/bin/sh\necho \"$@\" > "+marker+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "--lang", "kk").CombinedOutput(); err != nil {
		t.Fatalf("bare qoltanba with the window program beside it: %v\n%s", err, out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := os.ReadFile(marker)
		if err == nil && strings.TrimSpace(string(got)) == "--lang kk" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the window program was not started with --lang kk: %q, %v", got, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestHelpExitsZero: -h and --help print the command's usage, generated
// from its flags, on stdout and exit 0, for every command.
func TestHelpExitsZero(t *testing.T) {
	for _, c := range commands() {
		if c.name == "gui" || c.name == "version" {
			continue
		}
		for _, h := range []string{"-h", "--help"} {
			args := append(strings.Fields(c.name), h)
			code, stdout, stderr := runCLI(t, "", args...)
			if code != 0 || !strings.Contains(stdout, "usage: qoltanba "+c.name) || strings.Contains(stderr, "error") {
				t.Errorf("%v: exit %d\nstdout: %s\nstderr: %s", args, code, stdout, stderr)
			}
		}
	}
}

// TestUsageGeneratedFromFlags: every usage line names every flag the
// command accepts, each with an argument name, so usage cannot drift.
func TestUsageGeneratedFromFlags(t *testing.T) {
	for _, c := range commands() {
		fs := flagsOf(c)
		if fs == nil {
			continue // version: no flags
		}
		line := synopsis(c)
		fs.VisitAll(func(f *flag.Flag) {
			if !strings.Contains(line, "-"+f.Name) {
				t.Errorf("%s: usage lacks -%s: %s", c.name, f.Name, line)
			}
			if arg, _ := flag.UnquoteUsage(f); arg == "string" || arg == "int" || arg == "value" {
				t.Errorf("%s: --%s has no argument name in its usage text (`NAME`)", c.name, f.Name)
			}
		})
	}
}
