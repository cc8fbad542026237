package pdf_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/qoltanba/qoltanba/signer/pdf"
)

// FuzzSignatures: any bytes opened as a PDF, its first page found, its
// signatures found and checked: an error or a report, never a panic, and
// a byte range that claims to cover more than the file is never trusted.
//
//	go test -run '^$' -fuzz FuzzSignatures ./signer/pdf/
func FuzzSignatures(f *testing.F) {
	for _, name := range []string{"table.pdf", "xrefstream.pdf"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
		// Signed, and signed twice.
		dir := f.TempDir()
		path := filepath.Join(dir, name)
		os.WriteFile(path, data, 0o600)
		p := testPKI(f)
		for _, who := range []string{"rsa/individual", "rsa/legal_head"} {
			if _, err := pdf.SignFile(path, path, pdf.Options{Reserve: 6000}, signer(f, p.Find(who))); err != nil {
				f.Fatal(err)
			}
			signed, _ := os.ReadFile(path)
			f.Add(signed)
		}
		// With validation data after the signatures (PAdES-B-LT).
		if _, err := pdf.AddDSS(path, pdf.DSS{Certs: [][]byte{[]byte("a certificate")}, OCSPs: [][]byte{[]byte("a response")}}); err != nil {
			f.Fatal(err)
		}
		withDSS, _ := os.ReadFile(path)
		f.Add(withDSS)
	}
	f.Add([]byte("%PDF-1.4\n1 0 obj<</Length 1 0 R>>stream\nx\nendstream endobj\nxref\n0 2\n0000000000 65535 f\r\n0000000009 00000 n\r\ntrailer<</Root 1 0 R>>\nstartxref\n60\n%%EOF"))
	f.Add([]byte("%PDF-1.7\ntrailer<</Root 1 0 R/Size 2>>\nstartxref\n0\n%%EOF"))
	f.Add([]byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 1 0 R/AcroForm<</Fields[1 0 R]>>>>endobj\nxref\n0 2\n0000000000 65535 f\r\n0000000009 00000 n\r\ntrailer<</Root 1 0 R>>\nstartxref\n78\n%%EOF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := pdf.Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		file.Page(1)
		file.PageCount()
		file.Page(-1)
		if dss, err := pdf.ReadDSS(file); err == nil && dss.Len() > 1000 {
			t.Fatalf("ReadDSS took %d items", dss.Len())
		}
		evs, sigs, err := pdf.Verify(file)
		if err != nil {
			return
		}
		if len(evs) != len(sigs) {
			t.Fatalf("%d evidences for %d signatures", len(evs), len(sigs))
		}
		for i, s := range sigs {
			b := s.ByteRange
			if s.Problem == "" && (b[0] != 0 || b[2]+b[3] > int64(len(data)) || b[1] >= b[2]) {
				t.Fatalf("signature %d: byte range %v trusted in a %d-byte file", i, b, len(data))
			}
			if s.Problem != "" && evs[i].DigestValid {
				t.Fatalf("signature %d: %q, yet its digest is valid", i, s.Problem)
			}
		}
	})
}
