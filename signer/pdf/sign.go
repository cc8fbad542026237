package pdf

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"
)

// The signature's SubFilters (ISO 32000-2, 12.8.3.3; ETSI EN 319 142-1).
const (
	SubFilterCAdES = Name("ETSI.CAdES.detached") // PAdES
	SubFilterPKCS7 = Name("adbe.pkcs7.detached") // for readers that know no PAdES
)

// DefaultReserve is the room kept for the CMS: a signer's certificate
// chain, the signed attributes and a timestamp token fit in it.
const DefaultReserve = 24 << 10

// ErrReserve: the CMS came out larger than the room kept for it.
var ErrReserve = errors.New("pdf: the signature is larger than the room kept for it")

// Options describe the signature field and dictionary.
type Options struct {
	SubFilter Name // SubFilterCAdES when empty
	// Name, Reason, Location and ContactInfo go in the signature
	// dictionary as text strings (Kazakh letters kept).
	Name, Reason, Location, ContactInfo string
	// Time is /M, the signing time the signer claims (the CMS's signed
	// attribute is what counts).
	Time time.Time
	// Field is the field's name (default "Signature<n>").
	Field string
	// Reserve is the room for the CMS in bytes (default DefaultReserve).
	Reserve int
	// Page (1-based, default 1; negative from the end, -1 the last)
	// carries the field's widget; Rect is its place in points, zero for an
	// invisible signature or, with an Appearance, for the page's Corner.
	Page   int
	Rect   [4]float64
	Corner Corner
	// Appearance, for a visible signature, draws it: a form XObject
	// (stream dictionary and content) and the objects it needs.
	Appearance *Appearance
	// SHA256, when set, is what the input must hash to (what the signer
	// was shown): checked as it is copied, before anything is signed.
	SHA256 []byte
}

// ErrChanged: the input is not the file the signer was shown.
var ErrChanged = errors.New("pdf: the file changed after it was shown")

// Appearance is a visible signature's normal appearance: a form XObject
// whose resources may name further new objects (fonts) given in Objects,
// numbered from 0 and referred to as Ref{Num: -1 - i} until written.
type Appearance struct {
	Dict    Dict
	Content []byte
	Objects []Object // Dict or *NewStream
}

// NewStream is a stream to write: its dictionary (Length is set) and bytes.
type NewStream struct {
	Dict Dict
	Data []byte
}

// CMSFunc makes the detached CMS over the signed bytes (both byte ranges,
// streamed) — the core's signing, with its consent, key and timestamp.
type CMSFunc func(signed io.Reader) ([]byte, error)

// Signed is what Sign wrote.
type Signed struct {
	ByteRange [4]int64
	Field     string
	Size      int64
	// CMS is the signature made (DER).
	CMS []byte
}

// SignFile reads the PDF at in and writes it to out with a new signature
// in an incremental update: in's bytes are copied unchanged (every earlier
// signature stays valid), the signature dictionary, its field and widget,
// the page and the form are added after them, in the cross-reference form
// in uses (table or stream). out is written through a temporary file and
// renamed, so a failure leaves no half-signed file; in and out may be the
// same path.
func SignFile(in, out string, opts Options, sign CMSFunc) (*Signed, error) {
	src, err := os.Open(in)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", in, err)
	}
	defer src.Close()
	info, err := src.Stat()
	if err != nil {
		return nil, err
	}
	f, err := Open(src, info.Size())
	if err != nil {
		return nil, err
	}
	up, err := buildUpdate(f, opts)
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", out, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tmp, h), src); err != nil {
		return nil, fmt.Errorf("write %s: %w", out, err)
	}
	if opts.SHA256 != nil && !bytes.Equal(h.Sum(nil), opts.SHA256) {
		return nil, fmt.Errorf("%s: %w", in, ErrChanged)
	}
	if _, err := tmp.Write(up.data); err != nil {
		return nil, fmt.Errorf("write %s: %w", out, err)
	}
	total := info.Size() + int64(len(up.data))
	cStart := info.Size() + int64(up.contents)
	cEnd := cStart + int64(2*up.reserve+2)
	br := [4]int64{0, cStart, cEnd, total - cEnd}
	text := fmt.Sprintf("[0 %d %d %d]", br[1], br[2], br[3])
	if len(text) > len(byteRangeHole) {
		return nil, fmt.Errorf("pdf: the file is too large for the byte range's room")
	}
	text += string(bytes.Repeat([]byte{' '}, len(byteRangeHole)-len(text)))
	if _, err := tmp.WriteAt([]byte(text), info.Size()+int64(up.byteRange)); err != nil {
		return nil, err
	}
	der, err := sign(io.MultiReader(io.NewSectionReader(tmp, 0, cStart), io.NewSectionReader(tmp, cEnd, br[3])))
	if err != nil {
		return nil, err
	}
	if len(der) > up.reserve {
		return nil, fmt.Errorf("%w: %d bytes, %d kept (sign again with a larger reserve)", ErrReserve, len(der), up.reserve)
	}
	hexed := make([]byte, 2*up.reserve)
	for i := range hexed {
		hexed[i] = '0'
	}
	hex.Encode(hexed, der)
	copy(hexed, bytes.ToUpper(hexed[:2*len(der)]))
	if _, err := tmp.WriteAt(hexed, cStart+1); err != nil {
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return nil, fmt.Errorf("write %s: %w", out, err)
	}
	done = true
	return &Signed{ByteRange: br, Field: up.field, Size: total, CMS: der}, nil
}

// byteRangeHole is the /ByteRange placeholder: room for four numbers of
// up to 13 digits (files up to 9 TB), filled in once offsets are known.
var byteRangeHole = "[0 0000000000000 0000000000000 0000000000000]"

// update is the appended bytes and where the placeholders are in them.
type update struct {
	data      []byte
	byteRange int // offset of byteRangeHole
	contents  int // offset of the '<' of /Contents
	reserve   int
	field     string
}

// buildUpdate lays out the incremental update for a new signature.
func buildUpdate(f *File, opts Options) (*update, error) {
	if opts.SubFilter == "" {
		opts.SubFilter = SubFilterCAdES
	}
	if opts.Reserve <= 0 {
		opts.Reserve = DefaultReserve
	}
	if opts.Page == 0 {
		opts.Page = 1
	}
	if opts.Time.IsZero() {
		opts.Time = time.Now()
	}
	cat, catRef, err := f.Catalog()
	if err != nil {
		return nil, err
	}
	page, pageRef, err := f.Page(opts.Page)
	if err != nil {
		return nil, err
	}
	if opts.Appearance != nil && opts.Rect == [4]float64{} {
		opts.Rect, err = f.stampPlace(page, opts.Appearance, opts.Corner)
		if err != nil {
			return nil, err
		}
	}
	// The form: an indirect /AcroForm is written anew as itself, a direct
	// one inside a new catalog.
	acroRef, acroIndirect := cat["AcroForm"].(Ref)
	acro, err := f.Dict(cat["AcroForm"])
	if err != nil {
		return nil, err
	}
	fields, err := f.Array(acro["Fields"])
	if err != nil {
		return nil, err
	}
	if opts.Field == "" {
		taken := map[string]bool{}
		for _, fr := range fields {
			if d, _ := f.Dict(fr); d != nil {
				if t, ok := d["T"].(String); ok {
					taken[decodeText(t)] = true
				}
			}
		}
		for n := 1; ; n++ {
			if opts.Field = "Signature" + strconv.Itoa(n); !taken[opts.Field] {
				break
			}
		}
	}
	next := f.NextObject()
	sigRef, widgetRef := Ref{Num: next}, Ref{Num: next + 1}
	next += 2
	objs := map[int][]byte{}

	// The appearance's objects get numbers, and references to them in its
	// dictionaries are renumbered.
	var apRef Ref
	if ap := opts.Appearance; ap != nil {
		base := next
		renumber := func(o Object) Object { return renumbered(o, base+1) }
		for i, o := range ap.Objects {
			var b bytes.Buffer
			switch o := o.(type) {
			case *NewStream:
				writeStream(&b, renumber(o.Dict).(Dict), o.Data)
			default:
				write(&b, renumber(o))
			}
			objs[base+1+i] = b.Bytes()
		}
		apRef = Ref{Num: base}
		var b bytes.Buffer
		writeStream(&b, renumber(ap.Dict).(Dict), ap.Content)
		objs[base] = b.Bytes()
		next = base + 1 + len(ap.Objects)
	}

	// The signature dictionary, written by hand to know where the holes are.
	var sig bytes.Buffer
	sig.WriteString("<</Type/Sig/Filter/Adobe.PPKLite/SubFilter")
	writeName(&sig, opts.SubFilter)
	sig.WriteString("/M")
	writeString(&sig, String(pdfDate(opts.Time)))
	for _, kv := range []struct {
		key Name
		val string
	}{{"Name", opts.Name}, {"Reason", opts.Reason}, {"Location", opts.Location}, {"ContactInfo", opts.ContactInfo}} {
		if kv.val != "" {
			writeName(&sig, kv.key)
			writeString(&sig, textString(kv.val))
		}
	}
	sig.WriteString("/ByteRange")
	holeByteRange := sig.Len()
	sig.WriteString(byteRangeHole)
	sig.WriteString("/Contents")
	holeContents := sig.Len()
	sig.WriteByte('<')
	sig.Write(bytes.Repeat([]byte{'0'}, 2*opts.Reserve))
	sig.WriteString(">>>")
	objs[sigRef.Num] = sig.Bytes()

	widget := Dict{"Type": Name("Annot"), "Subtype": Name("Widget"), "FT": Name("Sig"), "T": textString(opts.Field),
		"V": sigRef, "F": Int(132), "P": pageRef,
		"Rect": Array{Real(opts.Rect[0]), Real(opts.Rect[1]), Real(opts.Rect[2]), Real(opts.Rect[3])}}
	if opts.Appearance != nil {
		widget["AP"] = Dict{"N": apRef}
	}
	objs[widgetRef.Num] = encode(widget)

	annots, err := f.Array(page["Annots"])
	if err != nil {
		return nil, err
	}
	newPage := clone(page)
	newPage["Annots"] = append(append(Array{}, annots...), widgetRef)
	objs[pageRef.Num] = encode(newPage)

	newAcro := clone(acro)
	newAcro["Fields"] = append(append(Array{}, fields...), widgetRef)
	newAcro["SigFlags"] = Int(3) // signatures exist; append only
	if acroIndirect && acro != nil {
		objs[acroRef.Num] = encode(newAcro)
	} else {
		newCat := clone(cat)
		newCat["AcroForm"] = newAcro
		objs[catRef.Num] = encode(newCat)
	}
	if pageRef.Num == catRef.Num || pageRef.Num == acroRef.Num && acroIndirect {
		return nil, fmt.Errorf("%w: the page and the catalog are one object", ErrDamaged)
	}

	data, at := writeUpdate(f, objs, next, catRef)
	return &update{data: data, reserve: opts.Reserve, field: opts.Field,
		byteRange: at[sigRef.Num] + holeByteRange, contents: at[sigRef.Num] + holeContents}, nil
}

// writeUpdate lays out an incremental update of f: objs (by number; next
// is the first number not used) then the cross-reference in the file's own
// form (table or stream) and the trailer, with catRef as its root. at says
// where each object's body starts in the update.
func writeUpdate(f *File, objs map[int][]byte, next int, catRef Ref) (data []byte, at map[int]int) {
	var out bytes.Buffer
	base := f.Size()
	if last, err := f.window(base-1, 1); err == nil && last[0] != '\n' && last[0] != '\r' {
		out.WriteByte('\n')
	}
	nums := make([]int, 0, len(objs)+1)
	for n := range objs {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	offsets, at := map[int]int64{}, map[int]int{}
	for _, n := range nums {
		offsets[n] = base + int64(out.Len())
		fmt.Fprintf(&out, "%d 0 obj\n", n)
		at[n] = out.Len()
		out.Write(objs[n])
		out.WriteString("\nendobj\n")
	}
	trailer := Dict{"Root": catRef, "Prev": Int(f.StartXRef), "ID": newID(f.Trailer["ID"])}
	if info, ok := f.Trailer["Info"]; ok {
		trailer["Info"] = info
	}
	xrefAt := base + int64(out.Len())
	if f.XRefStream {
		xnum := next
		offsets[xnum] = xrefAt
		nums = append(nums, xnum)
		trailer["Size"] = Int(xnum + 1)
		writeXRefStream(&out, xnum, nums, offsets, trailer)
	} else {
		trailer["Size"] = Int(next)
		writeXRefTable(&out, nums, offsets, trailer)
	}
	fmt.Fprintf(&out, "startxref\n%d\n%%%%EOF\n", xrefAt)
	return out.Bytes(), at
}

// encode is an object in PDF syntax.
func encode(o Object) []byte {
	var b bytes.Buffer
	write(&b, o)
	return b.Bytes()
}

func clone(d Dict) Dict {
	out := Dict{}
	for k, v := range d {
		out[k] = v
	}
	return out
}

// renumbered replaces the appearance's placeholder references Ref{-1-i}
// with Ref{first+i}.
func renumbered(o Object, first int) Object {
	out, _ := mapRefs(o, func(r Ref) (Object, error) {
		if r.Num < 0 {
			return Ref{Num: first - 1 - r.Num}, nil
		}
		return r, nil
	})
	return out
}

// mapRefs rebuilds o (a dictionary, an array, or any object inside them)
// with every reference replaced by what ref makes of it: the one walk
// behind renumbering and copying objects from one file to another.
func mapRefs(o Object, ref func(Ref) (Object, error)) (Object, error) {
	switch o := o.(type) {
	case Ref:
		return ref(o)
	case Dict:
		out := Dict{}
		for k, v := range o {
			mv, err := mapRefs(v, ref)
			if err != nil {
				return nil, err
			}
			out[k] = mv
		}
		return out, nil
	case Array:
		out := make(Array, len(o))
		for i, v := range o {
			mv, err := mapRefs(v, ref)
			if err != nil {
				return nil, err
			}
			out[i] = mv
		}
		return out, nil
	}
	return o, nil
}

// writeStream writes a stream object's dictionary (with /Length) and data.
func writeStream(b *bytes.Buffer, d Dict, data []byte) {
	d = clone(d)
	d["Length"] = Int(len(data))
	write(b, d)
	b.WriteString("\nstream\n")
	b.Write(data)
	b.WriteString("\nendstream")
}

// newID keeps the file's first identifier and makes a new second one
// (ISO 32000-1, 14.4).
func newID(old Object) Array {
	fresh := make([]byte, 16)
	rand.Read(fresh)
	if a, ok := old.(Array); ok && len(a) == 2 {
		if first, ok := a[0].(String); ok {
			return Array{first, String(fresh)}
		}
	}
	return Array{String(fresh), String(fresh)}
}

// writeXRefTable writes a table section with one subsection per run.
func writeXRefTable(b *bytes.Buffer, nums []int, offsets map[int]int64, trailer Dict) {
	b.WriteString("xref\n")
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		fmt.Fprintf(b, "%d %d\n", nums[i], j-i+1)
		for k := i; k <= j; k++ {
			fmt.Fprintf(b, "%010d 00000 n\r\n", offsets[nums[k]])
		}
		i = j + 1
	}
	b.WriteString("trailer\n")
	write(b, trailer)
	b.WriteString("\n")
}

// writeXRefStream writes the section as an (unfiltered) xref stream,
// object xnum, entries of type 1 with 8-byte offsets.
func writeXRefStream(b *bytes.Buffer, xnum int, nums []int, offsets map[int]int64, trailer Dict) {
	sort.Ints(nums)
	var index Array
	var data []byte
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		index = append(index, Int(nums[i]), Int(j-i+1))
		for k := i; k <= j; k++ {
			off := offsets[nums[k]]
			data = append(data, 1)
			for s := 56; s >= 0; s -= 8 {
				data = append(data, byte(off>>s))
			}
			data = append(data, 0)
		}
		i = j + 1
	}
	d := clone(trailer)
	d["Type"], d["W"], d["Index"] = Name("XRef"), Array{Int(1), Int(8), Int(1)}, index
	fmt.Fprintf(b, "%d 0 obj\n", xnum)
	writeStream(b, d, data)
	b.WriteString("\nendobj\n")
}

// pdfDate is a date as PDF writes it: D:YYYYMMDDHHmmSS+HH'mm'.
func pdfDate(t time.Time) string {
	_, off := t.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("D:%s%c%02d'%02d'", t.Format("20060102150405"), sign, off/3600, off%3600/60)
}

// Corner is the corner of a page a stamp goes to when no place is given.
type Corner string

// The corners, half an inch from the page's edges.
const (
	BottomRight Corner = "bottom-right" // the default
	BottomLeft  Corner = "bottom-left"
	TopRight    Corner = "top-right"
	TopLeft     Corner = "top-left"
)

// Corners are the corners a stamp may go to, the default first.
var Corners = []Corner{BottomRight, BottomLeft, TopRight, TopLeft}

// stampPlace is where a stamp goes when no place is given: corner of the
// page's media box (bottom right when empty), half an inch from its edges.
func (f *File) stampPlace(page Dict, ap *Appearance, corner Corner) ([4]float64, error) {
	box, err := f.inherited(page, "MediaBox")
	if err != nil {
		return [4]float64{}, err
	}
	media := [4]float64{0, 0, 595, 842} // A4 when the page says nothing
	if a, ok := box.(Array); ok && len(a) == 4 {
		for i, v := range a {
			switch v := v.(type) {
			case Int:
				media[i] = float64(v)
			case Real:
				media[i] = float64(v)
			}
		}
	}
	w, h := 0.0, 0.0
	if bbox, ok := ap.Dict["BBox"].(Array); ok && len(bbox) == 4 {
		w, h = num(bbox[2])-num(bbox[0]), num(bbox[3])-num(bbox[1])
	}
	const margin = 36
	x, y := max(media[0], media[2]-margin-w), media[1]+margin
	switch corner {
	case BottomRight, "":
	case BottomLeft:
		x = media[0] + margin
	case TopRight:
		y = max(media[1], media[3]-margin-h)
	case TopLeft:
		x, y = media[0]+margin, max(media[1], media[3]-margin-h)
	default:
		return [4]float64{}, fmt.Errorf("pdf: no corner %q (%v)", corner, Corners)
	}
	return [4]float64{x, y, x + w, y + h}, nil
}

// inherited is a page attribute, from the page or the nearest ancestor
// that has it (ISO 32000-1, 7.7.3.4).
func (f *File) inherited(page Dict, key Name) (Object, error) {
	node := page
	for i := 0; node != nil && i < maxDepth; i++ {
		if v, ok := node[key]; ok {
			return f.Resolve(v)
		}
		var err error
		if node, err = f.Dict(node["Parent"]); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

func num(o Object) float64 {
	switch v := o.(type) {
	case Int:
		return float64(v)
	case Real:
		return float64(v)
	}
	return 0
}
