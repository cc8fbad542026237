package cms_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/internal/sharedtest"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/gost"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// party is a key with its certificate and chain (issuer first).
type party struct {
	key   crypto.Signer
	cert  *x509.Certificate
	chain []*x509.Certificate
}

// rsaSet is a small RSA PKI made with crypto/x509: a root, two signers and
// a TSA whose certificate has the critical timeStamping usage.
type rsaSet struct {
	root       party
	alice, bob party
	tsa        party
	ecdsa      party
}

var (
	rsaOnce sync.Once
	rsaPKI  *rsaSet
	rsaErr  error
)

var oidEKU = asn1.ObjectIdentifier{2, 5, 29, 37}
var oidKPTimeStamping = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}

// timeStampingEKU is the critical EKU extension RFC 3161 requires;
// crypto/x509 writes ExtKeyUsage non-critical, so it goes in ExtraExtensions.
func timeStampingEKU() pkix.Extension {
	v, _ := asn1.Marshal([]asn1.ObjectIdentifier{oidKPTimeStamping})
	return pkix.Extension{Id: oidEKU, Critical: true, Value: v}
}

func newRSAKey(t testing.TB) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var serialCounter int64 = 1000

func issue(t testing.TB, tmpl *x509.Certificate, pub crypto.PublicKey, parent *party) *x509.Certificate {
	serialCounter++
	tmpl.SerialNumber = big.NewInt(serialCounter)
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = time.Now().Add(-time.Hour)
		tmpl.NotAfter = time.Now().Add(24 * time.Hour)
	}
	p, pk := tmpl, crypto.Signer(nil)
	if parent != nil {
		p, pk = parent.cert, parent.key
	} else {
		pk = pub.(interface{ Public() crypto.PublicKey }).(crypto.Signer)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p, publicOf(pub), pk)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func publicOf(k crypto.PublicKey) crypto.PublicKey {
	if s, ok := k.(crypto.Signer); ok {
		return s.Public()
	}
	return k
}

func getRSA(t testing.TB) *rsaSet {
	t.Helper()
	rsaOnce.Do(func() {
		s := &rsaSet{}
		rk := newRSAKey(t)
		s.root = party{key: rk}
		s.root.cert = issue(t, &x509.Certificate{
			Subject: pkix.Name{CommonName: "Test RSA Root", Country: []string{"KZ"}}, IsCA: true,
			BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		}, rk, nil)
		leaf := func(cn string, key crypto.Signer, tsa bool) party {
			tmpl := &x509.Certificate{Subject: pkix.Name{CommonName: cn, Country: []string{"KZ"}},
				KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}
			if tsa {
				tmpl.ExtraExtensions = []pkix.Extension{timeStampingEKU()}
			} else {
				tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}
			}
			return party{key: key, cert: issue(t, tmpl, key.Public(), &s.root), chain: []*x509.Certificate{s.root.cert}}
		}
		s.alice = leaf("ALICE TEST", newRSAKey(t), false)
		s.bob = leaf("BOB TEST", newRSAKey(t), false)
		s.tsa = leaf("TEST TSA RSA", newRSAKey(t), true)
		ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			rsaErr = err
			return
		}
		s.ecdsa = leaf("ECDSA TEST", ek, false)
		rsaPKI = s
	})
	if rsaErr != nil || rsaPKI == nil {
		t.Fatalf("RSA test PKI: %v", rsaErr)
	}
	return rsaPKI
}

// startTSA serves a testpki TSA on 127.0.0.1 and returns a client for it.
func startTSA(t testing.TB, p party, policy asn1.ObjectIdentifier) *cms.TSAClient {
	t.Helper()
	srv := httptest.NewServer(testpki.NewTSA(p.key, p.cert, p.chain, policy))
	t.Cleanup(srv.Close)
	return &cms.TSAClient{URL: srv.URL, HTTP: srv.Client(), Policy: policy}
}

// gostCert issues a GOST certificate: crypto/x509 drafts it with a
// throw-away ECDSA key, then the TBS gets the GOST algorithm and public key
// and is signed with the issuer's GOST key. parent nil means self-signed.
func gostCert(t testing.TB, tmpl *x509.Certificate, pub *gost.PublicKey, parent *x509.Certificate, parentKey *gost.PrivateKey) *x509.Certificate {
	t.Helper()
	throw, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.SerialNumber == nil {
		serialCounter++
		tmpl.SerialNumber = big.NewInt(serialCounter)
	}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = time.Now().Add(-time.Hour)
		tmpl.NotAfter = time.Now().Add(24 * time.Hour)
	}
	p := tmpl
	if parent != nil {
		c := *parent
		c.PublicKey = nil
		p = &c
	}
	draft, err := x509.CreateCertificate(rand.Reader, tmpl, p, &throw.PublicKey, throw)
	if err != nil {
		t.Fatal(err)
	}
	var outer struct {
		TBS asn1.RawValue
		Alg asn1.RawValue
		Sig asn1.BitString
	}
	if _, err := asn1.Unmarshal(draft, &outer); err != nil {
		t.Fatal(err)
	}
	var fields []asn1.RawValue
	for rest := outer.TBS.Bytes; len(rest) > 0; {
		var f asn1.RawValue
		if rest, err = asn1.Unmarshal(rest, &f); err != nil {
			t.Fatal(err)
		}
		fields = append(fields, f)
	}
	alg := gost.SignatureAlgorithmForCurve(parentKey.PublicKey().Curve())
	algDER, _ := asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: alg.OID, Parameters: asn1.NullRawValue})
	spki, err := gost.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	fields[2] = asn1.RawValue{FullBytes: algDER}
	fields[6] = asn1.RawValue{FullBytes: spki}
	tbs, _ := asn1.Marshal(asn1.RawValue{Class: 0, Tag: 16, IsCompound: true, Bytes: concat(fields)})
	h := alg.NewHash()
	h.Write(tbs)
	sig, err := parentKey.Sign(rand.Reader, h.Sum(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	sigBits, _ := asn1.Marshal(asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)})
	der, _ := asn1.Marshal(asn1.RawValue{Class: 0, Tag: 16, IsCompound: true, Bytes: append(append(tbs, algDER...), sigBits...)})
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func concat(fields []asn1.RawValue) []byte {
	var b []byte
	for _, f := range fields {
		b = append(b, f.FullBytes...)
	}
	return b
}

// gostSet is a GOST PKI: testpki's, plus a GOST TSA and a GOST-2004 key.
type gostSet struct {
	pki      *testpki.PKI
	head     party
	employee party
	tsa      party
	old2004  party
}

var (
	gostOnce sync.Once
	gostPKI  *gostSet
)

func getGOST(t testing.TB) *gostSet {
	t.Helper()
	gostOnce.Do(func() {
		p, err := testpki.Generate(testpki.Options{Families: []testpki.Family{testpki.FamilyGOST}})
		if err != nil {
			t.Fatalf("testpki: %v", err)
		}
		s := &gostSet{pki: p}
		ent := func(name string) party {
			e := p.Find(name)
			if e == nil {
				t.Fatalf("testpki has no %s", name)
			}
			return party{key: e.Key, cert: e.Cert, chain: e.Chain()[1:]}
		}
		s.head, s.employee = ent("gost/legal_head"), ent("gost/legal_employee")
		ca := p.CA(testpki.FamilyGOST)
		tk, err := gost.GenerateKey(gost.Curve512A(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		s.tsa = party{key: tk, chain: []*x509.Certificate{ca.Cert, ca.Issuer.Cert}, cert: gostCert(t, &x509.Certificate{
			Subject: pkix.Name{CommonName: "TEST TSA GOST", Country: []string{"KZ"}}, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtraExtensions: []pkix.Extension{timeStampingEKU()},
		}, tk.PublicKey(), ca.Cert, ca.Key.(*gost.PrivateKey))}
		ok, err := gost.GenerateKey(gost.CurveCryptoProA(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		s.old2004 = party{key: ok, cert: gostCert(t, &x509.Certificate{
			Subject: pkix.Name{CommonName: "GOST 2004 TEST", Country: []string{"KZ"}}, KeyUsage: x509.KeyUsageDigitalSignature,
		}, ok.PublicKey(), nil, ok)}
		gostPKI = s
	})
	if gostPKI == nil {
		t.Fatal("GOST test PKI not built")
	}
	return gostPKI
}

// sharedDir finds ../shared next to the module root, or skips.
func sharedDir(t testing.TB) string { return sharedtest.Dir(t) }

func opensslPath(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl missing: install openssl (scripts/deps.sh test) to run the interoperability tests")
	}
	return p
}

func writePEM(t testing.TB, dir, name, typ string, ders ...[]byte) string {
	t.Helper()
	var out []byte
	for _, d := range ders {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: d})...)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
