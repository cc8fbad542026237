package testpki

import (
	"bytes"
	"crypto"
	"reflect"
	"testing"

	"github.com/qoltanba/qoltanba/signer/gost"

	"github.com/qoltanba/qoltanba/signer/pki"
)

func TestChainsVerify(t *testing.T) {
	p := inMemory(t)
	for _, ca := range p.AllCAs() {
		parent := ca.Cert
		if ca.Issuer != nil {
			parent = ca.Issuer.Cert
		}
		if err := pki.CheckSignatureFrom(ca.Cert, parent); err != nil {
			t.Errorf("%s: %v", ca.Name, err)
		}
		if err := pki.CheckCRLSignatureFrom(ca.CRL, ca.Cert); err != nil {
			t.Errorf("%s CRL: %v", ca.Name, err)
		}
	}
	for _, e := range p.Entities {
		if err := pki.CheckSignatureFrom(e.Cert, e.Issuer.Cert); err != nil {
			t.Errorf("%s: %v", e.Name, err)
		}
		t.Log(pki.IdentityOf(e.Cert, memNow))
	}
}

func TestCRLListsRevoked(t *testing.T) {
	p := inMemory(t)
	for _, f := range Families {
		ca := p.CA(f)
		if ca.CRL == nil || p.Root(f).CRL == nil {
			t.Fatalf("%s: no CRL", f)
		}
		if n := len(p.Root(f).CRL.RevokedCertificateEntries); n != 0 {
			t.Errorf("%s root CRL lists %d certificates", f, n)
		}
		listed := map[string]bool{}
		for _, r := range ca.CRL.RevokedCertificateEntries {
			listed[r.SerialNumber.String()] = true
			if r.ReasonCode != 1 {
				t.Errorf("%s: reason %d", f, r.ReasonCode)
			}
		}
		revoked := 0
		for _, e := range p.Entities {
			if e.Family != f {
				continue
			}
			if listed[e.Cert.SerialNumber.String()] != e.Revoked {
				t.Errorf("%s: listed=%v revoked=%v", e.Name, !e.Revoked, e.Revoked)
			}
			if e.Revoked {
				revoked++
			}
		}
		if revoked != 1 || len(listed) != 1 {
			t.Errorf("%s: %d revoked entities, %d CRL entries", f, revoked, len(listed))
		}
		if !ca.CRL.ThisUpdate.Before(memNow) || !ca.CRL.NextUpdate.After(memNow) {
			t.Errorf("%s CRL not current: %v..%v", f, ca.CRL.ThisUpdate, ca.CRL.NextUpdate)
		}
	}
}

func TestEntities(t *testing.T) {
	p := inMemory(t)
	want := map[Family][]string{
		FamilyGOST: {"individual", "legal_head", "legal_signer", "legal_financial", "legal_hr", "legal_employee",
			"legal_treasury", "legal_infosystem", "individual_revoked", "individual_expired", "individual_auth", "legal_head_auth"},
		FamilyRSA: {"individual", "individual_auth", "legal_head", "legal_signer", "legal_employee",
			"individual_revoked", "individual_expired", "legal_head_auth"},
	}
	for f, names := range want {
		for _, n := range names {
			if p.Find(string(f)+"/"+n) == nil {
				t.Errorf("no %s/%s", f, n)
			}
		}
	}
	if p.Find("gost/nobody") != nil {
		t.Error("Find invented an entity")
	}
	for _, e := range p.Entities {
		id := pki.IdentityOf(e.Cert, memNow)
		alg := "RSA-2048"
		if e.Family == FamilyGOST {
			alg = pki.AlgorithmGOST2015_512
		}
		if id.Algorithm != alg || id.IIN != e.IIN || id.BIN != e.BIN || id.Purpose != e.Purpose ||
			!reflect.DeepEqual(id.Roles, e.Roles) || (id.DaysLeft < 0) != e.Expired {
			t.Errorf("%s: identity %+v does not match %+v", e.Name, id, e)
		}
		if e.IIN != "" && !validCheckDigit(e.IIN) || e.BIN != "" && !validCheckDigit(e.BIN) {
			t.Errorf("%s: IIN %q / BIN %q check digit", e.Name, e.IIN, e.BIN)
		}
		if len(e.Chain()) != 3 || e.Chain()[2] != p.Root(e.Family).Cert {
			t.Errorf("%s: chain", e.Name)
		}
		base := p.Options.BaseURL
		if len(e.Cert.CRLDistributionPoints) != 1 || e.Cert.CRLDistributionPoints[0] != base+"/crl/"+e.Issuer.Name+".crl" ||
			len(e.Cert.OCSPServer) != 1 || e.Cert.OCSPServer[0] != base+"/ocsp" ||
			len(e.Cert.IssuingCertificateURL) != 1 || e.Cert.IssuingCertificateURL[0] != base+"/ca/"+e.Issuer.Name+".cer" {
			t.Errorf("%s: CDP %v OCSP %v AIA %v", e.Name, e.Cert.CRLDistributionPoints, e.Cert.OCSPServer, e.Cert.IssuingCertificateURL)
		}
		if !bytes.Equal(e.Cert.AuthorityKeyId, e.Issuer.Cert.SubjectKeyId) || len(e.Cert.SubjectKeyId) != 20 {
			t.Errorf("%s: AKI %x SKI %x", e.Name, e.Cert.AuthorityKeyId, e.Cert.SubjectKeyId)
		}
		if !e.Cert.Equal(e.Cert) || !publicKeyMatches(t, e) {
			t.Errorf("%s: key does not match certificate", e.Name)
		}
	}
}

func validCheckDigit(n string) bool {
	d, ok := checkDigit(n[:11])
	return ok && d == n[11]
}

// publicKeyMatches checks that the entity's private key belongs to its
// certificate.
func publicKeyMatches(t *testing.T, e *Entity) bool {
	t.Helper()
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if e.Family == FamilyGOST {
		pub, err := gost.PublicKeyFromCertificate(e.Cert)
		if err != nil {
			t.Error(err)
			return false
		}
		return pub.Equal(e.Key.Public())
	}
	return e.Key.Public().(equaler).Equal(e.Cert.PublicKey)
}

func TestCheckDigit(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want byte
		ok   bool
	}{
		{"90010130001", '7', true},
		{"26014000001", '5', true},
		{"12345678901", '3', true}, // NCA's test IIN 123456789011 has a wrong check digit
		{"123", 0, false},
	} {
		d, ok := checkDigit(tt.in)
		if d != tt.want || ok != tt.ok {
			t.Errorf("checkDigit(%s) = %c %v", tt.in, d, ok)
		}
	}
}
