package pdf_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/internal/heaptest"
	"github.com/qoltanba/qoltanba/signer/pdf"
)

// writePDF writes a valid PDF of pages pages (a line of text each) and,
// when blob > 0, an image-like stream of blob bytes on the first page.
func writePDF(t testing.TB, path string, pages int, blob int64) {
	t.Helper()
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	w := bufio.NewWriterSize(fh, 1<<20)
	var off int64
	var offsets []int64
	put := func(s string) { n, _ := w.WriteString(s); off += int64(n) }
	obj := func(body string) {
		offsets = append(offsets, off)
		put(fmt.Sprintf("%d 0 obj\n%s\nendobj\n", len(offsets), body))
	}
	put("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	kids := new(bytes.Buffer)
	for i := 0; i < pages; i++ {
		fmt.Fprintf(kids, "%d 0 R ", 5+2*i)
	}
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, pages))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	// 4: the blob (a stream no page draws: bytes to hash).
	offsets = append(offsets, off)
	put(fmt.Sprintf("4 0 obj\n<< /Length %d >>\nstream\n", blob))
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	for left := blob; left > 0; {
		n := min(left, int64(len(chunk)))
		w.Write(chunk[:n])
		off += n
		left -= n
	}
	put("\nendstream\nendobj\n")
	for i := 0; i < pages; i++ {
		content := fmt.Sprintf("BT /F1 12 Tf 72 760 Td (Page %d) Tj ET", i+1)
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R /Resources << /Font << /F1 3 0 R >> >> >>", 6+2*i))
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	}
	xref := off
	put(fmt.Sprintf("xref\n0 %d\n0000000000 65535 f\r\n", len(offsets)+1))
	for _, o := range offsets {
		put(fmt.Sprintf("%010d 00000 n\r\n", o))
	}
	put(fmt.Sprintf("trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref))
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
}

// TestLarge: a 100 MB PDF is signed with its bytes streamed (the heap
// stays far below the file's size) and verified; a 10,000-page PDF is
// signed on its last page and read back. Times are logged, not judged.
func TestLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no 100 MB file")
	}
	p := testPKI(t)
	dir := t.TempDir()
	big := filepath.Join(dir, "big.pdf")
	writePDF(t, big, 1, 100<<20)
	out := filepath.Join(dir, "big.signed.pdf")
	var err error
	start := time.Now()
	peak := heaptest.Peak(func() {
		_, err = pdf.SignFile(big, out, pdf.Options{}, signer(t, p.Find("rsa/individual")))
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("100 MB PDF signed (RSA) in %v, heap peak %.1f MB above the start", time.Since(start), float64(peak)/(1<<20))
	if peak > 64<<20 {
		t.Errorf("signing a 100 MB PDF took %d MB of heap: it must stream", peak>>20)
	}
	start = time.Now()
	peak = heaptest.Peak(func() {
		fh, _ := os.Open(out)
		defer fh.Close()
		info, _ := fh.Stat()
		f, ferr := pdf.Open(fh, info.Size())
		if ferr != nil {
			err = ferr
			return
		}
		e, _, verr := pdf.Verify(f)
		err = verr
		if verr == nil && (!e[0].DigestValid || !e[0].SignatureValid) {
			err = fmt.Errorf("not valid: %+v", e[0])
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("100 MB PDF verified in %v, heap peak %.1f MB", time.Since(start), float64(peak)/(1<<20))
	if peak > 64<<20 {
		t.Errorf("verifying a 100 MB PDF took %d MB of heap", peak>>20)
	}

	many := filepath.Join(dir, "many.pdf")
	writePDF(t, many, 10000, 0)
	start = time.Now()
	if _, err := pdf.SignFile(many, many, pdf.Options{Page: 10000}, signer(t, p.Find("rsa/individual"))); err != nil {
		t.Fatal(err)
	}
	f := open(t, many)
	n, err := f.PageCount()
	evs, _, verr := pdf.Verify(f)
	if err != nil || n != 10000 || verr != nil || !evs[0].SignatureValid {
		t.Fatalf("10,000 pages: %d pages %v, verify %v", n, err, verr)
	}
	t.Logf("10,000-page PDF signed on its last page and verified in %v", time.Since(start))
	qpdfCheck(t, many)
	if _, _, err := f.Page(10001); err == nil {
		t.Error("page 10,001 of 10,000 was found")
	}
}
