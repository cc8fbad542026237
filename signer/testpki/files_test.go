package testpki

import (
	"crypto/x509"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/qoltanba/qoltanba/signer/pkcs12"
	"github.com/qoltanba/qoltanba/signer/pki"
)

var (
	dirOnce sync.Once
	dirPKI  *PKI
	dirErr  error
	dirPath string
)

// onDisk generates one PKI into a directory for the whole test binary.
func onDisk(t testing.TB) *PKI {
	t.Helper()
	dirOnce.Do(func() {
		dirPath, dirErr = os.MkdirTemp("", "testpki")
		if dirErr == nil {
			dirPKI, dirErr = Generate(Options{Dir: dirPath, Now: memNow, BaseURL: "http://127.0.0.1:9999/"})
		}
	})
	if dirErr != nil {
		t.Fatal(dirErr)
	}
	return dirPKI
}

func TestMain(m *testing.M) {
	code := m.Run()
	if dirPath != "" {
		os.RemoveAll(dirPath)
	}
	os.Exit(code)
}

func TestFilesAndManifest(t *testing.T) {
	p := onDisk(t)
	data, err := os.ReadFile(filepath.Join(dirPath, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if m.BaseURL != "http://127.0.0.1:9999" || m.Password != DefaultPassword || len(m.CAs) != 4 || len(m.Entities) != len(p.Entities) {
		t.Fatalf("manifest: baseURL %q, %d CAs, %d entities", m.BaseURL, len(m.CAs), len(m.Entities))
	}
	for _, mc := range m.CAs {
		der, err := os.ReadFile(filepath.Join(dirPath, filepath.FromSlash(mc.Cert)))
		if err != nil {
			t.Fatal(err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatalf("%s: %v", mc.Cert, err)
		}
		crlDER, err := os.ReadFile(filepath.Join(dirPath, filepath.FromSlash(mc.CRL)))
		if err != nil {
			t.Fatal(err)
		}
		crl, err := pki.ParseRevocationList(crlDER)
		if err != nil {
			t.Fatalf("%s: %v", mc.CRL, err)
		}
		if err := pki.CheckCRLSignatureFrom(crl, cert); err != nil {
			t.Errorf("%s: %v", mc.CRL, err)
		}
	}
	revoked := map[string]bool{}
	for _, f := range Families {
		for _, r := range p.CA(f).CRL.RevokedCertificateEntries {
			revoked[string(f)+"/"+r.SerialNumber.Text(16)] = true
		}
	}
	for _, me := range m.Entities {
		t.Run(me.Name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dirPath, filepath.FromSlash(me.Path)))
			if err != nil {
				t.Fatal(err)
			}
			f, err := pkcs12.Decode(data, m.Password)
			if err != nil {
				t.Fatalf("pkcs12.Decode: %v", err)
			}
			if len(f.Entries) != 1 || f.Entries[0].Certificate == nil {
				t.Fatalf("%d entries", len(f.Entries))
			}
			cert := f.Entries[0].Certificate
			e := p.Find(me.Name)
			if e == nil || !cert.Equal(e.Cert) {
				t.Fatal("p12 certificate differs from the PKI's")
			}
			issuer := p.CA(me.Family).Cert
			if err := pki.CheckSignatureFrom(cert, issuer); err != nil {
				t.Error(err)
			}
			id := pki.IdentityOf(cert, memNow)
			if id.IIN != me.IIN || id.BIN != me.BIN || id.Purpose != me.Purpose || !reflect.DeepEqual(id.Roles, me.Roles) ||
				me.Role != me.Roles[len(me.Roles)-1] || (id.DaysLeft < 0) != me.Expired || id.SerialNumber != me.Serial {
				t.Errorf("identity %+v does not match manifest %+v", id, me)
			}
			if revoked[string(me.Family)+"/"+cert.SerialNumber.Text(16)] != me.Revoked {
				t.Errorf("CRL listing disagrees with revoked=%v", me.Revoked)
			}
			certDER, err := os.ReadFile(filepath.Join(dirPath, filepath.FromSlash(me.Cert)))
			if err != nil || !reflect.DeepEqual(certDER, cert.Raw) {
				t.Errorf("%s differs from the p12 certificate (%v)", me.Cert, err)
			}
		})
	}
	paths := p.Paths()
	if want := 4*3 + 2*len(p.Entities) + 2*len(p.Services()) + 1; len(paths) != want {
		t.Errorf("Paths: %d, want %d", len(paths), want)
	}
	for _, path := range paths {
		if _, err := os.Stat(path); err != nil {
			t.Error(err)
		}
	}
}

// TestOpenSSLReadsRSAP12 has OpenSSL open an RSA .p12 (it cannot decode
// GOST keys).
func TestOpenSSLReadsRSAP12(t *testing.T) {
	openssl := opensslPath(t)
	p := onDisk(t)
	e := p.Find("rsa/legal_head")
	out, err := exec.Command(openssl, "pkcs12", "-legacy", "-in", e.P12Path, "-passin", "pass:"+DefaultPassword,
		"-nodes", "-noout").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl pkcs12: %v\n%s", err, out)
	}
}
