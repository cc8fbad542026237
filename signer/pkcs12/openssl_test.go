package pkcs12

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var opensslPassword = "Qwerty12"

// runOpenSSL runs openssl with the password in $P12PASS (never on the
// command line) and returns stdout.
func runOpenSSL(t *testing.T, args ...string) []byte {
	out, _ := runOpenSSL2(t, args...)
	return out
}

// runOpenSSL2 is runOpenSSL returning stderr too, where -info reports.
func runOpenSSL2(t *testing.T, args ...string) ([]byte, string) {
	t.Helper()
	cmd := exec.Command(needOpenSSL(t), args...)
	cmd.Env = append(os.Environ(), "P12PASS="+opensslPassword)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out, stderr.String()
}

func writePEM(t *testing.T, path, typ string, blocks ...[]byte) {
	t.Helper()
	var b []byte
	for _, der := range blocks {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})...)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestOpenSSLReadsOurFiles: OpenSSL parses the RSA files we write, in both
// layouts, verifies their MAC and recovers the same private key.
func TestOpenSSLReadsOurFiles(t *testing.T) {
	needOpenSSL(t)
	p := getPKI(t)
	key := getRSAKey(t)
	cert := leafFor(t, key)
	for _, tc := range []struct {
		name   string
		layout Layout
		extra  []string
		info   []string // what openssl -info must report
	}{
		{"legacy", LegacyNCA, []string{"-legacy"}, []string{"MAC: sha1, Iteration 1024",
			"Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 1024",
			"PKCS7 Encrypted data: pbeWithSHA1And40BitRC2-CBC, Iteration 1024"}},
		{"modern", Modern, nil, []string{"MAC: sha256, Iteration 2048",
			"Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256",
			"PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := Encode(key, cert, []*x509.Certificate{p.ca, p.root}, opensslPassword, &Options{Layout: tc.layout})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "out.p12")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			info, report := runOpenSSL2(t, append([]string{"pkcs12", "-info", "-nokeys", "-in", path, "-passin", "env:P12PASS"}, tc.extra...)...)
			if n := strings.Count(string(info), "BEGIN CERTIFICATE"); n != 3 {
				t.Fatalf("openssl printed %d certificates, want 3", n)
			}
			for _, want := range tc.info {
				if !strings.Contains(report, want) {
					t.Errorf("openssl -info lacks %q:\n%s", want, report)
				}
			}
			keyPEM := runOpenSSL(t, append([]string{"pkcs12", "-nodes", "-nocerts", "-in", path, "-passin", "env:P12PASS"}, tc.extra...)...)
			blk, _ := pem.Decode(keyPEM)
			if blk == nil {
				t.Fatal("openssl printed no key")
			}
			got, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			if !key.Equal(got) {
				t.Fatal("openssl recovered a different key")
			}
		})
	}
}

// TestReadOpenSSLFiles: we read what `openssl pkcs12 -export` writes, in its
// default (PBES2/AES-256, HMAC-SHA256) and -legacy (3DES/RC2-40) forms.
func TestReadOpenSSLFiles(t *testing.T) {
	needOpenSSL(t)
	p := getPKI(t)
	key := getRSAKey(t)
	cert := leafFor(t, key)
	dir := t.TempDir()
	p8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, filepath.Join(dir, "key.pem"), "PRIVATE KEY", p8)
	writePEM(t, filepath.Join(dir, "cert.pem"), "CERTIFICATE", cert.Raw)
	writePEM(t, filepath.Join(dir, "chain.pem"), "CERTIFICATE", p.root.Raw, p.ca.Raw)
	for _, tc := range []struct {
		name  string
		extra []string
	}{
		{"default", nil},
		{"legacy", []string{"-legacy"}},
		{"aes128-sha1mac", []string{"-keypbe", "AES-128-CBC", "-certpbe", "AES-128-CBC", "-macalg", "sha1"}},
		{"sha512mac", []string{"-macalg", "sha512"}},
		{"nomac-3des", []string{"-nomac", "-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES"}},
		{"certs-unencrypted", []string{"-certpbe", "NONE"}},
		{"key-unencrypted", []string{"-keypbe", "NONE", "-certpbe", "NONE"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, tc.name+".p12")
			runOpenSSL(t, append([]string{"pkcs12", "-export", "-inkey", filepath.Join(dir, "key.pem"),
				"-in", filepath.Join(dir, "cert.pem"), "-certfile", filepath.Join(dir, "chain.pem"),
				"-name", "Тест", "-passout", "env:P12PASS", "-out", out}, tc.extra...)...)
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Decode(data, opensslPassword)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			e := f.Entries[0]
			if !key.Equal(e.PrivateKey) {
				t.Fatal("different key")
			}
			if !e.Certificate.Equal(cert) || len(e.Chain) != 2 || !e.Chain[0].Equal(p.ca) || !e.Chain[1].Equal(p.root) {
				t.Fatalf("certificate or chain wrong (chain %d)", len(e.Chain))
			}
			if e.FriendlyName != "Тест" {
				t.Errorf("friendlyName %q", e.FriendlyName)
			}
			if _, err := Decode(data, "Qwerty13"); !errors.Is(err, ErrWrongPassword) {
				t.Errorf("wrong password: err = %v", err)
			}
		})
	}
}

// TestOpenSSLNonASCIIPassword: a Cyrillic password means the same to
// OpenSSL and to us in both layouts (BMPString for the PKCS#12 KDF, UTF-8
// for PBKDF2).
func TestOpenSSLNonASCIIPassword(t *testing.T) {
	needOpenSSL(t)
	defer func(old string) { opensslPassword = old }(opensslPassword)
	opensslPassword = "Құпия-Сөз1"
	key := getRSAKey(t)
	cert := leafFor(t, key)
	for _, layout := range []Layout{LegacyNCA, Modern} {
		data, err := Encode(key, cert, nil, opensslPassword, &Options{Layout: layout})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "out.p12")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"pkcs12", "-nodes", "-nocerts", "-in", path, "-passin", "env:P12PASS"}
		if layout == LegacyNCA {
			args = append(args, "-legacy")
		}
		blk, _ := pem.Decode(runOpenSSL(t, args...))
		if blk == nil {
			t.Fatalf("layout %d: openssl printed no key", layout)
		}
		got, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil || !key.Equal(got) {
			t.Fatalf("layout %d: openssl recovered a different key (%v)", layout, err)
		}
	}
}
