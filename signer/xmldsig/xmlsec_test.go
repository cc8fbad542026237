package xmldsig

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// xmlsec1 is libxmlsec's command-line tool: an independent XMLDSig
// implementation (libxml2 canonicalization, OpenSSL crypto).
func xmlsec1(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("xmlsec1")
	if err != nil {
		t.Skip("xmlsec1 missing (install the xmlsec1 package: scripts/deps.sh test)")
	}
	return path
}

func writePEM(t *testing.T, path string, certs ...*x509.Certificate) {
	t.Helper()
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// xmlsecVerify runs xmlsec1 --verify on doc; nodeXPath picks the signature
// (xmlsec1 takes the first one otherwise).
func xmlsecVerify(t *testing.T, f signerFixture, doc []byte, nodeXPath string) (ok bool, out string) {
	t.Helper()
	bin := xmlsec1(t)
	dir := t.TempDir()
	writePEM(t, filepath.Join(dir, "roots.pem"), f.roots...)
	file := filepath.Join(dir, "doc.xml")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--verify", "--trusted-pem", filepath.Join(dir, "roots.pem"),
		"--id-attr:Id", "party", "--id-attr:Id", "urn:qoltanba:agreement:party", "--enabled-reference-uris", "empty,same-doc"}
	if len(f.interm) > 0 {
		writePEM(t, filepath.Join(dir, "interm.pem"), f.interm...)
		args = append(args, "--untrusted-pem", filepath.Join(dir, "interm.pem"))
	}
	if nodeXPath != "" {
		args = append(args, "--node-xpath", nodeXPath)
	}
	args = append(args, file)
	b, err := exec.Command(bin, args...).CombinedOutput()
	return err == nil && strings.Contains(string(b), "OK"), string(b)
}

// TestXMLSecAcceptsOurSignatures: xmlsec1 verifies what Sign writes, in both
// styles, whole document and by Id, and both signatures of a document
// co-signed by Id; of a document co-signed whole, the last signature.
func TestXMLSecAcceptsOurSignatures(t *testing.T) {
	xmlsec1(t)
	for _, f := range testSigners(t) {
		if !f.xmlsec {
			continue
		}
		for _, style := range []Style{StyleNCALayer, StyleCompact} {
			for _, id := range []string{"", "p1"} {
				name := f.name + "/" + style.String() + "/whole"
				if id != "" {
					name = f.name + "/" + style.String() + "/id"
				}
				t.Run(name, func(t *testing.T) {
					opts := SignOptions{Style: style, ID: id}
					signed, err := Sign([]byte(agreementXML), f.key, f.cert, opts)
					if err != nil {
						t.Fatal(err)
					}
					if ok, out := xmlsecVerify(t, f, signed, ""); !ok {
						t.Fatalf("xmlsec1 rejects our signature:\n%s\n%s", out, signed)
					}
					// Co-signed by another key of the same kind.
					twice, err := Sign(signed, f.key, f.cert, opts)
					if err != nil {
						t.Fatal(err)
					}
					last := "(//*[local-name()='Signature'])[2]"
					if ok, out := xmlsecVerify(t, f, twice, last); !ok {
						t.Fatalf("xmlsec1 rejects the co-signature:\n%s\n%s", out, twice)
					}
					ok, out := xmlsecVerify(t, f, twice, "(//*[local-name()='Signature'])[1]")
					if id != "" && !ok {
						t.Fatalf("xmlsec1 rejects the first signature after co-signing by Id:\n%s", out)
					}
					if id == "" {
						// Standard XMLDSig: the first signature's enveloped
						// transform removes only itself, so it sees the
						// second one. Verify's co-signing rule covers this.
						t.Logf("xmlsec1 on the first whole-document signature after co-signing: ok=%v", ok)
					}
				})
			}
		}
	}
}

// TestXMLSecSignedWeVerify: documents xmlsec1 --sign made from templates
// verify here, RSA and ECDSA, whole document and by Id.
func TestXMLSecSignedWeVerify(t *testing.T) {
	bin := xmlsec1(t)
	const whole = `<?xml version="1.0"?>
<doc><!-- c --><a Id="t1">text &amp; more</a>
<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">
<SignedInfo>
<CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>
<SignatureMethod Algorithm="SIGALG"/>
<Reference URI="">
<Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></Transforms>
<DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
<DigestValue/>
</Reference>
</SignedInfo>
<SignatureValue/>
<KeyInfo><X509Data/></KeyInfo>
</Signature>
</doc>`
	const byID = `<doc xmlns:p="urn:p"><p:a Id="t1" p:x="1">text<!-- c --></p:a>
<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
<ds:SignedInfo>
<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
<ds:SignatureMethod Algorithm="SIGALG"/>
<ds:Reference URI="#t1">
<ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>
<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#sha384"/>
<ds:DigestValue/>
</ds:Reference>
</ds:SignedInfo>
<ds:SignatureValue/>
<ds:KeyInfo><ds:X509Data/></ds:KeyInfo>
</ds:Signature>
</doc>`
	for _, f := range testSigners(t) {
		if !f.xmlsec {
			continue
		}
		alg := AlgRSASHA256
		if f.name == "ECDSA-P256" {
			alg = AlgECDSASHA256
		}
		for _, tc := range []struct{ name, tmpl, scope, digest string }{
			{"whole", whole, "whole document", "SHA-256"},
			{"id", byID, `element Id="t1" at /doc/p:a`, "SHA-384"},
		} {
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				dir := t.TempDir()
				der, err := x509.MarshalPKCS8PrivateKey(f.key)
				if err != nil {
					t.Fatal(err)
				}
				keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
				clear(der)
				keyFile := filepath.Join(dir, "key.pem")
				if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
					t.Fatal(err)
				}
				clear(keyPEM)
				writePEM(t, filepath.Join(dir, "cert.pem"), f.cert)
				tmpl := filepath.Join(dir, "tmpl.xml")
				if err := os.WriteFile(tmpl, []byte(strings.Replace(tc.tmpl, "SIGALG", alg, 1)), 0o600); err != nil {
					t.Fatal(err)
				}
				out := filepath.Join(dir, "signed.xml")
				cmd := exec.Command(bin, "--sign", "--privkey-pem", keyFile+","+filepath.Join(dir, "cert.pem"),
					"--id-attr:Id", "urn:p:a", "--output", out, tmpl)
				if b, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("xmlsec1 --sign: %v\n%s", err, b)
				}
				signed := readFile(t, out)
				evs, err := Verify(signed)
				if err != nil {
					t.Fatal(err)
				}
				ev := evs[0]
				if !ev.DigestValid || !ev.SignatureValid || ev.Scope != tc.scope || ev.DigestAlgorithm != tc.digest || !ev.Certificate.Equal(f.cert) {
					t.Fatalf("evidence %+v\n%s", ev, signed)
				}
			})
		}
	}
}
