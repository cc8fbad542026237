package pki_test

import (
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/qoltanba/qoltanba/internal/sharedtest"
	"github.com/qoltanba/qoltanba/signer/pkcs12"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// env is one test PKI (GOST and RSA) whose certificates name a loopback
// server that serves it: OCSP, CRLs, CA certificates.
type env struct {
	p    *testpki.PKI
	srv  *httptest.Server
	down atomic.Bool // the server answers 503 to everything
}

var (
	envOnce sync.Once
	envVal  *env
	envErr  error
)

func testEnv(t testing.TB) *env {
	t.Helper()
	envOnce.Do(func() {
		e := &env{}
		var h http.Handler
		e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if e.down.Load() {
				http.Error(w, "down for the test", http.StatusServiceUnavailable)
				return
			}
			h.ServeHTTP(w, r)
		}))
		e.p, envErr = testpki.Generate(testpki.Options{BaseURL: e.srv.URL})
		if envErr == nil {
			h = testpki.NewServer(e.p)
			envVal = e
		}
	})
	if envErr != nil {
		t.Fatal(envErr)
	}
	return envVal
}

func TestMain(m *testing.M) {
	code := m.Run()
	if envVal != nil {
		envVal.srv.Close()
	}
	os.Exit(code)
}

// trust returns a store trusting the test PKI's roots.
func (e *env) trust() *pki.TrustStore {
	s := pki.NewTrustStore("")
	for _, f := range testpki.Families {
		s.AddAnchor(e.p.Root(f).Cert)
	}
	return s
}

// ncaDir returns ../shared/testdata/nca or skips.
func ncaDir(t testing.TB) string { return sharedtest.Dir(t, "testdata", "nca") }

func mustCert(t testing.TB, path string) *x509.Certificate {
	t.Helper()
	certs, err := pki.ReadCertificates(path)
	if err != nil {
		t.Fatal(err)
	}
	return certs[0]
}

func mustP12Cert(t testing.TB, path string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := pkcs12.Decode(data, "Qwerty12")
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return f.Entries[0].Certificate
}

// redirect sends every request to target, whatever host the URL names:
// the NCA certificates name test.pki.gov.kz, unreachable from here.
type redirect struct{ target string }

func (r redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host, req.Host = "http", r.target, ""
	return http.DefaultTransport.RoundTrip(req)
}
