// Package pdf signs PDF files inside the PDF (PAdES: a signature field
// whose /Contents holds a detached CMS over the /ByteRange), as an
// incremental update that leaves every earlier byte — and so every
// earlier signature — as it was, and finds and checks the signatures a
// PDF carries.
//
// It reads PDFs lazily: the cross-reference sections (tables and streams,
// object streams included) and only the objects signing or verification
// needs — never the page contents — so a 100 MB file is signed in a few
// megabytes of memory, its bytes streamed through the hash.
package pdf

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
)

// The PDF objects (ISO 32000-1, 7.3).
type (
	// Object is any PDF object: nil (null), Bool, Int, Real, String, Name,
	// Array, Dict, Ref or *Stream.
	Object any
	Bool   bool
	Int    int64
	Real   float64
	// String is a literal or hexadecimal string's bytes.
	String []byte
	// Name is a name without its slash, #xx escapes decoded.
	Name  string
	Array []Object
	Dict  map[Name]Object
	// Ref is an indirect reference.
	Ref struct{ Num, Gen int }
)

// Stream is a stream object: its dictionary and where its (encoded)
// bytes are in the file; they are read only when asked for.
type Stream struct {
	Dict   Dict
	Offset int64
	Length int64
}

// Get is d[key] (nil when absent).
func (d Dict) Get(key Name) Object { return d[key] }

// write appends the object in PDF syntax.
func write(b *bytes.Buffer, o Object) {
	switch o := o.(type) {
	case nil:
		b.WriteString("null")
	case Bool:
		b.WriteString(strconv.FormatBool(bool(o)))
	case Int:
		b.WriteString(strconv.FormatInt(int64(o), 10))
	case Real:
		b.WriteString(strconv.FormatFloat(float64(o), 'f', -1, 64))
	case String:
		writeString(b, o)
	case Name:
		writeName(b, o)
	case Array:
		b.WriteByte('[')
		for i, e := range o {
			if i > 0 {
				b.WriteByte(' ')
			}
			write(b, e)
		}
		b.WriteByte(']')
	case Dict:
		b.WriteString("<<")
		keys := make([]string, 0, len(o))
		for k := range o {
			keys = append(keys, string(k))
		}
		sort.Strings(keys)
		for _, k := range keys {
			writeName(b, Name(k))
			b.WriteByte(' ')
			write(b, o[Name(k)])
		}
		b.WriteString(">>")
	case Ref:
		fmt.Fprintf(b, "%d %d R", o.Num, o.Gen)
	case rawObject:
		b.Write(o)
	default:
		panic(fmt.Sprintf("pdf: cannot write %T", o))
	}
}

// rawObject is written as it is (the signature's placeholders).
type rawObject []byte

// writeString writes a literal string, escaping what must be.
func writeString(b *bytes.Buffer, s String) {
	b.WriteByte('(')
	for _, c := range s {
		switch c {
		case '(', ')', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r':
			b.WriteString(`\r`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(')')
}

// writeName writes /Name, escaping delimiters, whitespace and non-ASCII.
func writeName(b *bytes.Buffer, n Name) {
	b.WriteByte('/')
	for i := 0; i < len(n); i++ {
		c := n[i]
		if c <= ' ' || c >= 0x7f || c == '#' || isDelimiter(c) {
			fmt.Fprintf(b, "#%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
}

func isWhite(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func isDelimiter(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

// textString is a PDF text string: UTF-16BE with a byte-order mark, so
// that any name (Kazakh letters included) survives.
func textString(s string) String {
	out := []byte{0xfe, 0xff}
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			hi, lo := 0xd800+(r>>10), 0xdc00+(r&0x3ff)
			out = append(out, byte(hi>>8), byte(hi), byte(lo>>8), byte(lo))
			continue
		}
		out = append(out, byte(r>>8), byte(r))
	}
	return out
}

// decodeText reads a text string (UTF-16BE with a mark, else
// PDFDocEncoding taken as Latin-1).
func decodeText(s String) string {
	if len(s) >= 2 && s[0] == 0xfe && s[1] == 0xff {
		var rs []rune
		for i := 2; i+1 < len(s); i += 2 {
			u := rune(s[i])<<8 | rune(s[i+1])
			if u >= 0xd800 && u < 0xdc00 && i+3 < len(s) {
				l := rune(s[i+2])<<8 | rune(s[i+3])
				if l >= 0xdc00 && l < 0xe000 {
					rs = append(rs, 0x10000+(u-0xd800)<<10+(l-0xdc00))
					i += 2
					continue
				}
			}
			rs = append(rs, u)
		}
		return string(rs)
	}
	rs := make([]rune, len(s))
	for i, c := range s {
		rs[i] = rune(c)
	}
	return string(rs)
}
