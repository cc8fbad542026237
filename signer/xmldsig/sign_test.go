package xmldsig

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

const agreementXML = `<?xml version="1.0" encoding="UTF-8"?>
<!-- agreement -->
<agreement xmlns="urn:qoltanba:agreement" xmlns:x="urn:x" version="1">
  <party Id="p1" x:role="buyer">ТОО «Қолтаңба»</party>
  <party Id="p2" x:role="seller">A &amp; B &lt;C&gt; "q"&#13;</party>
  <!-- a comment inside -->
  <terms xml:lang="kk"><item n="1">Tab&#9;and&#10;newline in attribute: <x:v a="x&#9;y&#10;z"/></item></terms>
</agreement>
`

// TestSignVerifyRoundTrip signs with every key family, both styles, whole
// document and by Id, and checks the evidence Verify gives.
func TestSignVerifyRoundTrip(t *testing.T) {
	for _, f := range testSigners(t) {
		for _, style := range []Style{StyleNCALayer, StyleCompact} {
			for _, id := range []string{"", "p2"} {
				name := f.name + "/" + style.String() + "/whole"
				scope := "whole document"
				if id != "" {
					name = f.name + "/" + style.String() + "/id"
					scope = `element Id="p2" at /agreement/party[2]`
				}
				t.Run(name, func(t *testing.T) {
					signed, err := Sign([]byte(agreementXML), f.key, f.cert, SignOptions{Style: style, ID: id})
					if err != nil {
						t.Fatal(err)
					}
					evs, err := Verify(signed)
					if err != nil {
						t.Fatal(err)
					}
					if len(evs) != 1 {
						t.Fatalf("%d evidences", len(evs))
					}
					ev := evs[0]
					if !ev.DigestValid || !ev.SignatureValid || ev.CryptoError != "" {
						t.Fatalf("not valid: %+v\n%s", ev, signed)
					}
					if ev.Scope != scope || ev.SignatureAlgorithm != f.sigAlg || ev.DigestAlgorithm != f.digAlg || len(ev.ScopeDigest) == 0 {
						t.Errorf("evidence %+v", ev)
					}
					if !ev.Certificate.Equal(f.cert) || len(ev.Certificates) != 1 {
						t.Errorf("certificate not reported")
					}
					if bytes.HasPrefix(signed, []byte("<?xml")) {
						t.Errorf("XML declaration kept; NCALayer drops it")
					}
				})
			}
		}
	}
}

// TestSignParentXPath appends the signature where ParentXPath says, and
// signs a document whose signature sits inside the signed element.
func TestSignParentXPath(t *testing.T) {
	f := fixtureByName(t, "GOST512")
	doc := []byte(`<root><body Id="b"><x>1</x></body><sigs/></root>`)
	for _, tc := range []struct {
		name, xpath, id, parent string
	}{
		{"whole into sigs", "/root/sigs", "", "sigs"},
		{"id into sigs", "//sigs", "b", "sigs"},
		{"id into the signed element", "/root/body", "b", "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signed, err := Sign(doc, f.key, f.cert, SignOptions{ParentXPath: tc.xpath, ID: tc.id})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(signed, []byte("<ds:Signature")) || !strings.Contains(string(signed), "</ds:Signature></"+tc.parent+">") {
				t.Errorf("signature not appended to %s:\n%s", tc.parent, signed)
			}
			mustVerify(t, signed, "")
		})
	}
}

func TestSignErrors(t *testing.T) {
	gostF := fixtureByName(t, "GOST512")
	rsaF := fixtureByName(t, "RSA")
	doc := []byte(`<root><a Id="x"/><b Id="x"/><c Id="y"/></root>`)
	for _, tc := range []struct {
		name string
		doc  []byte
		opts SignOptions
		cert bool // use the RSA certificate with the GOST key
		want error
	}{
		{"duplicate Id", doc, SignOptions{ID: "x"}, false, ErrAmbiguousID},
		{"missing Id", doc, SignOptions{ID: "nope"}, false, ErrElementNotFound},
		{"missing parent", doc, SignOptions{ParentXPath: "/root/zzz"}, false, ErrElementNotFound},
		{"not XML", []byte("<root>"), SignOptions{}, false, ErrNotXML},
		{"DTD", []byte(`<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>`), SignOptions{}, false, ErrDTD},
		{"cp1251", []byte(`<?xml version="1.0" encoding="windows-1251"?><r/>`), SignOptions{}, false, ErrEncoding},
		{"wrong certificate", doc, SignOptions{ID: "y"}, true, ErrKeyMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cert := gostF.cert
			if tc.cert {
				cert = rsaF.cert
			}
			_, err := Sign(tc.doc, gostF.key, cert, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
}

// TestCoSign signs a signed document again, whole and by Id, with another
// key: every signature must verify afterwards.
func TestCoSign(t *testing.T) {
	g, r := fixtureByName(t, "GOST512"), fixtureByName(t, "RSA")
	for _, tc := range []struct {
		name   string
		opts   SignOptions
		scopes []string
		warn   bool
	}{
		{"whole", SignOptions{}, []string{"whole document without the 1 signature(s) added after this one", "whole document"}, true},
		{"whole compact", SignOptions{Style: StyleCompact}, []string{"whole document without the 1 signature(s) added after this one", "whole document"}, true},
		{"by Id", SignOptions{ID: "p1"}, []string{`element Id="p1" at /agreement/party[1]`, `element Id="p1" at /agreement/party[1]`}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			once, err := Sign([]byte(agreementXML), g.key, g.cert, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			twice, err := Sign(once, r.key, r.cert, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			evs, err := Verify(twice)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 2 {
				t.Fatalf("%d signatures", len(evs))
			}
			for i, ev := range evs {
				if !ev.DigestValid || !ev.SignatureValid {
					t.Fatalf("signature %d: %s", i, ev.CryptoError)
				}
				if ev.Scope != tc.scopes[i] {
					t.Errorf("signature %d scope %q, want %q", i, ev.Scope, tc.scopes[i])
				}
			}
			if got := len(evs[0].Warnings) > 0; got != tc.warn {
				t.Errorf("first signature warnings %q", evs[0].Warnings)
			}
			if !evs[0].Certificate.Equal(g.cert) || !evs[1].Certificate.Equal(r.cert) {
				t.Errorf("certificates mixed up")
			}
		})
	}
}
