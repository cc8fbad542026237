package pdf

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
)

// PageSource is a page to put in an assembled PDF: page Number (1-based)
// of File, with Overlay drawn over it (a form XObject, placed at X, Y
// points from the top left of the page's media box) when set.
type PageSource struct {
	File    *File
	Number  int
	Overlay *Appearance
	X, Y    float64
}

// maxAssembled bounds the objects an assembled PDF may copy.
const maxAssembled = 1 << 22

// Assemble writes a new PDF made of the pages given, in order. Each page
// is copied with every object it uses (its inherited attributes made its
// own); its annotations are left out — a paper copy reproduces what is
// printed, not the original's form fields or signature widgets.
func Assemble(w io.Writer, pages []PageSource, title string) error {
	a := &assembler{next: 3, copiers: map[*File]*numbering{}}
	var kids Array
	marks := map[*Appearance]Ref{}
	for i, ps := range pages {
		ref, err := a.page(ps, marks)
		if err != nil {
			return fmt.Errorf("page %d: %w", i+1, err)
		}
		kids = append(kids, ref)
	}
	a.set(1, encode(Dict{"Type": Name("Catalog"), "Pages": Ref{Num: 2}}))
	a.set(2, encode(Dict{"Type": Name("Pages"), "Kids": kids, "Count": Int(len(kids))}))
	info := a.add(encode(Dict{"Title": textString(title), "Producer": textString("Qoltanba")}))
	var out bytes.Buffer
	out.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int64, a.next)
	for n := 1; n < a.next; n++ {
		body, ok := a.bodies[n]
		if !ok {
			return fmt.Errorf("pdf: assemble: object %d was never written", n)
		}
		offsets[n] = int64(out.Len())
		fmt.Fprintf(&out, "%d 0 obj\n", n)
		out.Write(body)
		out.WriteString("\nendobj\n")
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f\r\n", a.next)
	for n := 1; n < a.next; n++ {
		fmt.Fprintf(&out, "%010d 00000 n\r\n", offsets[n])
	}
	out.WriteString("trailer\n")
	write(&out, Dict{"Size": Int(a.next), "Root": Ref{Num: 1}, "Info": info, "ID": newID(nil)})
	fmt.Fprintf(&out, "\nstartxref\n%d\n%%%%EOF\n", xref)
	_, err := w.Write(out.Bytes())
	return err
}

// assembler numbers and holds the objects of the new file.
type assembler struct {
	next    int
	bodies  map[int][]byte
	copiers map[*File]*numbering
}

// numbering maps one source file's objects to new numbers.
type numbering struct{ nums map[int]int }

func (a *assembler) set(n int, body []byte) {
	if a.bodies == nil {
		a.bodies = map[int][]byte{}
	}
	a.bodies[n] = body
}

func (a *assembler) add(body []byte) Ref {
	n := a.next
	a.next++
	a.set(n, body)
	return Ref{Num: n}
}

func (a *assembler) reserve() int {
	n := a.next
	a.next++
	return n
}

// copy copies o from f, giving each indirect object its new number once.
func (a *assembler) copy(f *File, o Object) (Object, error) {
	nb := a.copiers[f]
	if nb == nil {
		nb = &numbering{nums: map[int]int{}}
		a.copiers[f] = nb
	}
	return mapRefs(o, func(r Ref) (Object, error) {
		if n, ok := nb.nums[r.Num]; ok {
			return Ref{Num: n}, nil
		}
		if a.next > maxAssembled {
			return nil, fmt.Errorf("pdf: assemble: more than %d objects", maxAssembled)
		}
		n := a.reserve()
		nb.nums[r.Num] = n
		target, err := f.Object(r.Num)
		if err != nil {
			return nil, err
		}
		if d, isDict := target.(Dict); isDict && d["Type"] == Name("Page") {
			// A reference to another page (a link's destination): not copied.
			a.set(n, []byte("null"))
			return Ref{Num: n}, nil
		}
		body, err := a.body(f, target)
		if err != nil {
			return nil, err
		}
		a.set(n, body)
		return Ref{Num: n}, nil
	})
}

// body is an indirect object's new bytes (a stream's raw data copied as
// it is, with its filters).
func (a *assembler) body(f *File, o Object) ([]byte, error) {
	s, ok := o.(*Stream)
	if !ok {
		c, err := a.copy(f, o)
		if err != nil {
			return nil, err
		}
		return encode(c), nil
	}
	d, err := a.copy(f, s.Dict)
	if err != nil {
		return nil, err
	}
	raw := make([]byte, s.Length)
	if _, err := f.r.ReadAt(raw, s.Offset); err != nil && err != io.EOF {
		return nil, err
	}
	var b bytes.Buffer
	writeStream(&b, d.(Dict), raw)
	return b.Bytes(), nil
}

// page copies one page, with its overlay.
func (a *assembler) page(ps PageSource, marks map[*Appearance]Ref) (Ref, error) {
	f := ps.File
	src, _, err := f.Page(ps.Number)
	if err != nil {
		return Ref{}, err
	}
	d := Dict{"Type": Name("Page"), "Parent": Ref{Num: 2}}
	for _, key := range []Name{"Resources", "MediaBox", "CropBox", "Rotate"} {
		v, err := f.inherited(src, key)
		if err != nil {
			return Ref{}, err
		}
		if v != nil {
			if d[key], err = a.copy(f, v); err != nil {
				return Ref{}, err
			}
		}
	}
	for _, key := range []Name{"Contents", "UserUnit", "Group"} {
		if v, ok := src[key]; ok {
			if d[key], err = a.copy(f, v); err != nil {
				return Ref{}, err
			}
		}
	}
	if ps.Overlay != nil {
		if err := a.overlay(d, ps, marks); err != nil {
			return Ref{}, err
		}
	}
	return a.add(encode(d)), nil
}

// overlay draws the page's overlay over its content: the content is
// wrapped in q … Q (whatever state it leaves), then the form is drawn.
func (a *assembler) overlay(d Dict, ps PageSource, marks map[*Appearance]Ref) error {
	form, ok := marks[ps.Overlay]
	if !ok {
		ap := ps.Overlay
		base := a.next
		a.next += 1 + len(ap.Objects)
		for i, o := range ap.Objects {
			var b bytes.Buffer
			switch o := o.(type) {
			case *NewStream:
				writeStream(&b, renumbered(o.Dict, base+1).(Dict), o.Data)
			default:
				write(&b, renumbered(o, base+1))
			}
			a.set(base+1+i, b.Bytes())
		}
		var b bytes.Buffer
		writeStream(&b, renumbered(ap.Dict, base+1).(Dict), ap.Content)
		a.set(base, b.Bytes())
		form = Ref{Num: base}
		marks[ps.Overlay] = form
	}
	res, _ := d["Resources"].(Dict)
	if r, ok := d["Resources"].(Ref); ok {
		// A shared resources object: this page gets its own copy.
		res = a.dictOf(r)
	}
	res = clone(res)
	xo := Dict{}
	if x, ok := res["XObject"].(Dict); ok {
		xo = clone(x)
	} else if r, ok := res["XObject"].(Ref); ok {
		xo = clone(a.dictOf(r))
	}
	xo["QoltanbaMark"] = form
	res["XObject"] = xo
	d["Resources"] = res

	box, _ := d["MediaBox"].(Array)
	top, left := 842.0, 0.0
	if len(box) == 4 {
		left, top = num(box[0]), num(box[3])
	}
	h := 0.0
	if bb, ok := ps.Overlay.Dict["BBox"].(Array); ok && len(bb) == 4 {
		h = num(bb[3]) - num(bb[1])
	}
	x, y := left+ps.X, top-ps.Y-h
	pre := a.add(streamBody([]byte("q\n")))
	post := a.add(streamBody([]byte("Q\nq 1 0 0 1 " + strconv.FormatFloat(x, 'f', 2, 64) + " " + strconv.FormatFloat(y, 'f', 2, 64) + " cm /QoltanbaMark Do Q\n")))
	contents := Array{pre}
	switch c := d["Contents"].(type) {
	case Ref:
		contents = append(contents, c)
	case Array:
		contents = append(contents, c...)
	}
	d["Contents"] = append(contents, post)
	return nil
}

// dictOf reads back a dictionary the assembler wrote (nil when it is none).
func (a *assembler) dictOf(r Ref) Dict {
	p := &parser{buf: a.bodies[r.Num]}
	o, err := p.object(0)
	if err != nil {
		return nil
	}
	d, _ := o.(Dict)
	return d
}

func streamBody(data []byte) []byte {
	var b bytes.Buffer
	writeStream(&b, Dict{}, data)
	return b.Bytes()
}
