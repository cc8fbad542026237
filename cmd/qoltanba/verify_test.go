package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/keyfile"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// servedPKI writes a GOST test PKI whose CRL/OCSP/TSA addresses point at a
// loopback server that runs for the test.
func servedPKI(t *testing.T) (*testpki.PKI, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	base := "http://" + ln.Addr().String()
	p, err := testpki.Generate(testpki.Options{Dir: dir, BaseURL: base, Families: []testpki.Family{testpki.FamilyGOST}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { testpki.ServePKI(ctx, p, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return p, base
}

func TestVerifyTestPKI(t *testing.T) {
	p, base := servedPKI(t)
	t.Setenv(dataDirEnv, t.TempDir())
	root := p.Root(testpki.FamilyGOST).CertPath
	doc := writeTemp(t, "act.txt", "Акт выполненных работ / Орындалған жұмыстар актісі\n")
	sign := func(t *testing.T, entity string, extra ...string) string {
		t.Helper()
		out := filepath.Join(t.TempDir(), "out.cms")
		args := append([]string{"sign", "--key", p.Find(entity).P12Path, "--password-stdin", doc, "-o", out}, extra...)
		if code, _, stderr := runCLI(t, "Qwerty12\n", args...); code != 0 {
			t.Fatalf("sign with %s: exit %d: %s", entity, code, stderr)
		}
		return out
	}

	tests := []struct {
		name       string
		file       func(t *testing.T) string
		args       []string
		code       int
		indication string
		text       []string
	}{
		{"valid, timestamped", func(t *testing.T) string { return sign(t, "gost/legal_head", "--tsa", base+"/tsp") }, nil, 0, "TOTAL_PASSED", []string{"TOTAL_PASSED"}},
		{"valid, detached", func(t *testing.T) string { return sign(t, "gost/legal_signer", "--detached") }, []string{"--data", doc}, 0, "TOTAL_PASSED", nil},
		{"revoked before signing", func(t *testing.T) string { return sign(t, "gost/individual_revoked") }, nil, 1, "TOTAL_FAILED", []string{"REVOKED"}},
		{"expired", func(t *testing.T) string { return signDirect(t, p.Find("gost/individual_expired").P12Path, doc) }, nil, 1, "TOTAL_FAILED", []string{"EXPIRED"}},
		{"untrusted root", func(t *testing.T) string { return sign(t, "gost/legal_head") }, []string{"--no-trust"}, 2, "INDETERMINATE", []string{"NO_CERTIFICATE_CHAIN_FOUND"}},
		{"wrong original", func(t *testing.T) string { return sign(t, "gost/legal_head", "--detached") }, []string{"--data", writeTemp(t, "other.txt", "other")}, 1, "TOTAL_FAILED", []string{"HASH_FAILURE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := tt.file(t)
			args := []string{"verify", file}
			trusted := true
			for _, a := range tt.args {
				if a == "--no-trust" {
					trusted = false
					continue
				}
				args = append(args, a)
			}
			if trusted {
				args = append(args, "--trust", root)
			}
			code, stdout, stderr := runCLI(t, "", append(args, "--json")...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s\n%s", code, tt.code, stderr, stdout)
			}
			var report struct {
				Signatures []struct{ Indication, SubIndication string } `json:"signatures"`
			}
			if err := json.Unmarshal([]byte(stdout), &report); err != nil || len(report.Signatures) != 1 {
				t.Fatalf("report: %v\n%s", err, stdout)
			}
			if report.Signatures[0].Indication != tt.indication {
				t.Errorf("indication %s/%s, want %s", report.Signatures[0].Indication, report.Signatures[0].SubIndication, tt.indication)
			}
			_, text, _ := runCLI(t, "", args...)
			for _, want := range tt.text {
				if !strings.Contains(text, want) {
					t.Errorf("text report lacks %q:\n%s", want, text)
				}
			}
		})
	}
}

func TestVerifyKalkanXML(t *testing.T) {
	nca := sharedNCA(t)
	t.Setenv(dataDirEnv, t.TempDir())
	kalkan := filepath.Join(filepath.Dir(nca), "kalkan", "xml_simple.signed.xml")
	code, stdout, stderr := runCLI(t, "", "verify", kalkan, "--offline")
	// Mathematically valid, but signed with a self-signed certificate nobody trusts.
	if code != 2 || !strings.Contains(stdout, "INDETERMINATE") || !strings.Contains(stdout, "NO_CERTIFICATE_CHAIN_FOUND") {
		t.Errorf("exit %d, stderr %s\n%s", code, stderr, stdout)
	}
	tampered := writeTemp(t, "tampered.xml", strings.Replace(mustRead(t, kalkan), "</", " </", 1))
	code, stdout, _ = runCLI(t, "", "verify", tampered, "--offline")
	if code != 1 || !strings.Contains(stdout, "TOTAL_FAILED") {
		t.Errorf("tampered: exit %d\n%s", code, stdout)
	}
}

func TestVerifyBadInput(t *testing.T) {
	t.Setenv(dataDirEnv, t.TempDir())
	tests := []struct {
		name, content string
		args          []string
		stderr        string
	}{
		{"garbage", "\x00\x01garbage", nil, "not a signature Qoltanba recognises"},
		{"not XML", "<unclosed", nil, "cannot check this XML"},
		{"DTD", `<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>`, nil, "cannot check this XML"},
		{"data with XML", "<a/>", []string{"--data", "/dev/null"}, "--data is for detached CMS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeTemp(t, "in", tt.content)
			code, _, stderr := runCLI(t, "", append([]string{"verify", file}, tt.args...)...)
			if code != 1 || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, stderr:\n%s\nwant %q", code, stderr, tt.stderr)
			}
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// signDirect makes a CMS with the key file's key without the signing
// policy: how a signature with an expired certificate reaches a user from
// elsewhere (qoltanba sign refuses to make one).
func signDirect(t *testing.T, p12, doc string) string {
	t.Helper()
	key, err := keyfile.Open(p12, []byte("Qwerty12"))
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()
	content, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	der, err := cms.Sign(bytes.NewReader(content), key.Signer, key.Certificate, key.Chain, cms.SignOptions{IncludeChain: true})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "direct.cms")
	if err := os.WriteFile(out, der, 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestVerifyDetachedFindsOriginal: a detached signature without --data is
// checked against the original beside it; with none there, the verdict is
// not a false INVALID but a request for the original.
func TestVerifyDetachedFindsOriginal(t *testing.T) {
	p, _ := servedPKI(t)
	t.Setenv(dataDirEnv, t.TempDir())
	root := p.Root(testpki.FamilyGOST).CertPath
	doc := writeTemp(t, "act.txt", "Акт № 8")
	key := p.Find("gost/legal_head").P12Path
	if code, _, stderr := runCLI(t, "Qwerty12\n", "sign", "--key", key, "--password-stdin", "--detached", doc); code != 0 {
		t.Fatalf("sign: %d %s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, "", "verify", doc+".cms", "--trust", root)
	if code != 0 || !strings.Contains(stderr, "found beside the signature") || !strings.Contains(stdout, "TOTAL_PASSED") {
		t.Errorf("beside: exit %d\n%s\n%s", code, stdout, stderr)
	}
	alone := filepath.Join(t.TempDir(), "act.txt.cms")
	if err := os.WriteFile(alone, []byte(mustRead(t, doc+".cms")), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runCLI(t, "", "verify", alone, "--trust", root)
	if code != 1 || !strings.Contains(stderr, "no original lies beside it") || strings.Contains(stdout+stderr, "INVALID") || strings.Contains(stdout+stderr, "changed") {
		t.Errorf("alone: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestVerifySecondPEMBlockNamed: a PEM file with two CMS blocks is not
// "VALID" from the first alone: the report names the second as not
// verified and the exit status is 2.
func TestVerifySecondPEMBlockNamed(t *testing.T) {
	p, _ := servedPKI(t)
	t.Setenv(dataDirEnv, t.TempDir())
	root := p.Root(testpki.FamilyGOST).CertPath
	doc := writeTemp(t, "act.txt", "Акт № 10")
	key := p.Find("gost/legal_head").P12Path
	if code, _, stderr := runCLI(t, "Qwerty12\n", "sign", "--key", key, "--password-stdin", "--pem", doc); code != 0 {
		t.Fatalf("sign: %d %s", code, stderr)
	}
	one := mustRead(t, doc+".cms")
	two := writeTemp(t, "two.cms", one+one)
	code, stdout, _ := runCLI(t, "", "verify", two, "--trust", root)
	if code != 2 || !strings.Contains(stdout, "second PEM block") || !strings.Contains(stdout, "part of the file was not verified") {
		t.Errorf("exit %d\n%s", code, stdout)
	}
	if code, _, _ := runCLI(t, "", "verify", doc+".cms", "--trust", root); code != 0 {
		t.Errorf("one block: exit %d", code)
	}
}
