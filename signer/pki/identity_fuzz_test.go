package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"
	"time"
)

// kzCert makes a self-signed ECDSA certificate with a KZ subject for seeds.
func kzCert(t testing.TB) []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var seq pkix.RDNSequence
	for _, a := range []pkix.AttributeTypeAndValue{
		{Type: oidCommonName, Value: "ТЕСТОВ ТЕСТ"},
		{Type: oidSurname, Value: "ТЕСТОВ"},
		{Type: asn1.ObjectIdentifier{2, 5, 4, 5}, Value: "IIN123456789011"},
		{Type: asn1.ObjectIdentifier{2, 5, 4, 11}, Value: "BIN123456789021"},
		{Type: oidGivenName, Value: "ТЕСТОВИЧ"},
	} {
		seq = append(seq, pkix.RelativeDistinguishedNameSET{a})
	}
	name, err := asn1.Marshal(seq)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(1), RawSubject: name, NotBefore: time.Unix(1e9, 0), NotAfter: time.Unix(2e9, 0),
		KeyUsage:           x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:        []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
		UnknownExtKeyUsage: []asn1.ObjectIdentifier{RoleOID(RoleLegal), RoleOID(RoleHead)},
	}, &x509.Certificate{RawSubject: name}, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

var oidCommonName = asn1.ObjectIdentifier{2, 5, 4, 3}

func TestIdentityOfGenerated(t *testing.T) {
	cert, err := x509.ParseCertificate(kzCert(t))
	if err != nil {
		t.Fatal(err)
	}
	id := IdentityOf(cert, time.Unix(2e9, 0).Add(-36*time.Hour))
	if id.IIN != "123456789011" || id.BIN != "123456789021" || id.Surname != "ТЕСТОВ" || id.GivenName != "ТЕСТОВИЧ" ||
		id.Algorithm != "ECDSA-P-256" || id.Purpose != PurposeSign || id.DaysLeft != 1 ||
		len(id.Roles) != 2 || id.Roles[1] != RoleHead {
		t.Errorf("identity %+v", id)
	}
	want := "CN=ТЕСТОВ ТЕСТ, SN=ТЕСТОВ, SERIALNUMBER=IIN123456789011, OU=BIN123456789021, GN=ТЕСТОВИЧ"
	if id.SubjectDN != want {
		t.Errorf("SubjectDN %q, want %q", id.SubjectDN, want)
	}
}

func FuzzIdentityOf(f *testing.F) {
	f.Add(kzCert(f))
	f.Fuzz(func(t *testing.T, der []byte) {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return
		}
		id := IdentityOf(cert, time.Unix(1.5e9, 0))
		_ = id.Summary()
	})
}
