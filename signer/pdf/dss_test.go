package pdf_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/signer/pdf"
)

// TestDSS: validation data added after signing (PAdES-B-LT's document
// security store) keeps every signature valid — here, in pdfsig and in qpdf
// — and Verify reads the update as validation data, not a change; the data
// read back is what was added, once; a second signer and more data after
// it are read the same way.
func TestDSS(t *testing.T) {
	p := testPKI(t)
	for _, name := range []string{"table.pdf", "xrefstream.pdf"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := copyFile(t, filepath.Join("testdata", name), dir)
			e := p.Find("rsa/legal_head")
			if _, err := pdf.SignFile(path, path, pdf.Options{}, signer(t, e)); err != nil {
				t.Fatal(err)
			}
			// The signer's certificate and its chain (which repeats it:
			// stored once).
			certs := [][]byte{e.Cert.Raw}
			for _, c := range e.Chain() {
				if !bytes.Equal(c.Raw, e.Cert.Raw) {
					certs = append(certs, c.Raw)
				}
			}
			add := pdf.DSS{Certs: append(certs, e.Cert.Raw), OCSPs: [][]byte{[]byte("an OCSP response")}, CRLs: [][]byte{[]byte("a CRL")}}
			n, err := pdf.AddDSS(path, add)
			if err != nil || n != add.Len()-1 {
				t.Fatalf("AddDSS: %d added of %d (one repeated), %v", n, add.Len(), err)
			}
			qpdfCheck(t, path)
			if _, err := exec.LookPath("pdfsig"); err == nil {
				out, _ := exec.Command("pdfsig", "-nssdir", "sql:"+nssDB(t), path).CombinedOutput()
				if !strings.Contains(string(out), "Signature Validation: Signature is Valid.") {
					t.Errorf("pdfsig after the DSS:\n%s", out)
				}
			}
			f := open(t, path)
			got, err := pdf.ReadDSS(f)
			if err != nil || got.Len() != add.Len()-1 || !bytes.Equal(got.CRLs[0], add.CRLs[0]) || !bytes.Equal(got.Certs[0], e.Cert.Raw) {
				t.Errorf("ReadDSS: %d items, %v", got.Len(), err)
			}
			evs, sigs, err := pdf.Verify(f)
			if err != nil || sigs[0].After != pdf.ValidationData || len(evs[0].Unverified) != 0 || !evs[0].DigestValid ||
				!strings.HasSuffix(evs[0].Scope, "; later revisions add validation data only") {
				t.Fatalf("verify after the DSS: %+v %q %v", sigs[0].After, evs[0].Scope, err)
			}
			if parts, ok := pdf.ParseScope(evs[0].Scope); !ok || parts.After != pdf.ValidationData {
				t.Errorf("ParseScope(%q): %+v %v", evs[0].Scope, parts, ok)
			}
			// The same data again: nothing written.
			before, _ := os.Stat(path)
			if n, err := pdf.AddDSS(path, add); err != nil || n != 0 {
				t.Errorf("the same data again: %d added, %v", n, err)
			}
			if after, _ := os.Stat(path); after.Size() != before.Size() {
				t.Error("the file grew with nothing new")
			}
			// A second signer, then more data.
			if _, err := pdf.SignFile(path, path, pdf.Options{}, signer(t, p.Find("rsa/legal_signer"))); err != nil {
				t.Fatal(err)
			}
			if n, err := pdf.AddDSS(path, pdf.DSS{OCSPs: [][]byte{[]byte("a second OCSP response")}}); err != nil || n != 1 {
				t.Fatalf("more data: %d, %v", n, err)
			}
			f = open(t, path)
			_, sigs, err = pdf.Verify(f)
			if err != nil || len(sigs) != 2 || sigs[0].After != pdf.ValidationData || sigs[1].After != pdf.ValidationData {
				t.Fatalf("two signers and data: %v", err)
			}
			if got, _ := pdf.ReadDSS(f); got.Len() != add.Len() {
				t.Errorf("the store holds %d items, want %d", got.Len(), add.Len())
			}
			qpdfCheck(t, path)
		})
	}
}
