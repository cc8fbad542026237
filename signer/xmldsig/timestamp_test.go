package xmldsig

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// TestTimestamp: a signature timestamp (XAdES-T) over RSA, GOST and ECDSA
// signatures verifies, leaves the signature valid (for xmlsec1 too), is
// added once, and fails when the SignatureValue it stamps is changed.
func TestTimestamp(t *testing.T) {
	signers := testSigners(t)
	p := fixturesPKI
	tsa := p.TSA(testpki.FamilyGOST)
	srv := httptest.NewServer(testpki.NewTSA(tsa.Key, tsa.Cert, tsa.Chain(), testpki.TSAPolicyGOST))
	t.Cleanup(srv.Close)
	client := &cms.TSAClient{URL: srv.URL, HTTP: srv.Client()}
	doc := []byte(`<acceptance xmlns="urn:test"><text>Келісемін</text></acceptance>`)
	for _, f := range signers {
		t.Run(f.name, func(t *testing.T) {
			signed, err := Sign(doc, f.key, f.cert, SignOptions{})
			if err != nil {
				t.Fatal(err)
			}
			stamped, err := AddTimestamp(context.Background(), signed, client)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(stamped, []byte("xades:EncapsulatedTimeStamp")) {
				t.Fatalf("no timestamp:\n%s", stamped)
			}
			ev, err := Verify(stamped)
			if err != nil || len(ev) != 1 || !ev[0].SignatureValid || !ev[0].DigestValid {
				t.Fatalf("verify: %+v %v", ev, err)
			}
			if len(ev[0].Timestamps) != 1 || !ev[0].Timestamps[0].Valid || ev[0].Timestamps[0].Time.IsZero() ||
				!ev[0].Timestamps[0].Certificate.Equal(tsa.Cert) {
				t.Fatalf("timestamps: %+v", ev[0].Timestamps)
			}
			if f.xmlsec {
				if ok, out := xmlsecVerify(t, f, stamped, ""); !ok {
					t.Errorf("xmlsec1 rejects the timestamped signature:\n%s", out)
				}
			}
			again, err := AddTimestamp(context.Background(), stamped, client)
			if err != nil || !bytes.Equal(again, stamped) {
				t.Errorf("a second AddTimestamp changed the document: %v", err)
			}
			// The token stamps the SignatureValue: another value, another imprint.
			start := bytes.Index(stamped, []byte("SignatureValue>")) + len("SignatureValue>")
			forged := bytes.Clone(stamped)
			for i := start; i < len(forged); i++ {
				if c := forged[i]; c >= 'A' && c <= 'Z' {
					forged[i] = 'A' + (c-'A'+1)%26
					break
				}
			}
			ev, err = Verify(forged)
			if err != nil || len(ev) != 1 || ev[0].SignatureValid {
				t.Fatalf("a changed SignatureValue still verifies: %+v %v", ev, err)
			}
		})
	}
	t.Run("bad token", func(t *testing.T) {
		f := signers[0]
		signed, _ := Sign(doc, f.key, f.cert, SignOptions{})
		stamped, err := AddTimestamp(context.Background(), signed, client)
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.Index(stamped, []byte("<xades:EncapsulatedTimeStamp>")) + len("<xades:EncapsulatedTimeStamp>")
		broken := append(append(bytes.Clone(stamped[:i]), []byte("AAAA")...), stamped[i+4:]...)
		ev, err := Verify(broken)
		if err != nil || len(ev) != 1 || !ev[0].SignatureValid || len(ev[0].Timestamps) != 1 || ev[0].Timestamps[0].Valid ||
			ev[0].Timestamps[0].Error == "" {
			t.Fatalf("a damaged token: %+v %v", ev, err)
		}
	})
}
