package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/sync/store"
)

// rewriteZip copies a zip, passing each file's bytes through edit.
func rewriteZip(t *testing.T, in, out string, edit func(name string, data []byte) []byte) {
	t.Helper()
	zr, err := zip.OpenReader(in)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		w, _ := zw.Create(f.Name)
		w.Write(edit(f.Name, data))
	}
	zw.Close()
	if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestDocsExportVerifyDelete(t *testing.T) {
	p, _ := servedPKI(t)
	data := t.TempDir()
	t.Setenv(dataDirEnv, data)
	root := p.Root(testpki.FamilyGOST).CertPath
	id := addDoc(t, "act.txt", "Акт выполненных работ № 42\n")
	for _, key := range []string{"gost/legal_head", "gost/legal_signer"} {
		if code, _, stderr := runCLI(t, "Qwerty12\n", "docs", "sign", id, "--key", p.Find(key).P12Path, "--password-stdin", "--trust", root, "--detached"); code != 0 {
			t.Fatalf("sign: %s", stderr)
		}
	}
	zipPath := filepath.Join(t.TempDir(), "evidence.zip")
	code, stdout, stderr := runCLI(t, "", "docs", "export", id, "-o", zipPath, "--trust", root, "--json")
	if code != 0 {
		t.Fatalf("export: %d %s", code, stderr)
	}
	var res exportResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || len(res.Signatures) != 2 || res.Entry.Action != store.ActionExport {
		t.Fatalf("export result %v %s", err, stdout)
	}
	for _, s := range res.Signatures {
		if s.Indication != "TOTAL_PASSED" {
			t.Errorf("signature at export: %+v", s)
		}
	}

	// Another computer: an empty data folder, no network use.
	t.Setenv(dataDirEnv, t.TempDir())
	code, stdout, _ = runCLI(t, "", "docs", "verify-package", zipPath, "--trust", root)
	if code != 0 || !strings.Contains(stdout, "Package intact") || !strings.Contains(stdout, "TOTAL_PASSED") {
		t.Fatalf("verify-package: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = runCLI(t, "", "docs", "verify-package", zipPath, "--json")
	var r struct {
		Indication string
		Problems   []any
	}
	if json.Unmarshal([]byte(stdout), &r); code != 2 || r.Indication != "INDETERMINATE" || len(r.Problems) != 0 {
		t.Errorf("untrusted root: exit %d %+v", code, r)
	}
	tampered := filepath.Join(t.TempDir(), "tampered.zip")
	rewriteZip(t, zipPath, tampered, func(name string, b []byte) []byte {
		if strings.HasPrefix(name, "content/") {
			return bytes.Replace(b, []byte("42"), []byte("43"), 1)
		}
		return b
	})
	code, stdout, _ = runCLI(t, "", "docs", "verify-package", tampered, "--trust", root)
	if code != 1 || !strings.Contains(stdout, "[content] content/v1/act.txt") || !strings.Contains(stdout, "BROKEN") {
		t.Errorf("tampered content: exit %d\n%s", code, stdout)
	}
	code, _, stderr = runCLI(t, "", "docs", "verify-package", writeTemp(t, "x.zip", "not a zip"))
	if code != 1 || !strings.Contains(stderr, "not an evidence package") {
		t.Errorf("garbage: %d %s", code, stderr)
	}
	t.Setenv(dataDirEnv, data)

	// The export is journaled, with the package's digest.
	d := showDoc(t, id)
	last := d.Journal[len(d.Journal)-1]
	if last.Action != store.ActionExport || last.Digest != res.SHA256 {
		t.Errorf("last entry %+v", last)
	}

	// Retention.
	code, _, stderr = runCLI(t, "", "docs", "delete", id)
	if code != 1 || !strings.Contains(stderr, "must be kept until") || !strings.Contains(stderr, "--force-before-retention") {
		t.Errorf("delete signed: %d %s", code, stderr)
	}
	code, _, stderr = runCLI(t, "yes\n", "docs", "delete", id, "--force-before-retention")
	if code != 1 || !strings.Contains(stderr, "not a terminal") {
		t.Errorf("forced without terminal: %d %s", code, stderr)
	}
	code, _, stderr = runCLI(t, "", "docs", "delete", id, "--yes")
	if code != 1 || !strings.Contains(stderr, "--yes confirms") {
		t.Errorf("--yes alone: %d %s", code, stderr)
	}
	if showDoc(t, id).State != store.StateSigned {
		t.Fatal("a refused deletion changed the document")
	}
	code, stdout, stderr = runCLI(t, "", "docs", "delete", id, "--force-before-retention", "--yes", "--reason", "test")
	if code != 0 || !strings.Contains(stdout, "2 signature(s)") {
		t.Fatalf("forced delete: %d %s %s", code, stdout, stderr)
	}
	draft := addDoc(t, "draft.txt", "черновик")
	if code, _, stderr := runCLI(t, "", "docs", "delete", draft); code != 0 {
		t.Fatalf("draft delete: %s", stderr)
	}
	code, stdout, _ = runCLI(t, "", "journal", "verify")
	if code != 0 || !strings.Contains(stdout, "OK") {
		t.Errorf("journal verify after deletion: %d\n%s", code, stdout)
	}
	if code, _, _ := runCLI(t, "", "docs", "show", id); code != 1 {
		t.Error("deleted document still shown")
	}
	// The package made before the deletion still checks.
	if code, _, _ := runCLI(t, "", "docs", "verify-package", zipPath, "--trust", root); code != 0 {
		t.Errorf("package after deletion: exit %d", code)
	}
}

// TestDocsPaperCopy: a stored document signed twice printed as a paper
// copy in Russian: the mark, both signers and their IINs in the PDF's
// text; an existing file is not replaced; binary content is refused.
func TestDocsPaperCopy(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext absent: scripts/deps.sh test installs poppler-utils")
	}
	p, _ := servedPKI(t)
	data := t.TempDir()
	t.Setenv(dataDirEnv, data)
	root := p.Root(testpki.FamilyGOST).CertPath
	id := addDoc(t, "act.txt", "Акт выполненных работ № 42\nСумма: 1 250 000 тенге\n")
	for _, key := range []string{"gost/legal_head", "gost/legal_signer"} {
		if code, _, stderr := runCLI(t, "Qwerty12\n", "docs", "sign", id, "--key", p.Find(key).P12Path, "--password-stdin", "--trust", root); code != 0 {
			t.Fatalf("sign: %s", stderr)
		}
	}
	out := filepath.Join(t.TempDir(), "copy.pdf")
	code, stdout, stderr := runCLI(t, "", "docs", "paper-copy", id, "-o", out, "--lang", "ru", "--trust", root)
	if code != 0 || !strings.Contains(stdout, "2 signature(s)") {
		t.Fatalf("paper-copy: %d %s %s", code, stdout, stderr)
	}
	text, err := exec.Command("pdftotext", "-enc", "UTF-8", out, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Копия электронного документа", "Акт выполненных работ № 42", p.Find("gost/legal_head").IIN,
		p.Find("gost/legal_signer").IIN, "действительна (TOTAL_PASSED)"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the copy lacks %q:\n%s", want, text)
		}
	}
	if code, _, stderr := runCLI(t, "", "docs", "paper-copy", id, "-o", out); code != 1 || !strings.Contains(stderr, "already exists") {
		t.Errorf("over an existing file: %d %s", code, stderr)
	}
	// A CMS with its content attached, stored as it came: the content is
	// printed, and the CMS's signer is in the table.
	plain := filepath.Join(t.TempDir(), "letter.txt")
	os.WriteFile(plain, []byte("Хат № 7: төлем жасалды.\n"), 0o600)
	if code, _, stderr := runCLI(t, "Qwerty12\n", "sign", "--format", "cms", "--key", p.Find("gost/individual").P12Path, "--password-stdin", plain); code != 0 {
		t.Fatalf("sign: %s", stderr)
	}
	signedCMS, _ := os.ReadFile(plain + ".cms")
	cmsDoc := addDoc(t, "letter.txt.cms", string(signedCMS))
	cmsCopy := filepath.Join(t.TempDir(), "letter.pdf")
	if code, stdout, stderr := runCLI(t, "", "docs", "paper-copy", cmsDoc, "-o", cmsCopy, "--lang", "kk", "--trust", root); code != 0 || !strings.Contains(stdout, "1 signature(s)") {
		t.Fatalf("paper-copy of a CMS: %d %s %s", code, stdout, stderr)
	}
	text, _ = exec.Command("pdftotext", "-enc", "UTF-8", cmsCopy, "-").Output()
	for _, want := range []string{"Электрондық құжаттың көшірмесі", "Хат № 7: төлем жасалды.", p.Find("gost/individual").IIN} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the CMS's copy lacks %q:\n%s", want, text)
		}
	}
	bin := addDoc(t, "blob.bin", "\x00\x01\x02\xff\xfe")
	if code, _, stderr := runCLI(t, "", "docs", "paper-copy", bin, "-o", filepath.Join(t.TempDir(), "b.pdf")); code != 1 || !strings.Contains(stderr, "docs export") {
		t.Errorf("binary content: %d %s", code, stderr)
	}
}
