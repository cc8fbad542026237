package papercopy_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pdf"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/sync/papercopy"
)

var signatures = []papercopy.Signature{
	{Signer: "БЕКОВА ДИНАРА ЕРЛАНҚЫЗЫ", IIN: "910202400024", BIN: "260140000015", Organization: "АҚ «QOLTANBA TEST»", Role: "басшы",
		Serial: "30a786a1bcaf6c17bf731458d9951fbdca54dd68", Issuer: "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST",
		SigningTime: time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC), Timestamp: time.Date(2026, 12, 6, 10, 0, 1, 0, time.UTC), Result: "TOTAL_PASSED"},
	{Signer: "АБАЕВ АЙДОС САҒАТҰЛЫ", IIN: "900101300017", Serial: "1f2e", Issuer: "NCA TEST",
		SigningTime: time.Date(2026, 12, 6, 11, 0, 0, 0, time.UTC), Result: "INDETERMINATE"},
}

// TestPaperCopy: text (Kazakh), XML (Russian) and an image (English): the
// mark on every page, the signers and their IINs on the last, the QR code
// decodes to the digest (and the portal's address), qpdf finds no error.
func TestPaperCopy(t *testing.T) {
	for _, tool := range []string{"pdftotext", "pdfinfo", "pdftoppm", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s absent: scripts/deps.sh test installs poppler-utils and zbar-tools", tool)
		}
	}
	long := strings.Repeat("Тараптар электрондық құжаттармен алмасады; әрбір құжат ЭЦҚ-мен қол қойылады.\n", 150)
	var pic bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 300, 200))
	for x := 0; x < 300; x++ {
		img.Set(x, x%200, color.RGBA{29, 78, 137, 255})
	}
	png.Encode(&pic, img)
	tests := []struct {
		name, lang, mediaType, checkURL string
		content                         []byte
		minPages                        int
	}{
		{"text-kk", "kk", "text/plain; charset=utf-8", "https://portal.example/documents/01ABC", []byte(long), 3},
		{"xml-ru", "ru", "application/xml", "", []byte(`<?xml version="1.0" encoding="UTF-8"?><invoice number="118"><seller>ТОО «Альфа»</seller><total currency="KZT">1250000</total></invoice>`), 2},
		{"image-en", "en", "image/png", "", pic.Bytes(), 2},
		{"pdf-ru", "ru", "application/pdf", "", mustRead(t, filepath.Join("..", "..", "signer", "pdf", "testdata", "xrefstream.pdf")), 3},
		{"signed-pdf-kk", "kk", "application/pdf", "", signedPDF(t), 3},
	}
	dir := t.TempDir()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".pdf")
			fh, _ := os.Create(path)
			err := papercopy.Write(fh, papercopy.Document{ID: "01ABC", Title: "Шарт № 17", FileName: "contract.txt", MediaType: tc.mediaType,
				Content: tc.content, Language: tc.lang, Signatures: signatures, CheckURL: tc.checkURL, Printed: time.Now(), Loc: time.UTC})
			fh.Close()
			if err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command("qpdf", "--check", path).CombinedOutput(); err != nil {
				t.Errorf("qpdf --check: %v\n%s", err, out)
			}
			pages := pageCount(t, path)
			if pages < tc.minPages {
				t.Errorf("%d pages, want at least %d", pages, tc.minPages)
			}
			mark := papercopy.Mark(tc.lang)
			for p := 1; p <= pages; p++ {
				if txt := pageText(t, path, p); !strings.Contains(txt, mark) {
					t.Errorf("page %d lacks the mark %q:\n%s", p, mark, txt)
				}
			}
			last := pageText(t, path, pages)
			for _, want := range []string{"БЕКОВА ДИНАРА ЕРЛАНҚЫЗЫ", "910202400024", "АБАЕВ АЙДОС САҒАТҰЛЫ", "900101300017", "TOTAL_PASSED"} {
				if !strings.Contains(last, want) {
					t.Errorf("the last page lacks %q:\n%s", want, last)
				}
			}
			sum := sha256.Sum256(tc.content)
			qr := decodeQR(t, path, pages)
			if !strings.Contains(qr, hex.EncodeToString(sum[:])) || (tc.checkURL != "" && !strings.HasPrefix(qr, tc.checkURL)) {
				t.Errorf("the QR code says %q", qr)
			}
			if os.Getenv("QOLTANBA_PAPER_SHOTS") != "" {
				exec.Command("cp", path, filepath.Join(os.Getenv("QOLTANBA_PAPER_SHOTS"), tc.name+".pdf")).Run()
			}
		})
	}
	// Content that is not text, XML or an image is refused.
	err := papercopy.Write(&bytes.Buffer{}, papercopy.Document{MediaType: "application/octet-stream", Content: []byte{0xff, 0xfe, 0x00, 0x81}})
	if !errors.Is(err, papercopy.ErrContent) {
		t.Errorf("binary content: %v", err)
	}
}

func pageCount(t *testing.T, path string) int {
	out, err := exec.Command("pdfinfo", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "Pages:") {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(l, "Pages:")))
			return n
		}
	}
	t.Fatal("pdfinfo: no page count")
	return 0
}

func pageText(t *testing.T, path string, page int) string {
	out, err := exec.Command("pdftotext", "-f", strconv.Itoa(page), "-l", strconv.Itoa(page), "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func decodeQR(t *testing.T, path string, page int) string {
	png := filepath.Join(t.TempDir(), "page")
	if out, err := exec.Command("pdftoppm", "-f", strconv.Itoa(page), "-l", strconv.Itoa(page), "-r", "150", "-png", "-singlefile", path, png).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	out, err := exec.Command("zbarimg", "--raw", "-q", png+".png").Output()
	if err != nil {
		t.Fatalf("zbarimg found no QR code: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func mustRead(t *testing.T, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// signedPDF is the test PDF with a signature and its stamp: the copy keeps
// the page's content and leaves the widget out.
func signedPDF(t *testing.T) []byte {
	p, err := testpki.Generate(testpki.Options{Families: []testpki.Family{testpki.FamilyRSA}})
	if err != nil {
		t.Fatal(err)
	}
	e := p.Find("rsa/individual")
	path := filepath.Join(t.TempDir(), "signed.pdf")
	os.WriteFile(path, mustRead(t, filepath.Join("..", "..", "signer", "pdf", "testdata", "table.pdf")), 0o600)
	ap, err := pdf.StampFor(pki.IdentityOf(e.Cert, time.Now()), time.Now(), "kk")
	if err != nil {
		t.Fatal(err)
	}
	_, err = pdf.SignFile(path, path, pdf.Options{Appearance: ap}, func(r io.Reader) ([]byte, error) {
		return cms.Sign(r, e.Key, e.Cert, e.Chain(), cms.SignOptions{Detached: true, IncludeChain: true})
	})
	if err != nil {
		t.Fatal(err)
	}
	return mustRead(t, path)
}
