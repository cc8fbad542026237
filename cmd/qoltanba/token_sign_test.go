package main

import (
	"crypto/x509"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/internal/softhsmtest"
	"github.com/qoltanba/qoltanba/internal/verifytest"
	"github.com/qoltanba/qoltanba/signer/pdf"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// TestSignWithSoftHSMToken is issue 4's end-to-end check on a real PKCS#11
// module: an RSA key and certificate from the test PKI are put on a fresh
// SoftHSM token, `qoltanba sign --key pkcs11:…` signs CMS and XML through the
// formats code, and openssl cms and xmlsec1 verify the results.
func TestSignWithSoftHSMToken(t *testing.T) {
	softhsmtest.Require(t, "pkcs11-tool", "openssl")
	dir := t.TempDir()
	// SoftHSM2_CONF is set for the whole binary by TestMain.
	run := func(name string, args ...string) {
		t.Helper()
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}
	softhsmtest.TestToken(t, "SIGN TOKEN")

	p, err := testpki.Generate(testpki.Options{Families: []testpki.Family{testpki.FamilyRSA}})
	if err != nil {
		t.Fatal(err)
	}
	head := p.Find("rsa/legal_head")
	keyDER, err := x509.MarshalPKCS8PrivateKey(head.Key)
	if err != nil {
		t.Fatal(err)
	}
	keyFile, certFile := filepath.Join(dir, "head.key.der"), filepath.Join(dir, "head.der")
	os.WriteFile(keyFile, keyDER, 0o600)
	os.WriteFile(certFile, head.Cert.Raw, 0o600)
	for _, obj := range [][2]string{{keyFile, "privkey"}, {certFile, "cert"}} {
		run("pkcs11-tool", "--module", softhsmModule, "--token-label", "SIGN TOKEN", "--login", "--pin", softhsmtest.UserPIN,
			"--write-object", obj[0], "--type", obj[1], "--id", "01", "--label", "head")
	}
	root, ca := verifytest.CAPEMs(t, p, testpki.FamilyRSA, dir)
	chain := filepath.Join(dir, "chain.pem") // openssl cms takes the intermediate with the root
	os.WriteFile(chain, append([]byte(mustRead(t, root)), mustRead(t, ca)...), 0o600)
	uri := "pkcs11:token=SIGN%20TOKEN;object=head"

	// The identity is read from the token without a PIN.
	code, stdout, stderr := runCLI(t, "", "keys", "info", uri, "--pkcs11", softhsmModule, "--json")
	if code != 0 {
		t.Fatalf("keys info: exit %d: %s", code, stderr)
	}
	var info map[string]any
	if err := json.Unmarshal([]byte(stdout), &info); err != nil || info["iin"] != head.IIN || info["algorithm"] != "RSA-2048" {
		t.Errorf("keys info %s: %v\n%s", uri, err, stdout)
	}

	doc := writeTemp(t, "contract.txt", "Шарт / Договор / Contract\n")
	sig := filepath.Join(dir, "contract.cms")
	code, _, stderr = runCLI(t, softhsmtest.UserPIN+"\n", "sign", "--key", uri, "--pkcs11", softhsmModule, "--pin-stdin", "--detached", doc, "-o", sig)
	if code != 0 {
		t.Fatalf("sign cms on the token: exit %d: %s", code, stderr)
	}
	if out, err := exec.Command("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", doc,
		"-CAfile", chain, "-purpose", "any", "-out", os.DevNull).CombinedOutput(); err != nil {
		t.Errorf("openssl cms -verify rejects the token's CMS: %v\n%s", err, out)
	}

	code, _, stderr = runCLI(t, "00000000\n", "sign", "--key", uri, "--pkcs11", softhsmModule, "--pin-stdin", doc, "-o", filepath.Join(dir, "x.cms"))
	if code != 1 || !strings.Contains(stderr, "qoltanba: error:") || !strings.Contains(stderr, "hint:") {
		t.Errorf("wrong PIN: exit %d, stderr:\n%s", code, stderr)
	}

	xmlDoc := writeTemp(t, "invoice.xml", `<invoice><number>42</number><sum currency="KZT">1000</sum></invoice>`)
	signedXML := filepath.Join(dir, "invoice.signed.xml")
	code, _, stderr = runCLI(t, softhsmtest.UserPIN+"\n", "sign", "--key", uri, "--pkcs11", softhsmModule, "--pin-stdin", xmlDoc, "-o", signedXML)
	if code != 0 {
		t.Fatalf("sign xml on the token: exit %d: %s", code, stderr)
	}
	verifytest.XMLSec(t, p, "the token's XML signature", []byte(mustRead(t, signedXML)))

	// A PDF signed inside on the token, timestamped (PAdES-B-T).
	tsa := p.TSA(testpki.FamilyRSA)
	tsaSrv := httptest.NewServer(testpki.NewTSA(tsa.Key, tsa.Cert, tsa.Chain(), testpki.TSAPolicyRSA))
	defer tsaSrv.Close()
	src, err := os.ReadFile(filepath.Join("..", "..", "signer", "pdf", "testdata", "table.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	pdfIn := filepath.Join(dir, "act.pdf")
	os.WriteFile(pdfIn, src, 0o600)
	code, _, stderr = runCLI(t, softhsmtest.UserPIN+"\n", "sign", "--key", uri, "--pkcs11", softhsmModule, "--pin-stdin",
		"--tsa", tsaSrv.URL, "--require-timestamp", "--stamp", "1", pdfIn)
	if code != 0 {
		t.Fatalf("sign a PDF on the token: exit %d: %s", code, stderr)
	}
	fh, err := os.Open(filepath.Join(dir, "act.signed.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	st, _ := fh.Stat()
	pf, err := pdf.Open(fh, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	evs, _, err := pdf.Verify(pf)
	if err != nil || len(evs) != 1 || !evs[0].SignatureValid || !evs[0].DigestValid || len(evs[0].Timestamps) != 1 || !evs[0].Timestamps[0].Valid ||
		!evs[0].Certificate.Equal(head.Cert) {
		t.Fatalf("the token's PDF signature: %+v %v", evs, err)
	}
}
