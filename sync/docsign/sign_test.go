package docsign

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/sync/store"
)

var (
	pkiOnce sync.Once
	testPKI *testpki.PKI
	pkiErr  error
)

// gostPKI is one in-memory GOST test PKI for the package's tests.
func gostPKI(t *testing.T) *testpki.PKI {
	t.Helper()
	pkiOnce.Do(func() {
		testPKI, pkiErr = testpki.Generate(testpki.Options{Families: []testpki.Family{testpki.FamilyGOST}})
	})
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
	return testPKI
}

func keyOf(e *testpki.Entity) *signer.Key {
	return signer.NewKey(e.Name, e.Key, e.Cert, e.Chain()[1:], nil)
}

func verifier(p *testpki.PKI) *pki.Verifier {
	trust := pki.NewTrustStore("")
	trust.AddAnchor(p.Root(testpki.FamilyGOST).Cert)
	return &pki.Verifier{Trust: trust, Offline: true}
}

func TestSignStoredVersion(t *testing.T) {
	p := gostPKI(t)
	ctx := context.Background()
	tests := []struct {
		name, file, content string
		opts                Options
		format              string
	}{
		{"xml whole", "a.xml", `<?xml version="1.0" encoding="UTF-8"?><agreement><p>Келісім</p>  <p>2</p></agreement>`, Options{}, "xmldsig"},
		{"xml compact by id", "b.xml", `<r><d Id="x1">Өтініш</d></r>`, Options{Compact: true, XMLID: "x1"}, "xmldsig"},
		{"cms attached", "c.txt", "Акт № 5\n", Options{}, "cms"},
		{"cms detached", "d.txt", "Акт № 6\n", Options{Detached: true}, "cms"},
		// An office document's media type names "openxmlformats": still CMS.
		{"office document", "e.xlsx", "PK\x03\x04 Шот № 9", Options{}, "cms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _ := store.OpenMemory(store.Options{})
			d, err := st.AddDocument(ctx, store.NewDocument{Name: tt.file, Content: []byte(tt.content)})
			if err != nil {
				t.Fatal(err)
			}
			plan, err := Prepare(ctx, st, d.ID, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(plan.Summary(), d.SHA256.String()) {
				t.Errorf("summary lacks the digest: %s", plan.Summary())
			}
			res, err := signPlan(ctx, st, plan, keyOf(p.Find("gost/legal_head")), verifier(p))
			if err != nil {
				t.Fatal(err)
			}
			// Offline with no cached status: INDETERMINATE, stored with the report.
			if res.Signature.Format != tt.format || res.Signature.Signer.IIN == "" || len(res.Signature.Report) == 0 {
				t.Errorf("signature %+v", res.Signature)
			}
			got, _ := st.Document(ctx, d.ID)
			if got.State != store.StateSigned {
				t.Errorf("state %s", got.State)
			}
			sig, _ := st.SignatureBytes(ctx, d.ID, 1, 1)
			if _, err := Examine(tt.format, sig, []byte(tt.content), tt.opts.Detached); err != nil {
				t.Errorf("examine stored: %v", err)
			}
			other := strings.Replace(tt.content, "№", "#", 1)
			if strings.HasPrefix(other, "<") {
				other = strings.Replace(other, "</", "<x/></", 1)
			}
			if ev, err := Examine(tt.format, sig, []byte(other), tt.opts.Detached); err == nil && ev[0].DigestValid {
				t.Error("a different content passed")
			}
			r, _ := st.VerifyJournal(ctx)
			if !r.OK {
				t.Errorf("journal %+v", r)
			}
		})
	}
}

func TestXMLCarries(t *testing.T) {
	tests := []struct {
		name, signed, content string
		ok                    bool
	}{
		{"same", `<a><b>1</b><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><x/></ds:Signature></a>`, `<a><b>1</b></a>`, true},
		{"indent", "<a>\n  <b>1</b>\n<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"/></a>", `<a><b>1</b></a>`, true},
		{"changed text", `<a><b>2</b></a>`, `<a><b>1</b></a>`, false},
		{"added element", `<a><b>1</b><c/></a>`, `<a><b>1</b></a>`, false},
		{"DTD", `<!DOCTYPE a><a/>`, `<a/>`, false},
		{"garbage", `<a>`, `<a/>`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := XMLCarries([]byte(tt.signed), []byte(tt.content))
			if (err == nil) != tt.ok {
				t.Errorf("err %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestSignRefusals(t *testing.T) {
	p := gostPKI(t)
	ctx := context.Background()
	st, _ := store.OpenMemory(store.Options{})
	d, _ := st.AddDocument(ctx, store.NewDocument{Name: "n.txt", Content: []byte("text")})
	if _, err := Prepare(ctx, st, d.ID, Options{Format: FormatXML}); !errors.Is(err, ErrFormat) {
		t.Errorf("xml of text: %v", err)
	}
	if _, err := Prepare(ctx, st, d.ID, Options{Compact: true}); !errors.Is(err, ErrFormat) {
		t.Errorf("compact cms: %v", err)
	}
	// A revoked key's signature is TOTAL_FAILED against its CRL: not stored.
	plan, err := Prepare(ctx, st, d.ID, Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := verifier(p)
	v.Cache = &pki.Cache{Dir: t.TempDir()}
	revoked := p.Find("gost/individual_revoked")
	ca := revoked.Issuer
	for _, url := range revoked.Cert.CRLDistributionPoints {
		if err := v.Cache.Put(pki.KindCRL, url, ca.Cert, "", ca.CRLDER, ca.CRL.ThisUpdate); err != nil {
			t.Fatal(err)
		}
	}
	_, err = signPlan(ctx, st, plan, keyOf(revoked), v)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "REVOKED") {
		t.Fatalf("revoked key: %v", err)
	}
	if sigs, _ := st.Signatures(ctx, d.ID, 1); len(sigs) != 0 {
		t.Errorf("a failed signature was stored")
	}
}
