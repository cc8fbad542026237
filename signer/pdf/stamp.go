package pdf

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/qoltanba/qoltanba/assets/fonts"
	"github.com/qoltanba/qoltanba/assets/translations"
	"github.com/qoltanba/qoltanba/signer/pki"
)

// StampSize is a visible signature's size in points (about 75 × 32 mm).
var StampSize = [2]float64{212, 90}

// Stamp draws a visible signature: a framed box with a title and the
// lines under it (the signer, IIN/BIN, organisation, time, certificate),
// in PT Sans embedded as a subset (every Kazakh letter is there), as a
// form XObject for Options.Appearance. The box is laid out by fpdf on a
// page of the stamp's size and taken from that page whole: its content
// and its resources (the font objects).
func Stamp(title string, lines []string) (*Appearance, error) {
	w, h := StampSize[0], StampSize[1]
	return drawForm(w, h, func(doc *fpdf.Fpdf) {
		doc.SetDrawColor(29, 78, 137)
		doc.SetTextColor(29, 78, 137)
		doc.SetLineWidth(1.2)
		doc.RoundedRect(1, 1, w-2, h-2, 5, "1234", "D")
		const pad = 7.0
		doc.SetFont("stamp", "B", 8.5)
		y := pad + 8
		doc.Text(pad, y, fit(doc, title, w-2*pad))
		doc.SetLineWidth(0.5)
		doc.Line(pad, y+3, w-pad, y+3)
		size := 7.0
		if room := h - (y + 3) - pad; float64(len(lines))*size*1.3 > room && len(lines) > 0 {
			size = room / float64(len(lines)) / 1.3
		}
		doc.SetFont("stamp", "", size)
		doc.SetTextColor(20, 20, 20)
		y += 3
		for _, l := range lines {
			y += size * 1.3
			doc.Text(pad, y, fit(doc, l, w-2*pad))
		}
	})
}

// Banner is a one-line mark in bold red (a paper copy's «Копия
// электронного документа» over every page of a PDF), as a form XObject.
func Banner(text string) (*Appearance, error) {
	const size = 9.0
	probe := fpdf.NewCustom(&fpdf.InitType{UnitStr: "pt", Size: fpdf.SizeType{Wd: 100, Ht: 100}})
	probe.AddUTF8FontFromBytes("stamp", "B", fonts.Bold)
	probe.SetFont("stamp", "B", size)
	w := probe.GetStringWidth(text) + 8
	return drawForm(w, size+6, func(doc *fpdf.Fpdf) {
		doc.SetFillColor(255, 255, 255)
		doc.Rect(0, 0, w, size+6, "F")
		doc.SetFont("stamp", "B", size)
		doc.SetTextColor(170, 30, 30)
		doc.Text(4, size+1.5, text)
	})
}

// drawForm lays out a w × h points drawing with fpdf (PT Sans as "stamp",
// regular and bold) and takes it as a form XObject.
func drawForm(w, h float64, draw func(*fpdf.Fpdf)) (*Appearance, error) {
	doc := fpdf.NewCustom(&fpdf.InitType{UnitStr: "pt", Size: fpdf.SizeType{Wd: w, Ht: h}})
	doc.SetCompression(false)
	doc.SetMargins(0, 0, 0)
	doc.SetAutoPageBreak(false, 0)
	doc.AddUTF8FontFromBytes("stamp", "", fonts.Regular)
	doc.AddUTF8FontFromBytes("stamp", "B", fonts.Bold)
	doc.AddPage()
	draw(doc)
	var buf bytes.Buffer
	if err := doc.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: lay out the drawing: %w", err)
	}
	return pageAsForm(buf.Bytes(), w, h)
}

// fit cuts s with "…" to width at the current font.
func fit(doc *fpdf.Fpdf, s string, width float64) string {
	if doc.GetStringWidth(s) <= width {
		return s
	}
	rs := []rune(s)
	for len(rs) > 1 && doc.GetStringWidth(string(rs)+"…") > width {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

// pageAsForm takes page 1 of a PDF as a form XObject: its content, and
// its resources with every object they refer to, numbered for the update
// (Ref{-1-i} is Objects[i]).
func pageAsForm(data []byte, w, h float64) (*Appearance, error) {
	f, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	page, _, err := f.Page(1)
	if err != nil {
		return nil, err
	}
	c := &copier{f: f, nums: map[int]int{}}
	res := page["Resources"]
	for node := page; res == nil && node != nil; {
		if node, err = f.Dict(node["Parent"]); err != nil {
			return nil, err
		}
		if node != nil {
			res = node["Resources"]
		}
	}
	if res == nil {
		return nil, fmt.Errorf("pdf: the stamp's page has no resources")
	}
	resources, err := c.copy(res)
	if err != nil {
		return nil, err
	}
	contents, err := f.Resolve(page["Contents"])
	if err != nil {
		return nil, err
	}
	s, ok := contents.(*Stream)
	if !ok {
		return nil, fmt.Errorf("pdf: the stamp's page has no single content stream")
	}
	content, err := f.decode(s)
	if err != nil {
		return nil, err
	}
	return &Appearance{
		Dict: Dict{"Type": Name("XObject"), "Subtype": Name("Form"), "BBox": Array{Int(0), Int(0), Real(w), Real(h)},
			"Resources": resources},
		Content: content,
		Objects: c.objs,
	}, nil
}

// copier copies objects out of a file, giving each indirect object a
// placeholder number once.
type copier struct {
	f    *File
	nums map[int]int // object number in the file → index in objs
	objs []Object
}

func (c *copier) copy(o Object) (Object, error) {
	s, ok := o.(*Stream)
	if !ok {
		return mapRefs(o, c.ref)
	}
	d, err := mapRefs(s.Dict, c.ref)
	if err != nil {
		return nil, err
	}
	raw := make([]byte, s.Length)
	if _, err := c.f.r.ReadAt(raw, s.Offset); err != nil {
		return nil, err
	}
	sd := d.(Dict)
	delete(sd, "Length")
	return &NewStream{Dict: sd, Data: raw}, nil
}

// ref gives an indirect object its placeholder, copying it the first time.
func (c *copier) ref(r Ref) (Object, error) {
	if i, ok := c.nums[r.Num]; ok {
		return Ref{Num: -1 - i}, nil
	}
	i := len(c.objs)
	c.nums[r.Num] = i
	c.objs = append(c.objs, nil)
	target, err := c.f.Object(r.Num)
	if err != nil {
		return nil, err
	}
	copied, err := c.copy(target)
	if err != nil {
		return nil, err
	}
	c.objs[i] = copied
	return Ref{Num: -1 - i}, nil
}

// StampFor is the stamp of a signer (as the certificate names them) at a
// time, in a language (kk, ru or en; others are English): the full name,
// IIN and BIN, the organisation, the time with its zone, the
// certificate's serial number.
func StampFor(id pki.Identity, at time.Time, lang string) (*Appearance, error) {
	w := func(key string) string { return translations.Text(lang, "stamp."+key) }
	lines := []string{id.CommonName}
	if id.GivenName != "" && !strings.Contains(id.CommonName, id.GivenName) {
		lines[0] += " " + id.GivenName
	}
	var ids []string
	if id.IIN != "" {
		ids = append(ids, w("iin")+" "+id.IIN)
	}
	if id.BIN != "" {
		ids = append(ids, w("bin")+" "+id.BIN)
	}
	if len(ids) > 0 {
		lines = append(lines, strings.Join(ids, ", "))
	}
	if id.Organization != "" {
		lines = append(lines, id.Organization)
	}
	lines = append(lines, w("time")+": "+at.Format("2006-01-02 15:04:05 (UTC-07:00)"))
	if id.SerialNumber != "" {
		lines = append(lines, w("cert")+" "+id.SerialNumber)
	}
	return Stamp(w("title"), lines)
}
