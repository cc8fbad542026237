package ber

import "fmt"

// Identifier classes and the universal tags the converter treats specially.
const (
	classUniversal = 0x00

	tagEOC       = 0
	tagBoolean   = 1
	tagInteger   = 2
	tagBitString = 3
	tagOctetStr  = 4
	tagNull      = 5
	tagOID       = 6
	tagReal      = 9
	tagEnum      = 10
	tagRelOID    = 13
	tagSequence  = 16
	tagSet       = 17
)

// isStringType reports universal tags whose BER encoding may be constructed
// from segments (X.690 8.6, 8.7, 8.23): bit, octet, character and time
// strings.
func isStringType(tag uint32) bool {
	switch tag {
	case tagBitString, tagOctetStr, 12 /* UTF8String */, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 30:
		return true
	}
	return false
}

// mustBePrimitive reports universal tags that X.690 never allows constructed.
func mustBePrimitive(tag uint32) bool {
	switch tag {
	case tagEOC, tagBoolean, tagInteger, tagNull, tagOID, tagReal, tagEnum, tagRelOID:
		return true
	}
	return false
}

// node is one parsed element. Primitive content aliases the input unless the
// converter had to build it (then it is listed in parser.owned for wiping).
type node struct {
	offset      int
	class       byte // 0x00, 0x40, 0x80 or 0xC0
	constructed bool
	tag         uint32
	content     []byte  // primitive elements
	children    []*node // constructed elements
	clen        int     // content length in DER; -1 until computed
}

func (n *node) isEOC() bool { return n.class == classUniversal && n.tag == tagEOC }

type parser struct {
	data     []byte
	maxDepth int
	// elements counts the nodes built; maxElements bounds them.
	elements, maxElements int
	owned                 [][]byte // buffers built by the converter, zeroed after use
}

// wipe zeroes the buffers the converter assembled: they may hold decrypted
// key material and the caller only keeps the output.
func (p *parser) wipe() {
	for _, b := range p.owned {
		clear(b)
	}
	p.owned = nil
}

func (p *parser) errf(off int, format string, args ...any) error {
	return &Error{Offset: off, Msg: fmt.Sprintf(format, args...), Err: ErrSyntax}
}

// header reads an identifier and a length at off. length is -1 for the
// indefinite form. It returns the offset of the contents.
func (p *parser) header(off int) (class byte, constructed bool, tag uint32, length int, body int, err error) {
	d := p.data
	if off >= len(d) {
		return 0, false, 0, 0, 0, p.errf(off, "truncated: expected an identifier")
	}
	b := d[off]
	class, constructed, tag = b&0xC0, b&0x20 != 0, uint32(b&0x1F)
	i := off + 1
	if tag == 0x1F {
		tag = 0
		for n := 0; ; n++ {
			if i >= len(d) {
				return 0, false, 0, 0, 0, p.errf(off, "truncated tag number")
			}
			c := d[i]
			i++
			if n == 0 && c == 0x80 {
				return 0, false, 0, 0, 0, p.errf(off, "tag number has leading zero bits")
			}
			if n == 4 || tag > (1<<31-1)>>7 {
				return 0, false, 0, 0, 0, p.errf(off, "tag number too large")
			}
			tag = tag<<7 | uint32(c&0x7F)
			if c&0x80 == 0 {
				break
			}
		}
	}
	if i >= len(d) {
		return 0, false, 0, 0, 0, p.errf(off, "truncated: expected a length")
	}
	lb := d[i]
	i++
	switch {
	case lb < 0x80:
		length = int(lb)
	case lb == 0x80:
		if !constructed {
			return 0, false, 0, 0, 0, p.errf(off, "indefinite length on a primitive element")
		}
		length = -1
	case lb == 0xFF:
		return 0, false, 0, 0, 0, p.errf(off, "reserved length octet 0xFF")
	default:
		n := int(lb & 0x7F)
		if n > len(d)-i {
			return 0, false, 0, 0, 0, p.errf(off, "truncated length")
		}
		v := 0
		for _, c := range d[i : i+n] {
			if v > (len(d)) { // already larger than any possible content
				return 0, false, 0, 0, 0, p.errf(off, "length exceeds the input")
			}
			v = v<<8 | int(c)
		}
		i += n
		length = v
	}
	if length > len(d)-i {
		return 0, false, 0, 0, 0, p.errf(off, "length %d exceeds the %d bytes left", length, len(d)-i)
	}
	return class, constructed, tag, length, i, nil
}

// element parses the element at off, at nesting depth depth, and returns it
// and the offset just past it.
func (p *parser) element(off, depth int) (*node, int, error) {
	class, constructed, tag, length, body, err := p.header(off)
	if err != nil {
		return nil, 0, err
	}
	if constructed && depth > p.maxDepth {
		return nil, 0, &Error{Offset: off, Msg: fmt.Sprintf("nesting deeper than %d", p.maxDepth), Err: ErrTooDeep}
	}
	if p.elements++; p.maxElements > 0 && p.elements > p.maxElements {
		return nil, 0, &Error{Offset: off, Msg: fmt.Sprintf("more than %d elements", p.maxElements), Err: ErrTooLarge}
	}
	n := &node{offset: off, class: class, constructed: constructed, tag: tag, clen: -1}
	if class == classUniversal {
		if constructed && mustBePrimitive(tag) {
			return nil, 0, p.errf(off, "universal tag %d must be primitive", tag)
		}
		if !constructed && (tag == tagSequence || tag == tagSet) {
			return nil, 0, p.errf(off, "SEQUENCE or SET must be constructed")
		}
		if tag == tagEOC && length != 0 {
			return nil, 0, p.errf(off, "end-of-contents marker with a non-zero length")
		}
	}
	if !constructed {
		end := body + length
		n.content = p.data[body:end]
		if class == classUniversal && tag == tagBoolean {
			if length != 1 {
				return nil, 0, p.errf(off, "BOOLEAN of %d bytes", length)
			}
			if n.content[0] != 0 && n.content[0] != 0xFF {
				n.content = []byte{0xFF}
			}
		}
		return n, end, nil
	}

	// Constructed: children up to the end or up to the end-of-contents marker.
	pos := body
	limit := len(p.data)
	if length >= 0 {
		limit = body + length
	}
	for {
		if length >= 0 && pos == limit {
			break
		}
		if length < 0 && pos >= len(p.data) {
			return nil, 0, p.errf(off, "indefinite-length element without an end-of-contents marker")
		}
		c, next, err := p.element(pos, depth+1)
		if err != nil {
			return nil, 0, err
		}
		if next > limit {
			return nil, 0, p.errf(pos, "element overruns its parent at offset %d", off)
		}
		if c.isEOC() {
			if length >= 0 {
				return nil, 0, p.errf(pos, "end-of-contents marker inside a definite-length element")
			}
			pos = next
			break
		}
		n.children = append(n.children, c)
		pos = next
	}
	if class == classUniversal && isStringType(tag) {
		if err := p.flatten(n); err != nil {
			return nil, 0, err
		}
	}
	return n, pos, nil
}

// flatten turns a constructed string into the primitive string made of its
// segments (X.690 8.6.4 for BIT STRING, 8.7.3 for OCTET STRING).
func (p *parser) flatten(n *node) error {
	var segs [][]byte
	if err := p.collect(n, n.tag, &segs); err != nil {
		return err
	}
	total := 0
	for _, s := range segs {
		total += len(s)
	}
	var buf []byte
	if n.tag == tagBitString {
		// Each segment starts with its count of unused bits; only the last
		// segment may have any.
		unused := byte(0)
		body := 0
		for i, s := range segs {
			if len(s) == 0 {
				return p.errf(n.offset, "BIT STRING segment without the unused-bits octet")
			}
			if s[0] > 7 || (s[0] != 0 && (i != len(segs)-1 || len(s) == 1)) {
				return p.errf(n.offset, "BIT STRING segment %d has invalid unused-bits count %d", i, s[0])
			}
			unused = s[0]
			body += len(s) - 1
		}
		buf = make([]byte, 1, 1+body)
		buf[0] = unused
		for _, s := range segs {
			buf = append(buf, s[1:]...)
		}
	} else {
		buf = make([]byte, 0, total)
		for _, s := range segs {
			buf = append(buf, s...)
		}
	}
	p.owned = append(p.owned, buf)
	n.constructed = false
	n.children = nil
	n.content = buf
	return nil
}

// collect gathers the segments of a constructed string. BER allows nested
// constructed segments; they were already flattened when they were parsed,
// so every child is primitive here.
func (p *parser) collect(n *node, tag uint32, segs *[][]byte) error {
	for _, c := range n.children {
		if c.class != classUniversal || c.tag != tag || c.constructed {
			return p.errf(c.offset, "segment of a constructed string has tag %d, want %d", c.tag, tag)
		}
		*segs = append(*segs, c.content)
	}
	return nil
}
