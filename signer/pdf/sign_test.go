package pdf_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/internal/sharedtest"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/gost"
	"github.com/qoltanba/qoltanba/signer/gost/enginetest"
	"github.com/qoltanba/qoltanba/signer/pdf"
	"github.com/qoltanba/qoltanba/signer/pkcs12"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

var (
	pkiOnce sync.Once
	thePKI  *testpki.PKI
	pkiErr  error
	pkiDir  string // its key files (pdfsig's NSS database imports one)
)

func TestMain(m *testing.M) {
	code := m.Run()
	if pkiDir != "" {
		os.RemoveAll(pkiDir)
	}
	os.Exit(code)
}

// testPKI is the test PKI, its OCSP, CRL and TSA served on loopback (pdfsig
// asks the OCSP responder the certificates name).
func testPKI(t testing.TB) *testpki.PKI {
	t.Helper()
	pkiOnce.Do(func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			pkiErr = err
			return
		}
		if pkiDir, pkiErr = os.MkdirTemp("", "qoltanba-pdf-pki-"); pkiErr != nil {
			return
		}
		thePKI, pkiErr = testpki.Generate(testpki.Options{Dir: pkiDir, BaseURL: "http://" + ln.Addr().String()})
		if pkiErr == nil {
			go testpki.ServePKI(context.Background(), thePKI, ln)
		}
	})
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
	return thePKI
}

// signer is a CMSFunc with an entity's key: detached, with its chain.
func signer(t testing.TB, e *testpki.Entity) pdf.CMSFunc {
	return func(r io.Reader) ([]byte, error) {
		return cms.Sign(r, e.Key, e.Cert, e.Chain(), cms.SignOptions{Detached: true, IncludeChain: true})
	}
}

func copyFile(t testing.TB, src, dir string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, filepath.Base(src))
	if err := os.WriteFile(dst, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return dst
}

func open(t testing.TB, path string) *pdf.File {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fh.Close() })
	info, _ := fh.Stat()
	f, err := pdf.Open(fh, info.Size())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestSignCoSign: one, two and three signers on each cross-reference form;
// every signature verifies, the last covers the whole file and the others
// say later revisions add signatures only; qpdf and pdfsig agree.
func TestSignCoSign(t *testing.T) {
	p := testPKI(t)
	signers := []*testpki.Entity{p.Find("rsa/legal_head"), p.Find("rsa/individual"), p.Find("rsa/legal_signer")}
	for _, name := range []string{"table.pdf", "xrefstream.pdf"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := copyFile(t, filepath.Join("testdata", name), dir)
			for n, e := range signers {
				res, err := pdf.SignFile(path, path, pdf.Options{Name: e.Cert.Subject.CommonName, Reason: "Келісемін / Согласен",
					Time: time.Date(2026, 12, 6, 10, 0, 0, 0, time.FixedZone("Almaty", 5*3600))}, signer(t, e))
				if err != nil {
					t.Fatalf("signer %d: %v", n+1, err)
				}
				if res.Field != "Signature"+string(rune('1'+n)) {
					t.Errorf("field %q", res.Field)
				}
				qpdfCheck(t, path)
				f := open(t, path)
				if f.XRefStream != (name == "xrefstream.pdf") {
					t.Errorf("the update changed the cross-reference form (stream: %v)", f.XRefStream)
				}
				evs, vs, err := pdf.Verify(f)
				if err != nil || len(vs) != n+1 {
					t.Fatalf("verify after signer %d: %d signatures, %v", n+1, len(vs), err)
				}
				for i, v := range vs {
					if ev := evs[i]; !ev.DigestValid || !ev.SignatureValid || len(ev.Unverified) > 0 {
						t.Fatalf("signature %d: %+v", i+1, ev)
					}
					if !evs[i].Certificate.Equal(signers[i].Cert) {
						t.Errorf("signature %d is by %s", i+1, evs[i].Certificate.Subject)
					}
					last := i == n
					if v.WholeFile != last || (!last && v.After != pdf.LaterSignatures) {
						t.Errorf("signature %d of %d: whole %v, after %q", i+1, n+1, v.WholeFile, v.After)
					}
				}
				if vs[0].Reason != "Келісемін / Согласен" || vs[0].ClaimedTime.Unix() != time.Date(2026, 12, 6, 5, 0, 0, 0, time.UTC).Unix() {
					t.Errorf("reason %q, time %v", vs[0].Reason, vs[0].ClaimedTime)
				}
			}
			pdfsigCheck(t, path, 3)
		})
	}
}

// TestGOST: a GOST-512 signature verifies here, and OpenSSL's GOST engine
// hashes the signed byte ranges to the digest the CMS signs.
func TestGOST(t *testing.T) {
	p := testPKI(t)
	e := p.Find("gost/legal_head")
	path := copyFile(t, filepath.Join("testdata", "xrefstream.pdf"), t.TempDir())
	if _, err := pdf.SignFile(path, path, pdf.Options{}, signer(t, e)); err != nil {
		t.Fatal(err)
	}
	qpdfCheck(t, path)
	f := open(t, path)
	evs, vs, err := pdf.Verify(f)
	if err != nil || len(vs) != 1 || !evs[0].SignatureValid || !evs[0].DigestValid || evs[0].SignatureAlgorithm != "GOST34.10-2015-512" {
		t.Fatalf("verify: %+v %v", evs, err)
	}
	signed, _ := io.ReadAll(f.SignedBytes(vs[0]))
	if want := enginetest.Digest(t, "md_gost12_512", signed); !bytes.Equal(evs[0].ScopeDigest, want) {
		t.Errorf("the engine's Streebog of the byte ranges differs from the signed digest")
	}
}

// TestChangedAfterSigning: an unsigned update after the signature is
// reported as such; a byte changed inside the signed ranges breaks it.
func TestChangedAfterSigning(t *testing.T) {
	p := testPKI(t)
	dir := t.TempDir()
	path := copyFile(t, filepath.Join("testdata", "table.pdf"), dir)
	if _, err := pdf.SignFile(path, path, pdf.Options{}, signer(t, p.Find("rsa/individual"))); err != nil {
		t.Fatal(err)
	}
	signed, _ := os.ReadFile(path)

	appended := filepath.Join(dir, "appended.pdf")
	os.WriteFile(appended, append(bytes.Clone(signed), []byte("1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n%%EOF\n")...), 0o600)
	evs, vs, err := pdf.Verify(open(t, appended))
	if err != nil || len(vs) != 1 || vs[0].After != pdf.UnsignedChanges || vs[0].Updates != 1 || !evs[0].DigestValid ||
		!strings.Contains(evs[0].Scope, "CHANGED after signing") || len(evs[0].Unverified) != 1 {
		t.Fatalf("an unsigned update: %+v %+v %v", vs, evs, err)
	}

	changed := filepath.Join(dir, "changed.pdf")
	i := bytes.Index(signed, []byte("/MediaBox"))
	bad := bytes.Clone(signed)
	bad[i+1] = 'm'
	os.WriteFile(changed, bad, 0o600)
	evs, _, err = pdf.Verify(open(t, changed))
	if err != nil || len(evs) != 1 || evs[0].DigestValid {
		t.Fatalf("a changed byte: %+v %v", evs, err)
	}
}

// qpdfCheck runs qpdf --check (skipped without qpdf).
func qpdfCheck(t *testing.T, path string) {
	t.Helper()
	if _, err := exec.LookPath("qpdf"); err != nil {
		t.Log("qpdf absent: scripts/deps.sh test installs it")
		return
	}
	out, err := exec.Command("qpdf", "--check", path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "No syntax or stream encoding errors found") {
		t.Errorf("qpdf --check %s: %v\n%s", filepath.Base(path), err, out)
	}
}

// pdfsigCheck runs poppler's pdfsig with an NSS database that trusts the
// test root: every signature valid, the last one over the whole document.
func pdfsigCheck(t *testing.T, path string, want int) {
	t.Helper()
	if _, err := exec.LookPath("pdfsig"); err != nil {
		t.Log("pdfsig absent: scripts/deps.sh test installs poppler-utils")
		return
	}
	nss := nssDB(t)
	out, _ := exec.Command("pdfsig", "-nssdir", "sql:"+nss, path).CombinedOutput()
	text := string(out)
	if got := strings.Count(text, "Signature Validation: Signature is Valid."); got != want {
		t.Errorf("pdfsig: %d valid signatures, want %d:\n%s", got, want, text)
	}
	last := text[strings.LastIndex(text, "Signature #"):]
	if strings.Count(text, "Total document signed") != 1 || !strings.Contains(last, "Total document signed") {
		t.Errorf("pdfsig: the last signature, and only it, should cover the whole document:\n%s", text)
	}
	if got := strings.Count(text, "Certificate Validation: Certificate is Trusted."); got != want {
		t.Errorf("pdfsig trusts %d of %d certificates (OCSP on the test PKI's responder):\n%s", got, want, text)
	}
}

// nssDB is an NSS database for pdfsig that trusts the RSA test root.
func nssDB(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	root := filepath.Join(dir, "root.pem")
	os.WriteFile(root, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: testPKI(t).Root(testpki.FamilyRSA).Cert.Raw}), 0o600)
	for _, args := range [][]string{
		{"-N", "-d", "sql:" + dir, "--empty-password"},
		{"-A", "-d", "sql:" + dir, "-n", "qoltanba-test-root", "-t", "CT,C,C", "-i", root},
	} {
		if out, err := exec.Command("certutil", args...).CombinedOutput(); err != nil {
			t.Fatalf("certutil %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

// TestWeVerifyPdfsig: PDFs signed by poppler's pdfsig (RSA, independent)
// verify here, a second signer (ours) adds to them, and pdfsig accepts
// the result.
func TestWeVerifyPdfsig(t *testing.T) {
	if _, err := exec.LookPath("pdfsig"); err != nil {
		t.Skip("pdfsig absent: scripts/deps.sh test installs poppler-utils")
	}
	p := testPKI(t)
	e := p.Find("rsa/legal_head")
	nss := nssDB(t)
	if out, err := exec.Command("pk12util", "-i", e.P12Path, "-d", "sql:"+nss, "-W", testpki.DefaultPassword).CombinedOutput(); err != nil {
		t.Fatalf("pk12util: %v\n%s", err, out)
	}
	// pdfsig puts only the signer's certificate in its CMS: its issuer
	// goes in the database (ours carry the chain themselves).
	if out, err := exec.Command("certutil", "-A", "-d", "sql:"+nss, "-n", "qoltanba-test-ca", "-t", ",,", "-i", e.Issuer.CertPath).CombinedOutput(); err != nil {
		t.Fatalf("certutil: %v\n%s", err, out)
	}
	out, _ := exec.Command("pdfsig", "-nssdir", "sql:"+nss, "-list-nicks", filepath.Join("testdata", "table.pdf")).CombinedOutput()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	nick := strings.TrimSpace(lines[len(lines)-1])
	dir := t.TempDir()
	theirs := filepath.Join(dir, "pdfsig.pdf")
	if out, err := exec.Command("pdfsig", "-nssdir", "sql:"+nss, "-add-signature", "-nick", nick, "-reason", "independent",
		filepath.Join("testdata", "table.pdf"), theirs).CombinedOutput(); err != nil {
		t.Fatalf("pdfsig -add-signature: %v\n%s", err, out)
	}
	evs, vs, err := pdf.Verify(open(t, theirs))
	if err != nil || len(vs) != 1 || !vs[0].WholeFile || vs[0].SubFilter != "adbe.pkcs7.detached" ||
		!evs[0].SignatureValid || !evs[0].DigestValid || !evs[0].Certificate.Equal(e.Cert) {
		t.Fatalf("pdfsig's signature: %+v %+v %v", vs, evs, err)
	}
	if _, err := pdf.SignFile(theirs, theirs, pdf.Options{}, signer(t, p.Find("rsa/individual"))); err != nil {
		t.Fatal(err)
	}
	evs, vs, err = pdf.Verify(open(t, theirs))
	if err != nil || len(vs) != 2 || vs[0].After != pdf.LaterSignatures || !vs[1].WholeFile || !evs[0].SignatureValid || !evs[1].SignatureValid {
		t.Fatalf("after our co-signature: %+v %v", vs, err)
	}
	qpdfCheck(t, theirs)
	pdfsigCheck(t, theirs, 2)
}

// TestBadInput: what cannot be signed or trusted says so, and nothing is
// written.
func TestBadInput(t *testing.T) {
	p := testPKI(t)
	table, _ := os.ReadFile(filepath.Join("testdata", "table.pdf"))
	dir := t.TempDir()
	signedPath := copyFile(t, filepath.Join("testdata", "table.pdf"), dir)
	res, err := pdf.SignFile(signedPath, signedPath, pdf.Options{}, signer(t, p.Find("rsa/individual")))
	if err != nil {
		t.Fatal(err)
	}
	signed, _ := os.ReadFile(signedPath)
	br := res.ByteRange
	// The /ByteRange as written: the numbers, then spaces to its room.
	hole := []byte(fmt.Sprintf("[0 %d %d %d]", br[1], br[2], br[3]))
	at := bytes.Index(signed, hole)
	end := at + len(hole)
	for signed[end] == ' ' {
		end++
	}
	hole = signed[at:end]
	patched := func(from, to []byte) []byte {
		out := bytes.Replace(signed, from, append(to, bytes.Repeat([]byte{' '}, len(from)-len(to))...), 1)
		if bytes.Equal(out, signed) {
			t.Fatalf("%q not in the signed file", from)
		}
		return out
	}
	sign := []struct {
		name string
		data []byte
		want error
	}{
		{"not a PDF", []byte("Шарт № 17"), pdf.ErrNotPDF},
		{"cut short", table[:len(table)*2/3], pdf.ErrDamaged},
		{"encrypted", mustRead(t, "encrypted.pdf"), pdf.ErrEncrypted},
		{"a stream's length is itself", mustRead(t, "selfref.pdf"), pdf.ErrDamaged},
	}
	for _, tc := range sign {
		t.Run("sign/"+tc.name, func(t *testing.T) {
			in := filepath.Join(dir, "in.pdf")
			os.WriteFile(in, tc.data, 0o600)
			out := filepath.Join(dir, "out.pdf")
			called := false
			_, err := pdf.SignFile(in, out, pdf.Options{}, func(io.Reader) ([]byte, error) { called = true; return nil, nil })
			if !errors.Is(err, tc.want) || called {
				t.Errorf("got %v (signed: %v), want %v", err, called, tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("an output was written")
			}
			left, _ := filepath.Glob(filepath.Join(dir, ".out.pdf.*"))
			if len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
	verify := []struct {
		name, problem string
		data          []byte
	}{
		{"byte range past the end", "runs outside the file", patched(hole, []byte(fmt.Sprintf("[0 %d %d %d]", br[1], br[2], br[3]+1000)))},
		{"byte range leaves out more than /Contents", "not exactly its /Contents", patched(hole, []byte(fmt.Sprintf("[0 %d %d %d]", br[1]-10, br[2], br[3])))},
		{"byte range not from the start", "do not start at the beginning", patched(hole, []byte(fmt.Sprintf("[5 %d %d %d]", br[1], br[2], br[3])))},
		{"garbage in /Contents", "", bytes.Replace(signed, []byte("<3082"), []byte("<FFFF"), 1)},
	}
	for _, tc := range verify {
		t.Run("verify/"+tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "bad.pdf")
			os.WriteFile(path, tc.data, 0o600)
			evs, sigs, err := pdf.Verify(open(t, path))
			if err != nil || len(evs) != 1 {
				t.Fatalf("%v, %d evidences", err, len(evs))
			}
			if evs[0].DigestValid && evs[0].SignatureValid {
				t.Errorf("trusted: %+v", evs[0])
			}
			if !strings.Contains(sigs[0].Problem, tc.problem) {
				t.Errorf("problem %q, want %q", sigs[0].Problem, tc.problem)
			}
		})
	}
	if _, _, err := pdf.Verify(open(t, filepath.Join("testdata", "table.pdf"))); !errors.Is(err, pdf.ErrNoSignature) {
		t.Errorf("an unsigned PDF: %v", err)
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestVisibleStamp: a stamp in Kazakh on the second page, with PT Sans
// embedded as a subset; the file stays valid for qpdf and pdfsig and the
// stamp's font carries every Kazakh letter it shows.
func TestVisibleStamp(t *testing.T) {
	p := testPKI(t)
	e := p.Find("rsa/legal_head")
	dir := t.TempDir()
	path := copyFile(t, filepath.Join("testdata", "xrefstream.pdf"), dir)
	ap, err := pdf.Stamp("Электрондық цифрлық қолтаңбамен қол қойылды", []string{
		"БЕКОВА ДИНАРА ЕРЛАНҚЫЗЫ", "ЖСН 910202400024, БСН 260140000015", "АҚ «QOLTANBA TEST», басшы",
		"2026-12-06 15:04 (UTC+05:00)", "Сертификат 30a786a1bcaf6c17bf73 (ә ғ қ ң ө ұ ү һ і)"})
	if err != nil {
		t.Fatal(err)
	}
	x, y := 350.0, 60.0
	if _, err := pdf.SignFile(path, path, pdf.Options{Page: 2, Rect: [4]float64{x, y, x + pdf.StampSize[0], y + pdf.StampSize[1]}, Appearance: ap},
		signer(t, e)); err != nil {
		t.Fatal(err)
	}
	qpdfCheck(t, path)
	pdfsigCheck(t, path, 1)
	data, _ := os.ReadFile(path)
	if !bytes.Contains(data, []byte("/FontFile2")) || !bytes.Contains(data, []byte("/Subtype /Form")) {
		t.Error("no embedded font or form XObject in the update")
	}
	t.Logf("the update with the stamp: %d bytes", len(data)-len(mustRead(t, "xrefstream.pdf")))
	if len(data)-len(mustRead(t, "xrefstream.pdf")) > 120<<10 {
		t.Errorf("the update is %d KB: the font is not a subset", (len(data)-len(mustRead(t, "xrefstream.pdf")))>>10)
	}
	if bin, err := exec.LookPath("pdftoppm"); err == nil {
		png := filepath.Join(dir, "page")
		if out, err := exec.Command(bin, "-f", "2", "-l", "2", "-r", "60", "-png", path, png).CombinedOutput(); err != nil {
			t.Errorf("pdftoppm: %v %s", err, out)
		}
		if shots := os.Getenv("QOLTANBA_PDF_SHOTS"); shots != "" {
			exec.Command("cp", png+"-2.png", filepath.Join(shots, "stamp-kk.png")).Run()
		}
	}
}

// TestOtherKeys: an ECDSA P-256 key and a real NCA RK GOST-512 test key
// (from ../shared) sign PDFs that verify here; the NCA key's signature
// value verifies in OpenSSL's GOST engine over the CMS's signed attributes.
func TestOtherKeys(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "pdf test ECDSA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ec.PublicKey, ec)
	ecCert, _ := x509.ParseCertificate(der)
	type key struct {
		name  string
		key   crypto.Signer
		cert  *x509.Certificate
		chain []*x509.Certificate
	}
	keys := []key{{"ECDSA-P256", ec, ecCert, nil}}
	nca := filepath.Join(sharedtest.Dir(t, "testdata", "nca"), "gost2015", "legal", "valid", "head.p12")
	data, err := os.ReadFile(nca)
	if err != nil {
		t.Fatal(err)
	}
	p12, err := pkcs12.Decode(data, "Qwerty12")
	if err != nil {
		t.Fatal(err)
	}
	e := p12.Entries[0]
	keys = append(keys, key{"NCA GOST-512", e.PrivateKey, e.Certificate, e.Chain})
	for _, k := range keys {
		t.Run(k.name, func(t *testing.T) {
			path := copyFile(t, filepath.Join("testdata", "table.pdf"), t.TempDir())
			res, err := pdf.SignFile(path, path, pdf.Options{}, func(r io.Reader) ([]byte, error) {
				return cms.Sign(r, k.key, k.cert, k.chain, cms.SignOptions{Detached: true, IncludeChain: true})
			})
			if err != nil {
				t.Fatal(err)
			}
			qpdfCheck(t, path)
			evs, _, err := pdf.Verify(open(t, path))
			if err != nil || len(evs) != 1 || !evs[0].SignatureValid || !evs[0].DigestValid || !evs[0].Certificate.Equal(k.cert) {
				t.Fatalf("verify: %+v %v", evs, err)
			}
			if k.name == "NCA GOST-512" {
				attrs, sig := signedAttrs(t, res.CMS)
				pub, err := gost.PublicKeyFromCertificate(k.cert)
				if err != nil {
					t.Fatal(err)
				}
				enginetest.VerifyMessage(t, enginetest.Suite512, pub.Bytes(), attrs, sig)
			}
		})
	}
}

// signedAttrs digs the first SignerInfo's signed attributes (as the SET
// that is signed) and signature value out of a CMS.
func signedAttrs(t *testing.T, der []byte) ([]byte, []byte) {
	t.Helper()
	var ci struct {
		Type    asn1.ObjectIdentifier
		Content asn1.RawValue `asn1:"explicit,tag:0"`
	}
	if _, err := asn1.Unmarshal(der, &ci); err != nil {
		t.Fatal(err)
	}
	var sd struct {
		Version          int
		Digests          asn1.RawValue
		EncapContentInfo asn1.RawValue
		Certificates     asn1.RawValue `asn1:"optional,tag:0"`
		CRLs             asn1.RawValue `asn1:"optional,tag:1"`
		SignerInfos      asn1.RawValue
	}
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		t.Fatal(err)
	}
	var si struct {
		Version     int
		SID         asn1.RawValue
		Digest      asn1.RawValue
		SignedAttrs asn1.RawValue `asn1:"optional,tag:0"`
		SigAlg      asn1.RawValue
		Signature   []byte
	}
	if _, err := asn1.Unmarshal(sd.SignerInfos.Bytes, &si); err != nil {
		t.Fatal(err)
	}
	attrs := bytes.Clone(si.SignedAttrs.FullBytes)
	attrs[0] = 0x31 // [0] IMPLICIT is signed as a SET
	return attrs, si.Signature
}

// TestStampCorners: a stamp with no place given goes to the corner asked
// for, half an inch in from the edges, on the page asked for — the last
// one too, counted from the end; an unknown corner is refused.
func TestStampCorners(t *testing.T) {
	p := testPKI(t)
	e := p.Find("rsa/legal_head")
	ap, err := pdf.Stamp("Қол қойылды", []string{"БЕКОВА ДИНАРА"})
	if err != nil {
		t.Fatal(err)
	}
	w, h := pdf.StampSize[0], pdf.StampSize[1]
	for _, tc := range []struct {
		corner pdf.Corner
		x, y   func(media [4]float64) float64
	}{
		{"", func(m [4]float64) float64 { return m[2] - 36 - w }, func(m [4]float64) float64 { return m[1] + 36 }},
		{pdf.BottomLeft, func(m [4]float64) float64 { return m[0] + 36 }, func(m [4]float64) float64 { return m[1] + 36 }},
		{pdf.TopRight, func(m [4]float64) float64 { return m[2] - 36 - w }, func(m [4]float64) float64 { return m[3] - 36 - h }},
		{pdf.TopLeft, func(m [4]float64) float64 { return m[0] + 36 }, func(m [4]float64) float64 { return m[3] - 36 - h }},
	} {
		t.Run(string(tc.corner), func(t *testing.T) {
			path := copyFile(t, filepath.Join("testdata", "xrefstream.pdf"), t.TempDir())
			if _, err := pdf.SignFile(path, path, pdf.Options{Page: -1, Corner: tc.corner, Appearance: ap}, signer(t, e)); err != nil {
				t.Fatal(err)
			}
			f := open(t, path)
			n, _ := f.PageCount()
			last, _, err := f.Page(n)
			if err != nil {
				t.Fatal(err)
			}
			annots, err := f.Array(last["Annots"])
			if err != nil || len(annots) == 0 {
				t.Fatalf("the last page (%d) has no widget: %v", n, err)
			}
			widget, _ := f.Dict(annots[len(annots)-1])
			rect, _ := f.Array(widget["Rect"])
			mb, _ := f.Array(last["MediaBox"])
			if len(rect) != 4 || len(mb) != 4 {
				t.Fatalf("widget /Rect %v, page /MediaBox %v", rect, mb)
			}
			var media [4]float64
			for i := range mb {
				media[i] = number(mb[i])
			}
			if x, y := number(rect[0]), number(rect[1]); math.Abs(x-tc.x(media)) > 0.01 || math.Abs(y-tc.y(media)) > 0.01 {
				t.Errorf("stamp at %.1f,%.1f on a %v page, want %.1f,%.1f", x, y, media, tc.x(media), tc.y(media))
			}
			qpdfCheck(t, path)
		})
	}
	path := copyFile(t, filepath.Join("testdata", "xrefstream.pdf"), t.TempDir())
	if _, err := pdf.SignFile(path, path, pdf.Options{Corner: "middle", Appearance: ap}, signer(t, e)); err == nil {
		t.Error("an unknown corner was taken")
	}
	if _, err := pdf.SignFile(path, path, pdf.Options{Page: -99, Appearance: ap}, signer(t, e)); !errors.Is(err, pdf.ErrNoPage) {
		t.Errorf("page 99 from the end of a short file: %v", err)
	}
}

func number(o pdf.Object) float64 {
	switch v := o.(type) {
	case pdf.Int:
		return float64(v)
	case pdf.Real:
		return float64(v)
	}
	return math.NaN()
}
