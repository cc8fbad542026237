package xmldsig

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// signedFixture signs agreementXML with the GOST-512 test key.
func signedFixture(t *testing.T, opts SignOptions) []byte {
	t.Helper()
	f := fixtureByName(t, "GOST512")
	signed, err := Sign([]byte(agreementXML), f.key, f.cert, opts)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

func replaceOnce(t *testing.T, doc []byte, old, new string) []byte {
	t.Helper()
	if !bytes.Contains(doc, []byte(old)) {
		t.Fatalf("%q not in document", old)
	}
	return bytes.Replace(doc, []byte(old), []byte(new), 1)
}

// TestTampering: every change to signed data or to SignedInfo, and every
// trick that moves what a reference points at, fails verification with a
// reason, and never panics.
func TestTampering(t *testing.T) {
	whole := signedFixture(t, SignOptions{})
	byID := signedFixture(t, SignOptions{ID: "p1"})
	rsaF := fixtureByName(t, "RSA")
	otherCert := base64.StdEncoding.EncodeToString(rsaF.cert.Raw)

	sigStart := func(doc []byte) int { return bytes.Index(doc, []byte("<ds:Signature")) }
	for _, tc := range []struct {
		name      string
		doc       func(t *testing.T) []byte
		digest    bool // DigestValid expected
		signature bool // SignatureValid expected
		reason    string
	}{
		{"text changed", func(t *testing.T) []byte { return replaceOnce(t, whole, "Қолтаңба", "Колтанба") }, false, true, "digest mismatch"},
		{"attribute changed", func(t *testing.T) []byte { return replaceOnce(t, whole, `x:role="buyer"`, `x:role="seller"`) }, false, true, "digest mismatch"},
		{"attribute added", func(t *testing.T) []byte { return replaceOnce(t, whole, `version="1"`, `version="1" extra="1"`) }, false, true, "digest mismatch"},
		{"element in signed Id changed", func(t *testing.T) []byte { return replaceOnce(t, byID, "Қолтаңба", "Колтанба") }, false, true, "digest mismatch"},
		{"outside the signed Id is free", func(t *testing.T) []byte { return replaceOnce(t, byID, `"q"`, `"Q"`) }, true, true, ""},
		{"SignedInfo transform changed", func(t *testing.T) []byte {
			return replaceOnce(t, whole, `REC-xml-c14n-20010315#WithComments"/>`, `REC-xml-c14n-20010315"/>`)
		}, true, false, "signature value"},
		{"DigestValue changed", func(t *testing.T) []byte {
			d := whole[bytes.Index(whole, []byte("<ds:DigestValue>"))+16:]
			return replaceOnce(t, whole, "<ds:DigestValue>"+string(d[:4]), "<ds:DigestValue>AAAA")
		}, false, false, "digest mismatch"},
		{"SignatureValue changed", func(t *testing.T) []byte {
			d := whole[bytes.Index(whole, []byte("<ds:SignatureValue>"))+20:]
			return replaceOnce(t, whole, "<ds:SignatureValue>\n"+string(d[:4]), "<ds:SignatureValue>\nAAAA")
		}, true, false, "signature value"},
		{"wrong certificate", func(t *testing.T) []byte {
			i := bytes.Index(whole, []byte("<ds:X509Certificate>"))
			j := bytes.Index(whole, []byte("</ds:X509Certificate>"))
			return append(append(append([]byte(nil), whole[:i+20]...), otherCert...), whole[j:]...)
		}, true, false, "certificate key is RSA"},
		{"external reference", func(t *testing.T) []byte {
			return replaceOnce(t, whole, `URI=""`, `URI="http://127.0.0.1/x.xml"`)
		}, false, false, "only same-document"},
		{"XPath transform", func(t *testing.T) []byte {
			return replaceOnce(t, whole, `Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"`, `Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"`)
		}, false, false, "unsupported transform"},
		{"duplicate Id injected", func(t *testing.T) []byte {
			return replaceOnce(t, byID, `<party Id="p2"`, `<party Id="p1">evil</party><party Id="p2"`)
		}, false, true, "not unique"},
		{"wrapping: signed element moved into the signature, evil one in its place", func(t *testing.T) []byte {
			orig := `<party Id="p1" x:role="buyer">ТОО «Қолтаңба»</party>`
			doc := replaceOnce(t, byID, orig, `<party Id="p1" x:role="buyer">EVIL</party>`)
			return replaceOnce(t, doc, "</ds:KeyInfo>", "</ds:KeyInfo><ds:Object>"+strings.Replace(orig, "<party", `<party xmlns="urn:qoltanba:agreement" xmlns:x="urn:x"`, 1)+"</ds:Object>")
		}, false, true, "not unique"},
		{"unsigned signature wrapper", func(t *testing.T) []byte {
			i := sigStart(whole)
			return append(append(append([]byte(nil), whole[:i]...), []byte(`<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><x/></ds:Signature>`)...), whole[i:]...)
		}, false, true, "Signature must start"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := tc.doc(t)
			evs, err := Verify(doc)
			if err != nil {
				t.Fatal(err)
			}
			// The signature under test is the last one (the wrapper case
			// adds a malformed one before it and checks that one).
			ev := evs[len(evs)-1]
			if tc.name == "unsigned signature wrapper" {
				ev = evs[0]
				if !evs[1].DigestValid {
					// The real signature now sees a sibling it did not sign.
					t.Logf("real signature: %s", evs[1].CryptoError)
				}
			}
			if tc.name == "unsigned signature wrapper" {
				if ev.DigestValid || ev.SignatureValid || !strings.Contains(ev.CryptoError, tc.reason) {
					t.Fatalf("wrapper signature: %+v", ev)
				}
				return
			}
			if ev.DigestValid != tc.digest || ev.SignatureValid != tc.signature {
				t.Fatalf("digest %v signature %v, want %v %v: %s", ev.DigestValid, ev.SignatureValid, tc.digest, tc.signature, ev.CryptoError)
			}
			if !strings.Contains(ev.CryptoError, tc.reason) {
				t.Errorf("reason %q does not mention %q", ev.CryptoError, tc.reason)
			}
		})
	}
}

// TestWrappingReportsTrueNode: when the signed element is moved and an
// evil element with another Id takes its place, verification may pass, but
// the scope names the element actually signed, where it now is, and warns.
func TestWrappingReportsTrueNode(t *testing.T) {
	byID := signedFixture(t, SignOptions{ID: "p1"})
	orig := `<party Id="p1" x:role="buyer">ТОО «Қолтаңба»</party>`
	// Inclusive C14N renders the apex's in-scope namespaces, so the moved
	// element keeps its digest only where the namespace context is the same:
	// a ds:Object that declares dsig as the default namespace and gives the
	// element back its own.
	doc := replaceOnce(t, byID, orig, `<party Id="evil" x:role="buyer">EVIL</party>`)
	doc = replaceOnce(t, doc, "<ds:Signature", `<Object xmlns="http://www.w3.org/2000/09/xmldsig#">`+
		strings.Replace(orig, "<party", `<party xmlns="urn:qoltanba:agreement"`, 1)+"</Object><ds:Signature")
	evs, err := Verify(doc)
	if err != nil {
		t.Fatal(err)
	}
	ev := evs[0]
	if !ev.DigestValid || !ev.SignatureValid {
		t.Fatalf("%s", ev.CryptoError)
	}
	if want := `element Id="p1" at /agreement/Object/party`; ev.Scope != want {
		t.Errorf("scope %q, want %q", ev.Scope, want)
	}
	if len(ev.Warnings) == 0 || !strings.Contains(ev.Warnings[0], "inside a ds:Object") {
		t.Errorf("no wrapping warning: %q", ev.Warnings)
	}
}

// TestUnprocessable: documents Verify refuses as a whole.
func TestUnprocessable(t *testing.T) {
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
		`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>`
	for _, tc := range []struct {
		name string
		doc  string
		want error
	}{
		{"billion laughs", laughs, ErrDTD},
		{"external entity", `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>`, ErrDTD},
		{"doctype after a comment", `<!-- hi --><!DOCTYPE r><r/>`, ErrDTD},
		{"undeclared entity", `<r>&x;</r>`, ErrNotXML},
		{"not XML", `{"json": true}`, ErrNotXML},
		{"empty", ``, ErrNotXML},
		{"two roots", `<a/><b/>`, ErrNotXML},
		{"unbound prefix", `<p:a/>`, ErrNoSignature},
		{"too deep", strings.Repeat("<a>", 300) + strings.Repeat("</a>", 300), ErrTooLarge},
		{"UTF-16 declared", `<?xml version="1.0" encoding="UTF-16"?><r/>`, ErrEncoding},
		{"no signature", `<r><a/></r>`, ErrNoSignature},
		{"too many signatures", "<r>" + strings.Repeat(`<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>`, 65) + "</r>", ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			evs, err := Verify([]byte(tc.doc))
			if !errors.Is(err, tc.want) || evs != nil {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
}

// TestBase64Tolerance: &#13;, spaces and tabs inside base64 values are
// ignored, as Kalkan's own wrapping requires.
func TestBase64Tolerance(t *testing.T) {
	doc := signedFixture(t, SignOptions{Style: StyleCompact})
	i := bytes.Index(doc, []byte("<ds:X509Certificate>")) + 20
	messy := append(append(append([]byte(nil), doc[:i]...), []byte("\n  \t&#13;\n")...), doc[i:]...)
	evs, err := Verify(messy)
	if err != nil || !evs[0].SignatureValid || evs[0].Certificate == nil {
		t.Fatalf("err %v, %+v", err, evs)
	}
}
