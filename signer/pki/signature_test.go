package pki

import (
	"crypto/x509"
	"errors"
	"path/filepath"
	"testing"
)

func TestCheckSignatureNCACAs(t *testing.T) {
	nca := sharedDir(t)
	root := readCert(t, filepath.Join(nca, "gost2015/root_test_gost_2022.cer"))
	ca := readCert(t, filepath.Join(nca, "gost2015/nca_gost2022_test.cer"))
	rsaCA := readCert(t, filepath.Join(nca, "rsa2018/nca_rsa_test.crt"))
	tests := []struct {
		name          string
		child, parent *x509.Certificate
		want          error
	}{
		{"GOST root self-signed", root, root, nil},
		{"GOST issuing CA by root", ca, root, nil},
		{"GOST root by issuing CA", root, ca, ErrSignatureInvalid},
		{"GOST issuing CA self", ca, ca, ErrSignatureInvalid},
		{"RSA CA by GOST root", rsaCA, root, ErrSignatureInvalid},
		{"GOST CA by RSA CA", ca, rsaCA, ErrSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckSignatureFrom(tt.child, tt.parent)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("CheckSignatureFrom = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCheckCRLSignatureNCA(t *testing.T) {
	nca := sharedDir(t)
	root := readCert(t, filepath.Join(nca, "gost2015/root_test_gost_2022.cer"))
	ca := readCert(t, filepath.Join(nca, "gost2015/nca_gost2022_test.cer"))
	rsaCA := readCert(t, filepath.Join(nca, "rsa2018/nca_rsa_test.crt"))
	gostCRL := readCRL(t, filepath.Join(nca, "gost2015/nca_gost2022_test.crl"))
	rsaCRL := readCRL(t, filepath.Join(nca, "rsa2018/nca_rsa_test.crl"))
	if len(gostCRL.RevokedCertificateEntries) == 0 || len(rsaCRL.RevokedCertificateEntries) == 0 {
		t.Error("CRLs parsed without entries")
	}
	tests := []struct {
		name   string
		crl    *x509.RevocationList
		issuer *x509.Certificate
		want   error
	}{
		{"GOST CRL by issuing CA", gostCRL, ca, nil},
		{"GOST CRL by root", gostCRL, root, ErrSignatureInvalid},
		{"RSA CRL by RSA CA", rsaCRL, rsaCA, nil},
		{"RSA CRL by GOST CA", rsaCRL, ca, ErrSignatureInvalid},
		{"GOST CRL by RSA CA", gostCRL, rsaCA, ErrSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckCRLSignatureFrom(tt.crl, tt.issuer)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("CheckCRLSignatureFrom = %v, want %v", err, tt.want)
			}
		})
	}
}
