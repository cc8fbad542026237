package xmldsig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/signer/testpki"
)

// signerFixture is one key with its certificate and trust anchors.
type signerFixture struct {
	name   string
	key    crypto.Signer
	cert   *x509.Certificate
	roots  []*x509.Certificate // trust anchors, for xmlsec1
	interm []*x509.Certificate // intermediates, for xmlsec1
	xmlsec bool                // xmlsec1 can verify this algorithm
	sigAlg string
	digAlg string
}

var (
	fixturesOnce sync.Once
	fixtures     []signerFixture
	fixturesErr  error
	fixturesPKI  *testpki.PKI // their PKI (its TSAs stamp in TestTimestamp)
)

// testSigners returns an RSA and a GOST-512 key from signer/testpki and an
// ECDSA P-256 key with a self-signed certificate (testpki has no ECDSA).
func testSigners(t testing.TB) []signerFixture {
	t.Helper()
	fixturesOnce.Do(func() {
		p, err := testpki.Generate(testpki.Options{})
		if err != nil {
			fixturesErr = err
			return
		}
		fixturesPKI = p
		for _, f := range []struct {
			entity, name, sig, dig string
			xmlsec                 bool
		}{
			{"rsa/individual", "RSA", "RSA-SHA256", "SHA-256", true},
			{"gost/individual", "GOST512", "GOST34.10-2015-512", "GOST34.11-2015-512", false},
		} {
			e := p.Find(f.entity)
			if e == nil {
				fixturesErr = &missingEntity{f.entity}
				return
			}
			fixtures = append(fixtures, signerFixture{
				name: f.name, key: e.Key, cert: e.Cert,
				roots: []*x509.Certificate{e.Issuer.Issuer.Cert}, interm: []*x509.Certificate{e.Issuer.Cert},
				xmlsec: f.xmlsec, sigAlg: f.sig, digAlg: f.dig,
			})
		}
		key, cert, err := selfSignedECDSA()
		if err != nil {
			fixturesErr = err
			return
		}
		fixtures = append(fixtures, signerFixture{name: "ECDSA-P256", key: key, cert: cert,
			roots: []*x509.Certificate{cert}, xmlsec: true, sigAlg: "ECDSA-SHA256", digAlg: "SHA-256"})
	})
	if fixturesErr != nil {
		t.Fatal(fixturesErr)
	}
	return fixtures
}

type missingEntity struct{ name string }

func (m *missingEntity) Error() string { return "testpki has no entity " + m.name }

func selfSignedECDSA() (*ecdsa.PrivateKey, *x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(7),
		Subject:               pkix.Name{CommonName: "xmldsig test ECDSA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return key, cert, err
}

func fixtureByName(t testing.TB, name string) signerFixture {
	t.Helper()
	for _, f := range testSigners(t) {
		if f.name == name {
			return f
		}
	}
	t.Fatalf("no fixture %s", name)
	return signerFixture{}
}
