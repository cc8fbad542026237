package pdf

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Errors callers act on.
var (
	ErrNotPDF    = errors.New("pdf: not a PDF file")
	ErrDamaged   = errors.New("pdf: damaged")
	ErrEncrypted = errors.New("pdf: encrypted (password-protected) PDFs are not signed or verified here")
)

// Bounds of what is read: a hostile file costs at most these.
const (
	tailSize        = 2048     // where startxref is looked for
	maxXRefSections = 4096     // incremental updates followed through /Prev
	maxObjects      = 10000000 // cross-reference entries
	maxObjectBytes  = 16 << 20 // one object's dictionary (not its stream)
	maxDecoded      = 64 << 20 // a decoded xref or object stream
)

// xrefEntry is where one object is: at an offset, or in an object stream.
type xrefEntry struct {
	kind   byte // 1: at offset; 2: in object stream stream, at index
	offset int64
	gen    int
	stream int
	index  int
}

// File is a PDF opened for reading: its trailer and cross-reference, with
// objects read from r when asked for.
type File struct {
	r    io.ReaderAt
	size int64
	// Trailer is the newest trailer (of a table, or an xref stream's dict).
	Trailer Dict
	// StartXRef is the offset of the newest cross-reference section;
	// XRefStream says it is a stream (PDF 1.5) rather than a table.
	StartXRef  int64
	XRefStream bool
	xref       map[int]xrefEntry
	objStreams map[int][]Object
	// reading are the objects being read: a stream's /Length, or an
	// object stream, that leads back to one of them is a loop.
	reading map[int]bool
}

// Open reads a PDF's cross-reference (every section, newest first).
func Open(r io.ReaderAt, size int64) (*File, error) {
	f := &File{r: r, size: size, xref: map[int]xrefEntry{}, objStreams: map[int][]Object{}, reading: map[int]bool{}}
	head := make([]byte, 1024)
	n, _ := r.ReadAt(head, 0)
	if !bytes.Contains(head[:n], []byte("%PDF-")) {
		return nil, ErrNotPDF
	}
	start, err := f.startXRef()
	if err != nil {
		return nil, err
	}
	f.StartXRef = start
	seen := map[int64]bool{}
	for off, i := start, 0; off >= 0; i++ {
		if i == maxXRefSections || seen[off] {
			return nil, fmt.Errorf("%w: the cross-reference sections loop or are more than %d", ErrDamaged, maxXRefSections)
		}
		seen[off] = true
		trailer, isStream, err := f.readSection(off)
		if err != nil {
			return nil, fmt.Errorf("%w: cross-reference at %d: %w", ErrDamaged, off, err)
		}
		if i == 0 {
			f.Trailer, f.XRefStream = trailer, isStream
		}
		// A hybrid file's table points at a stream with the newer entries.
		if stm, ok := trailer["XRefStm"].(Int); ok && !seen[int64(stm)] {
			seen[int64(stm)] = true
			if _, _, err := f.readSection(int64(stm)); err != nil {
				return nil, fmt.Errorf("%w: cross-reference stream at %d: %w", ErrDamaged, stm, err)
			}
		}
		off = -1
		if prev, ok := trailer["Prev"].(Int); ok {
			off = int64(prev)
		}
	}
	if _, ok := f.Trailer["Encrypt"]; ok {
		return nil, ErrEncrypted
	}
	if _, ok := f.Trailer["Root"].(Ref); !ok {
		return nil, fmt.Errorf("%w: the trailer names no catalog (/Root)", ErrDamaged)
	}
	return f, nil
}

// Size is the file's length.
func (f *File) Size() int64 { return f.size }

// NextObject is the number the next new object gets (the trailer's /Size,
// or above every object the cross-reference names).
func (f *File) NextObject() int {
	n := 0
	if s, ok := f.Trailer["Size"].(Int); ok && s > 0 && s < maxObjects {
		n = int(s)
	}
	for num := range f.xref {
		n = max(n, num+1)
	}
	return n
}

// startXRef reads the offset after the last "startxref".
func (f *File) startXRef() (int64, error) {
	from := max(0, f.size-tailSize)
	tail := make([]byte, f.size-from)
	if _, err := f.r.ReadAt(tail, from); err != nil && err != io.EOF {
		return 0, err
	}
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return 0, fmt.Errorf("%w: no startxref at the end (the file is cut short?)", ErrDamaged)
	}
	p := &parser{buf: tail, pos: i + len("startxref")}
	p.skip()
	off, err := strconv.ParseInt(string(p.keyword()), 10, 64)
	if err != nil || off < 0 || off >= f.size {
		return 0, fmt.Errorf("%w: startxref points outside the file", ErrDamaged)
	}
	return off, nil
}

// window reads up to n bytes at off.
func (f *File) window(off int64, n int) ([]byte, error) {
	if off < 0 || off >= f.size {
		return nil, fmt.Errorf("offset %d outside the file", off)
	}
	n = int(min(int64(n), f.size-off))
	buf := make([]byte, n)
	if _, err := f.r.ReadAt(buf, off); err != nil && err != io.EOF {
		return nil, err
	}
	return buf, nil
}

// readSection reads the cross-reference section at off into f.xref (older
// sections do not override newer entries) and returns its trailer.
func (f *File) readSection(off int64) (Dict, bool, error) {
	head, err := f.window(off, 4)
	if err != nil {
		return nil, false, err
	}
	if string(head) == "xref" {
		t, err := f.readTable(off)
		return t, false, err
	}
	obj, err := f.readObjectAt(off, -1)
	if err != nil {
		return nil, false, err
	}
	s, ok := obj.(*Stream)
	if !ok || s.Dict["Type"] != Name("XRef") {
		return nil, false, errors.New("neither a table nor an xref stream")
	}
	return s.Dict, true, f.readXRefStream(s)
}

// readTable reads "xref" subsections and the trailer dictionary.
func (f *File) readTable(off int64) (Dict, error) {
	size := 64 << 10
	for {
		buf, err := f.window(off, size)
		if err != nil {
			return nil, err
		}
		trailer, entries, err := parseTable(buf)
		if err == nil {
			for num, e := range entries {
				if _, newer := f.xref[num]; !newer {
					f.xref[num] = e
				}
			}
			return trailer, nil
		}
		if !errors.Is(err, errShort) || len(buf) < size || size >= maxObjectBytes*4 {
			return nil, err
		}
		size *= 4
	}
}

var errShort = errors.New("the section runs past what was read")

// parseTable parses a table section that starts buf.
func parseTable(buf []byte) (Dict, map[int]xrefEntry, error) {
	p := &parser{buf: buf, pos: len("xref")}
	entries := map[int]xrefEntry{}
	for {
		p.skip()
		if bytes.HasPrefix(buf[p.pos:], []byte("trailer")) {
			p.pos += len("trailer")
			t, err := p.object(0)
			if err != nil {
				if p.pos >= len(buf) {
					return nil, nil, errShort
				}
				return nil, nil, err
			}
			d, ok := t.(Dict)
			if !ok {
				return nil, nil, errors.New("the trailer is not a dictionary")
			}
			return d, entries, nil
		}
		first, err1 := strconv.Atoi(string(p.keyword()))
		p.skip()
		count, err2 := strconv.Atoi(string(p.keyword()))
		if err1 != nil || err2 != nil || first < 0 || count < 0 || first+count > maxObjects {
			if p.pos >= len(buf) {
				return nil, nil, errShort
			}
			return nil, nil, errors.New("a subsection header is not two numbers")
		}
		for i := 0; i < count; i++ {
			p.skip()
			o, err1 := strconv.ParseInt(string(p.keyword()), 10, 64)
			p.skip()
			g, err2 := strconv.Atoi(string(p.keyword()))
			p.skip()
			kind := p.keyword()
			if p.pos >= len(buf) {
				return nil, nil, errShort
			}
			if err1 != nil || err2 != nil || (string(kind) != "n" && string(kind) != "f") {
				return nil, nil, fmt.Errorf("entry %d is not «offset generation n|f»", first+i)
			}
			if string(kind) == "n" {
				if _, dup := entries[first+i]; !dup {
					entries[first+i] = xrefEntry{kind: 1, offset: o, gen: g}
				}
			} else if _, dup := entries[first+i]; !dup {
				entries[first+i] = xrefEntry{kind: 0}
			}
		}
	}
}

// readXRefStream reads an xref stream's entries into f.xref.
func (f *File) readXRefStream(s *Stream) error {
	data, err := f.decode(s)
	if err != nil {
		return err
	}
	w, ok := s.Dict["W"].(Array)
	if !ok || len(w) != 3 {
		return errors.New("xref stream: /W is not three numbers")
	}
	var widths [3]int
	row := 0
	for i, v := range w {
		n, ok := v.(Int)
		if !ok || n < 0 || n > 8 {
			return errors.New("xref stream: bad /W")
		}
		widths[i] = int(n)
		row += int(n)
	}
	if row == 0 {
		return errors.New("xref stream: /W is all zero")
	}
	index := Array{Int(0), s.Dict["Size"]}
	if ix, ok := s.Dict["Index"].(Array); ok {
		index = ix
	}
	pos := 0
	for i := 0; i+1 < len(index); i += 2 {
		first, ok1 := index[i].(Int)
		count, ok2 := index[i+1].(Int)
		if !ok1 || !ok2 || first < 0 || count < 0 || first+count > maxObjects {
			return errors.New("xref stream: bad /Index")
		}
		for k := 0; k < int(count); k++ {
			if pos+row > len(data) {
				return errors.New("xref stream: shorter than /Index says")
			}
			field := func(j int) int64 {
				var v int64
				start := pos
				for x := 0; x < j; x++ {
					start += widths[x]
				}
				for _, b := range data[start : start+widths[j]] {
					v = v<<8 | int64(b)
				}
				return v
			}
			typ := int64(1)
			if widths[0] > 0 {
				typ = field(0)
			}
			num := int(first) + k
			if _, newer := f.xref[num]; !newer {
				switch typ {
				case 0:
					f.xref[num] = xrefEntry{kind: 0}
				case 1:
					f.xref[num] = xrefEntry{kind: 1, offset: field(1), gen: int(field(2))}
				case 2:
					f.xref[num] = xrefEntry{kind: 2, stream: int(field(1)), index: int(field(2))}
				}
			}
			pos += row
		}
	}
	return nil
}

// Resolve follows references (a reference to a missing object is null).
func (f *File) Resolve(o Object) (Object, error) {
	for range 32 {
		r, ok := o.(Ref)
		if !ok {
			return o, nil
		}
		var err error
		if o, err = f.Object(r.Num); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("%w: references chain further than 32", ErrDamaged)
}

// Dict resolves o to a dictionary (nil when it is none).
func (f *File) Dict(o Object) (Dict, error) {
	o, err := f.Resolve(o)
	if err != nil {
		return nil, err
	}
	switch o := o.(type) {
	case Dict:
		return o, nil
	case *Stream:
		return o.Dict, nil
	}
	return nil, nil
}

// Array resolves o to an array (nil when it is none).
func (f *File) Array(o Object) (Array, error) {
	o, err := f.Resolve(o)
	if err != nil {
		return nil, err
	}
	a, _ := o.(Array)
	return a, nil
}

// Object reads object num (nil when the cross-reference has none).
func (f *File) Object(num int) (Object, error) {
	if f.reading[num] || len(f.reading) > maxDepth {
		return nil, fmt.Errorf("%w: object %d refers back to itself while it is read", ErrDamaged, num)
	}
	f.reading[num] = true
	defer delete(f.reading, num)
	e, ok := f.xref[num]
	switch {
	case !ok || e.kind == 0:
		return nil, nil
	case e.kind == 1:
		o, err := f.readObjectAt(e.offset, num)
		if err != nil {
			return nil, fmt.Errorf("%w: object %d: %w", ErrDamaged, num, err)
		}
		return o, nil
	}
	objs, err := f.objectStream(e.stream)
	if err != nil {
		return nil, fmt.Errorf("%w: object %d in object stream %d: %w", ErrDamaged, num, e.stream, err)
	}
	if e.index < 0 || e.index >= len(objs) {
		return nil, fmt.Errorf("%w: object %d: index %d past its object stream", ErrDamaged, num, e.index)
	}
	return objs[e.index], nil
}

// readObjectAt parses "N G obj … endobj" at off (num -1: any number).
func (f *File) readObjectAt(off int64, num int) (Object, error) {
	size := 4096
	for {
		buf, err := f.window(off, size)
		if err != nil {
			return nil, err
		}
		o, err := f.parseIndirect(buf, off, num)
		if err == nil {
			return o, nil
		}
		if len(buf) < size || size >= maxObjectBytes {
			return nil, err
		}
		size *= 8
	}
}

// parseIndirect parses an indirect object at the start of buf (read at off).
func (f *File) parseIndirect(buf []byte, off int64, num int) (Object, error) {
	p := &parser{buf: buf}
	p.skip()
	n, err1 := strconv.Atoi(string(p.keyword()))
	p.skip()
	_, err2 := strconv.Atoi(string(p.keyword()))
	p.skip()
	if err1 != nil || err2 != nil || string(p.keyword()) != "obj" {
		return nil, errors.New("no «N G obj» where the cross-reference points")
	}
	if num >= 0 && n != num {
		return nil, fmt.Errorf("the cross-reference points at object %d", n)
	}
	o, err := p.object(0)
	if err != nil {
		return nil, err
	}
	d, isDict := o.(Dict)
	p.skip()
	if !isDict || !bytes.HasPrefix(buf[p.pos:], []byte("stream")) {
		return o, nil
	}
	p.pos += len("stream")
	if p.pos < len(buf) && buf[p.pos] == '\r' {
		p.pos++
	}
	if p.pos < len(buf) && buf[p.pos] == '\n' {
		p.pos++
	}
	if p.pos >= len(buf) {
		return nil, errShort
	}
	length, err := f.Resolve(d["Length"])
	if err != nil {
		return nil, err
	}
	l, ok := length.(Int)
	start := off + int64(p.pos)
	if !ok || l < 0 || start+int64(l) > f.size {
		return nil, errors.New("a stream's /Length is missing or runs past the end of the file")
	}
	return &Stream{Dict: d, Offset: start, Length: int64(l)}, nil
}

// decode reads and decodes a stream (FlateDecode, with PNG predictors, or
// none), at most maxDecoded bytes.
func (f *File) decode(s *Stream) ([]byte, error) {
	if s.Length > maxDecoded {
		return nil, fmt.Errorf("a stream of %d bytes is more than is read here", s.Length)
	}
	raw := make([]byte, s.Length)
	if _, err := f.r.ReadAt(raw, s.Offset); err != nil && err != io.EOF {
		return nil, err
	}
	filter := s.Dict["Filter"]
	if a, ok := filter.(Array); ok && len(a) == 1 {
		filter = a[0]
	}
	switch filter {
	case nil:
		return raw, nil
	case Name("FlateDecode"):
	default:
		return nil, fmt.Errorf("stream filter %v is not read here", filter)
	}
	zr, err := zlib.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(zr, maxDecoded+1))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	if len(data) > maxDecoded {
		return nil, fmt.Errorf("a stream decodes to more than %d bytes", maxDecoded)
	}
	parms, _ := s.Dict["DecodeParms"].(Dict)
	if a, ok := s.Dict["DecodeParms"].(Array); ok && len(a) == 1 {
		parms, _ = a[0].(Dict)
	}
	if pred, _ := parms["Predictor"].(Int); pred >= 10 {
		cols := 1
		if c, ok := parms["Columns"].(Int); ok && c > 0 && c < 1<<16 {
			cols = int(c)
		}
		return unpredictPNG(data, cols)
	}
	return data, nil
}

// unpredictPNG undoes PNG row predictors (1 byte per pixel, as xref
// streams use them).
func unpredictPNG(data []byte, cols int) ([]byte, error) {
	row := cols + 1
	if len(data)%row != 0 {
		return nil, errors.New("predicted data is not whole rows")
	}
	out := make([]byte, 0, len(data)/row*cols)
	prev := make([]byte, cols)
	for i := 0; i < len(data); i += row {
		typ, cur := data[i], bytes.Clone(data[i+1:i+row])
		for j := range cur {
			var left, up, upLeft byte
			if j > 0 {
				left, upLeft = cur[j-1], prev[j-1]
			}
			up = prev[j]
			switch typ {
			case 0:
			case 1:
				cur[j] += left
			case 2:
				cur[j] += up
			case 3:
				cur[j] += byte((int(left) + int(up)) / 2)
			case 4:
				cur[j] += paeth(left, up, upLeft)
			default:
				return nil, fmt.Errorf("PNG predictor %d", typ)
			}
		}
		out = append(out, cur...)
		prev = cur
	}
	return out, nil
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// objectStream reads and parses object stream num (cached).
func (f *File) objectStream(num int) ([]Object, error) {
	if objs, ok := f.objStreams[num]; ok {
		return objs, nil
	}
	e, ok := f.xref[num]
	if !ok || e.kind != 1 {
		return nil, errors.New("the object stream is not in the file")
	}
	o, err := f.readObjectAt(e.offset, num)
	if err != nil {
		return nil, err
	}
	s, ok := o.(*Stream)
	if !ok || s.Dict["Type"] != Name("ObjStm") {
		return nil, errors.New("not an object stream")
	}
	data, err := f.decode(s)
	if err != nil {
		return nil, err
	}
	n, _ := s.Dict["N"].(Int)
	first, _ := s.Dict["First"].(Int)
	if n < 0 || n > maxElements || first < 0 || int(first) > len(data) {
		return nil, errors.New("bad /N or /First")
	}
	p := &parser{buf: data}
	offsets := make([]int, n)
	for i := range offsets {
		p.skip()
		p.keyword() // the object's number
		p.skip()
		o, err := strconv.Atoi(string(p.keyword()))
		if err != nil || o < 0 || int(first)+o > len(data) {
			return nil, errors.New("bad object offsets")
		}
		offsets[i] = int(first) + o
	}
	objs := make([]Object, n)
	for i, off := range offsets {
		p := &parser{buf: data, pos: off}
		if objs[i], err = p.object(0); err != nil {
			return nil, err
		}
	}
	if len(f.objStreams) > 64 {
		clear(f.objStreams) // bound the cache
	}
	f.objStreams[num] = objs
	return objs, nil
}
