package cms_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/keyfile"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// TestNCAKeys signs with the real NCA GOST test keys and verifies,
// including a co-signature and a GOST timestamp.
func TestNCAKeys(t *testing.T) {
	shared := sharedDir(t)
	g := getGOST(t)
	tsa := startTSA(t, g.tsa, testpki.TSAPolicyGOST)
	content := []byte("<agreement>NCA test key</agreement>")
	caDER, err := os.ReadFile(filepath.Join(shared, "testdata/nca/gost2015/nca_gost2022_test.cer"))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := pem.Decode(caDER); b != nil {
		caDER = b.Bytes
	}
	nca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"legal/valid/head.p12", "individual/valid/individual_valid.p12"} {
		t.Run(name, func(t *testing.T) {
			key, err := keyfile.Open(filepath.Join(shared, "testdata/nca/gost2015", name), []byte("Qwerty12"))
			if err != nil {
				t.Fatal(err)
			}
			defer key.Close()
			id := pki.IdentityOf(key.Certificate, time.Now())
			t.Logf("signer: %s (IIN %s)", key.Certificate.Subject.CommonName, id.IIN)
			for _, detached := range []bool{false, true} {
				der, err := cms.Sign(bytes.NewReader(content), key.Signer, key.Certificate, key.Chain, cms.SignOptions{Detached: detached, IncludeChain: true})
				if err != nil {
					t.Fatal(err)
				}
				var src *bytes.Reader
				if detached {
					src = bytes.NewReader(content)
				}
				evs, err := verify(der, src)
				if err != nil {
					t.Fatal(err)
				}
				checkEvidence(t, evs[0], key.Certificate, "GOST34.10-2015-512", "GOST34.11-2015-512")
				// The certificate in the CMS is the one NCA's test CA issued.
				if err := pki.CheckSignatureFrom(evs[0].Certificate, nca); err != nil {
					t.Errorf("issuer: %v", err)
				}
			}
			der, err := cms.Sign(bytes.NewReader(content), key.Signer, key.Certificate, nil, cms.SignOptions{})
			if err != nil {
				t.Fatal(err)
			}
			der, err = cms.CoSign(der, nil, g.employee.key, g.employee.cert, nil, cms.SignOptions{})
			if err != nil {
				t.Fatal(err)
			}
			der, err = cms.AddTimestamp(context.Background(), der, tsa)
			if err != nil {
				t.Fatal(err)
			}
			evs, err := cms.Verify(der, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkEvidence(t, evs[0], key.Certificate, "GOST34.10-2015-512", "GOST34.11-2015-512")
			checkEvidence(t, evs[1], g.employee.cert, "GOST34.10-2015-512", "GOST34.11-2015-512")
			checkTimestamp(t, evs[0], g.tsa.cert, testpki.TSAPolicyGOST.String())
			checkTimestamp(t, evs[1], g.tsa.cert, testpki.TSAPolicyGOST.String())
		})
	}
}
