// Package papercopy makes the paper copy of an electronic document (EDM
// agreement 5.2.9–5.2.11): a PDF that reproduces the content — text and
// XML laid out, images placed — with the mark «Копия электронного
// документа» on every page in the document's language, and a closing
// page with the table of signatures as verified at printing, a QR code
// with the document's digest and where to check it, and a line for the
// authorised person's handwritten signature.
package papercopy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image/png"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
	"github.com/beevik/etree"
	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"

	"github.com/qoltanba/qoltanba/assets/fonts"
	"github.com/qoltanba/qoltanba/assets/translations"
	"github.com/qoltanba/qoltanba/signer/pdf"
	"github.com/qoltanba/qoltanba/sync/docsign"
)

// Signature is one row of the closing table.
type Signature struct {
	Signer, IIN, BIN, Organization, Role string
	Serial, Issuer                       string
	SigningTime                          time.Time
	Timestamp                            time.Time // zero: none
	// Result is the verification's outcome at printing, in words.
	Result string
}

// Document is what a paper copy is made of.
type Document struct {
	ID, Title, FileName, MediaType string
	Content                        []byte
	// Language of the marks and labels: kk, ru or en.
	Language   string
	Signatures []Signature
	// CheckURL is where the copy can be checked (a portal's document
	// page); empty: the QR code carries the digest alone.
	CheckURL string
	Printed  time.Time
	Loc      *time.Location
}

// ErrContent: the content cannot be reproduced on paper.
var ErrContent = errors.New("papercopy: this content cannot be laid out on paper")

// Limits: what a copy lays out at most.
const (
	maxTextBytes = 4 << 20
	maxLines     = 100000
	maxPages     = 10000
)

// Result says an indication (TOTAL_PASSED, INDETERMINATE, TOTAL_FAILED) in
// a language, with the indication itself.
func Result(lang, indication string) string {
	if w := translations.Text(lang, "papercopy.result."+indication); w != "papercopy.result."+indication {
		return w + " (" + indication + ")"
	}
	return indication
}

// Mark is the copy mark in a language.
func Mark(lang string) string { return translations.Text(lang, "papercopy.mark") }

// wordsFor is the copy's words in a language (the translations'
// papercopy.* keys), by their short names.
func wordsFor(lang string) map[string]string {
	w := map[string]string{}
	for _, k := range []string{"mark", "page", "sigs", "signer", "ids", "org", "cert", "time", "ts", "result", "none",
		"digest", "check", "printed", "doc", "hand", "unsigned"} {
		w[k] = translations.Text(lang, "papercopy."+k)
	}
	return w
}

// Write lays the copy out and writes it as PDF.
func Write(w io.Writer, d Document) error {
	if d.Loc == nil {
		d.Loc = time.Local
	}
	lw := wordsFor(d.Language)
	doc := fpdf.New("P", "mm", "A4", "")
	doc.AddUTF8FontFromBytes("pt", "", fonts.Regular)
	doc.AddUTF8FontFromBytes("pt", "B", fonts.Bold)
	doc.SetMargins(18, 22, 18)
	doc.SetAutoPageBreak(true, 20)
	doc.AliasNbPages("{nb}")
	doc.SetTitle(lw["mark"]+": "+d.Title, true)
	doc.SetCreator("Qoltanba", true)
	doc.SetHeaderFunc(func() {
		doc.SetFont("pt", "B", 9)
		doc.SetTextColor(170, 30, 30)
		doc.SetXY(18, 9)
		doc.CellFormat(0, 5, lw["mark"], "", 0, "L", false, 0, "")
		doc.SetFont("pt", "", 8)
		doc.SetTextColor(90, 90, 90)
		doc.SetXY(18, 9)
		doc.CellFormat(0, 5, clip(d.Title, 70), "", 0, "R", false, 0, "")
		doc.SetDrawColor(170, 30, 30)
		doc.Line(18, 15, 192, 15)
		doc.SetY(22)
		doc.SetTextColor(0, 0, 0)
	})
	doc.SetFooterFunc(func() {
		doc.SetY(-14)
		doc.SetFont("pt", "", 8)
		doc.SetTextColor(90, 90, 90)
		doc.CellFormat(0, 5, lw["mark"]+" · "+fmt.Sprintf(lw["page"], doc.PageNo()), "", 0, "C", false, 0, "")
	})
	isPDF := docsign.IsPDFMediaType(d.MediaType)
	if !isPDF {
		if err := content(doc, d); err != nil {
			return err
		}
	}
	if err := closing(doc, d, lw); err != nil {
		return err
	}
	if err := doc.Error(); err != nil {
		return fmt.Errorf("papercopy: %w", err)
	}
	if !isPDF {
		return doc.Output(w)
	}
	// A PDF keeps its own pages, each with the mark over it; the closing
	// page follows.
	var tail bytes.Buffer
	if err := doc.Output(&tail); err != nil {
		return fmt.Errorf("papercopy: %w", err)
	}
	return withOwnPages(w, d, lw, tail.Bytes())
}

// withOwnPages writes the document's own pages, marked, then the closing
// pages laid out in tail.
func withOwnPages(w io.Writer, d Document, lw map[string]string, tail []byte) error {
	orig, err := pdf.Open(bytes.NewReader(d.Content), int64(len(d.Content)))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrContent, err)
	}
	n, err := orig.PageCount()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrContent, err)
	}
	if n > maxPages {
		return fmt.Errorf("%w: %d pages, at most %d are copied", ErrContent, n, maxPages)
	}
	closingPages, err := pdf.Open(bytes.NewReader(tail), int64(len(tail)))
	if err != nil {
		return err
	}
	m, err := closingPages.PageCount()
	if err != nil {
		return err
	}
	mark, err := pdf.Banner(lw["mark"] + " · " + clip(d.Title, 60))
	if err != nil {
		return err
	}
	var pages []pdf.PageSource
	for i := 1; i <= n; i++ {
		pages = append(pages, pdf.PageSource{File: orig, Number: i, Overlay: mark, X: 18, Y: 6})
	}
	for i := 1; i <= m; i++ {
		pages = append(pages, pdf.PageSource{File: closingPages, Number: i})
	}
	return pdf.Assemble(w, pages, lw["mark"]+": "+d.Title)
}

// content reproduces the document's content.
func content(doc *fpdf.Fpdf, d Document) error {
	mt := strings.ToLower(d.MediaType)
	switch {
	case strings.HasPrefix(mt, "image/png"), strings.HasPrefix(mt, "image/jpeg"), strings.HasPrefix(mt, "image/gif"):
		doc.AddPage()
		kind := strings.ToUpper(strings.TrimPrefix(strings.SplitN(mt, ";", 2)[0], "image/"))
		if kind == "JPEG" {
			kind = "JPG"
		}
		info := doc.RegisterImageOptionsReader("content", fpdf.ImageOptions{ImageType: kind}, bytes.NewReader(d.Content))
		if doc.Err() {
			return fmt.Errorf("%w: the image: %v", ErrContent, doc.Error())
		}
		w, h := info.Extent()
		scale := min(174/w, 250/h, 1.0)
		doc.ImageOptions("content", 18, 24, w*scale, h*scale, false, fpdf.ImageOptions{ImageType: kind}, 0, "")
		return nil
	case docsign.IsXMLMediaType(mt):
		return text(doc, prettyXML(d.Content), 9)
	case strings.HasPrefix(mt, "text/"), utf8.Valid(d.Content):
		return text(doc, d.Content, 10)
	}
	return fmt.Errorf("%w: %s (PDF documents keep their own pages; images, text and XML are laid out)", ErrContent, d.MediaType)
}

// prettyXML indents XML to read (as it is when it does not parse).
func prettyXML(b []byte) []byte {
	x := etree.NewDocument()
	if bytes.Contains(b, []byte("<!DOCTYPE")) || x.ReadFromBytes(b) != nil {
		return b
	}
	x.Indent(2)
	out, err := x.WriteToBytes()
	if err != nil {
		return b
	}
	return out
}

// text lays text out, line by line, wrapped to the page.
func text(doc *fpdf.Fpdf, b []byte, size float64) error {
	if len(b) > maxTextBytes {
		return fmt.Errorf("%w: more than %d MB of text", ErrContent, maxTextBytes>>20)
	}
	if !utf8.Valid(b) {
		return fmt.Errorf("%w: the text is not UTF-8", ErrContent)
	}
	doc.AddPage()
	doc.SetFont("pt", "", size)
	lines := strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	if len(lines) > maxLines {
		return fmt.Errorf("%w: more than %d lines", ErrContent, maxLines)
	}
	for _, l := range lines {
		l = strings.ReplaceAll(l, "\t", "    ")
		if strings.TrimSpace(l) == "" {
			doc.Ln(size * 0.45)
			continue
		}
		doc.MultiCell(0, size*0.45, l, "", "L", false)
	}
	return nil
}

// closing adds the page of signatures, the QR code and the line for the
// handwritten signature.
func closing(doc *fpdf.Fpdf, d Document, lw map[string]string) error {
	doc.AddPage()
	doc.SetFont("pt", "B", 13)
	doc.MultiCell(0, 7, lw["sigs"], "", "L", false)
	doc.SetFont("pt", "", 9)
	doc.MultiCell(0, 5, lw["doc"]+": "+d.Title+" ("+d.FileName+")", "", "L", false)
	doc.Ln(2)
	if len(d.Signatures) == 0 {
		doc.MultiCell(0, 5, lw["unsigned"], "", "L", false)
	}
	for i, s := range d.Signatures {
		rows := [][2]string{
			{lw["signer"], s.Signer},
			{lw["ids"], orNone(strings.Trim(s.IIN+" / "+s.BIN, " /"), lw)},
			{lw["org"], orNone(strings.Trim(s.Organization+", "+s.Role, ", "), lw)},
			{lw["cert"], s.Serial + ", " + s.Issuer},
			{lw["time"], stamp(s.SigningTime, d.Loc)},
			{lw["ts"], orNone(stamp(s.Timestamp, d.Loc), lw)},
			{lw["result"], s.Result},
		}
		doc.SetFont("pt", "B", 10)
		doc.CellFormat(0, 6, fmt.Sprintf("%d.", i+1), "", 1, "L", false, 0, "")
		for _, r := range rows {
			doc.SetFont("pt", "", 8.5)
			x, y := doc.GetXY()
			doc.SetTextColor(90, 90, 90)
			doc.MultiCell(55, 4.5, r[0], "", "L", false)
			y2 := doc.GetY()
			doc.SetXY(x+56, y)
			doc.SetTextColor(0, 0, 0)
			doc.MultiCell(0, 4.5, r[1], "", "L", false)
			doc.SetY(max(y2, doc.GetY()))
		}
		doc.Ln(2)
	}
	// The QR code: the digest, and where to check when there is a place.
	sum := sha256.Sum256(d.Content)
	digest := hex.EncodeToString(sum[:])
	payload := "sha256:" + digest
	if d.CheckURL != "" {
		payload = d.CheckURL + "#sha256=" + digest
	}
	code, err := qr.Encode(payload, qr.M, qr.Auto)
	if err != nil {
		return fmt.Errorf("papercopy: QR code: %w", err)
	}
	if code, err = barcode.Scale(code, 400, 400); err != nil {
		return fmt.Errorf("papercopy: QR code: %w", err)
	}
	var img bytes.Buffer
	if err := png.Encode(&img, code); err != nil {
		return err
	}
	doc.Ln(3)
	if doc.GetY() > 230 {
		doc.AddPage()
	}
	y := doc.GetY()
	doc.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, &img)
	doc.ImageOptions("qr", 18, y, 38, 38, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	doc.SetXY(60, y+2)
	doc.SetFont("pt", "", 8.5)
	doc.MultiCell(0, 4.5, lw["digest"]+": "+digest, "", "L", false)
	if d.CheckURL != "" {
		doc.SetX(60)
		doc.MultiCell(0, 4.5, lw["check"]+": "+d.CheckURL, "", "L", false)
	}
	doc.SetX(60)
	doc.MultiCell(0, 4.5, lw["printed"]+": "+stamp(d.Printed, d.Loc), "", "L", false)
	doc.SetY(y + 44)
	doc.SetFont("pt", "", 9)
	doc.MultiCell(0, 5, lw["hand"], "", "L", false)
	return nil
}

func orNone(s string, lw map[string]string) string {
	if s == "" {
		return lw["none"]
	}
	return s
}

func stamp(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2006-01-02 15:04:05 (UTC-07:00)")
}

func clip(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}
