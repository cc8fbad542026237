package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/sync/store"
)

// TestSignPDF: a .pdf is signed inside by default (name.signed.pdf), a
// second signer adds to it with -o the signed file itself, an existing
// signed PDF is never overwritten, and verify reports each revision; a
// file that is not a PDF, or is damaged, is refused before the password.
func TestSignPDF(t *testing.T) {
	p, _ := servedPKI(t)
	root := p.Root(testpki.FamilyGOST).CertPath
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("..", "..", "signer", "pdf", "testdata", "xrefstream.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "contract.pdf")
	os.WriteFile(in, src, 0o600)
	out := filepath.Join(dir, "contract.signed.pdf")
	pw := testpki.DefaultPassword + "\n"
	code, _, stderr := runCLI(t, pw, "sign", "--key", p.Find("gost/legal_head").P12Path, "--password-stdin", in)
	if code != 0 || !strings.Contains(stderr, "contract.signed.pdf") || !strings.Contains(stderr, "signature inside the PDF (PAdES)") {
		t.Fatalf("sign: %d %s", code, stderr)
	}
	code, _, stderr = runCLI(t, pw, "sign", "--key", p.Find("gost/legal_signer").P12Path, "--password-stdin", in)
	if code != 1 || !strings.Contains(stderr, "-o "+out+" "+out) {
		t.Fatalf("signing over an existing signed PDF: %d %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, pw, "sign", "--key", p.Find("gost/legal_signer").P12Path, "--password-stdin", "--stamp", "2", "--stamp-lang", "ru",
		"--pdf-subfilter", "adbe.pkcs7.detached", "-o", out, out); code != 0 {
		t.Fatalf("the second signer, with a stamp: %d %s", code, stderr)
	}
	if data, _ := os.ReadFile(out); !strings.Contains(string(data), "/FontFile2") || !strings.Contains(string(data), "/adbe.pkcs7.detached") {
		t.Error("the second signature has no stamp or not the SubFilter asked")
	}
	for _, bad := range [][]string{{"--stamp", "0"}, {"--stamp", "1,2"}, {"--stamp", "1", "--stamp-lang", "de"}, {"--stamp-lang", "kk"},
		{"--pdf-subfilter", "x"}, {"--format", "cms", "--stamp", "1"}, {"--stamp", "first"}, {"--stamp", "1", "--stamp-corner", "middle"},
		{"--stamp", "1,10,10", "--stamp-corner", "top-left"}, {"--stamp-corner", "top-left"}} {
		if code, _, stderr := runCLI(t, pw, append([]string{"sign", "--key", p.Find("gost/legal_signer").P12Path, "--password-stdin", "-o", filepath.Join(dir, "x.pdf")}, append(bad, in)...)...); code != 1 || !strings.Contains(stderr, "--") {
			t.Errorf("sign %v: %d %s", bad, code, stderr)
		}
	}
	if code, _, stderr := runCLI(t, pw, "sign", "--key", p.Find("gost/legal_signer").P12Path, "--password-stdin", "--stamp", "3", "-o", filepath.Join(dir, "x.pdf"), in); code != 1 || !strings.Contains(stderr, "not 3") {
		t.Errorf("a stamp on a page the document lacks: %d %s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, "", "verify", out, "--trust", root)
	if code != 0 || strings.Count(stdout, "PDF revision") != 2 || !strings.Contains(stdout, "later revisions add signatures only") ||
		!strings.Contains(stdout, "the whole file") {
		t.Fatalf("verify: %d\n%s%s", code, stdout, stderr)
	}
	// Changed after signing: the report says so and is not valid.
	data, _ := os.ReadFile(out)
	changed := filepath.Join(dir, "changed.pdf")
	os.WriteFile(changed, append(data, []byte("\n% a later edit\n%%EOF\n")...), 0o600)
	code, stdout, _ = runCLI(t, "", "verify", changed, "--trust", root)
	if code == 0 || !strings.Contains(stdout, "CHANGED after signing") {
		t.Errorf("verify a changed PDF: %d\n%s", code, stdout)
	}
	// Not a PDF, and a damaged one: refused before the password is asked.
	fake := filepath.Join(dir, "fake.pdf")
	os.WriteFile(fake, []byte("Шарт № 17"), 0o600)
	cut := filepath.Join(dir, "cut.pdf")
	os.WriteFile(cut, src[:len(src)/2], 0o600)
	for _, bad := range []string{fake, cut} {
		code, _, stderr := runCLI(t, "", "sign", "--key", p.Find("gost/legal_head").P12Path, "--password-stdin", bad)
		if code != 1 || !strings.Contains(stderr, "--format cms") || strings.Contains(stderr, "Password") {
			t.Errorf("sign %s: %d %s", filepath.Base(bad), code, stderr)
		}
	}
}

// TestDocsSignPDF: a stored PDF is signed inside by default: the signed
// PDF is its second version, the signature's format pdf.
func TestDocsSignPDF(t *testing.T) {
	p, _ := servedPKI(t)
	data := t.TempDir()
	t.Setenv(dataDirEnv, data)
	src, err := os.ReadFile(filepath.Join("..", "..", "signer", "pdf", "testdata", "table.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	id := addDoc(t, "act.pdf", string(src))
	code, stdout, stderr := runCLI(t, "Qwerty12\n", "docs", "sign", id, "--key", p.Find("gost/legal_head").P12Path, "--password-stdin",
		"--trust", p.Root(testpki.FamilyGOST).CertPath, "--json")
	if code != 0 || !strings.Contains(stdout, `"format": "pdf"`) || !strings.Contains(stdout, `"version": 2`) {
		t.Fatalf("docs sign a PDF: %d %s %s", code, stdout, stderr)
	}
	// A second signer, visibly: on the last page's top left.
	code, stdout, stderr = runCLI(t, "Qwerty12\n", "docs", "sign", id, "--key", p.Find("gost/legal_signer").P12Path, "--password-stdin",
		"--trust", p.Root(testpki.FamilyGOST).CertPath, "--stamp", "last", "--stamp-corner", "top-left", "--stamp-lang", "kk", "--json")
	if code != 0 || !strings.Contains(stdout, `"version": 3`) {
		t.Fatalf("docs sign a PDF with a stamp: %d %s %s", code, stdout, stderr)
	}
	st, err := store.Open(data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	docID, _ := store.ParseID(id)
	third, err := st.Content(context.Background(), docID, 3)
	st.Close()
	if err != nil || !bytes.Contains(third, []byte("/FontFile2")) {
		t.Errorf("the third version has no stamp: %v", err)
	}
	// A stamp on a document that is not a PDF is refused before the password.
	txt := addDoc(t, "act.txt", "Акт")
	if code, _, stderr := runCLI(t, "Qwerty12\n", "docs", "sign", txt, "--key", p.Find("gost/legal_head").P12Path, "--password-stdin", "--stamp", "1"); code != 2 && code != 1 || !strings.Contains(stderr, "a visible stamp is for a PDF signed inside") {
		t.Errorf("a stamp on a text: %d %s", code, stderr)
	}
}
