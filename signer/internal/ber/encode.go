package ber

// contentLen returns the length of n's DER contents, caching it.
func (n *node) contentLen() int {
	if n.clen >= 0 {
		return n.clen
	}
	if !n.constructed {
		n.clen = len(n.content)
		return n.clen
	}
	total := 0
	for _, c := range n.children {
		total += c.encodedLen()
	}
	n.clen = total
	return total
}

// encodedLen returns the length of n's whole DER encoding.
func (n *node) encodedLen() int {
	l := n.contentLen()
	return tagLen(n.tag) + lengthLen(l) + l
}

func tagLen(tag uint32) int {
	if tag < 0x1F {
		return 1
	}
	n := 1
	for t := tag; t > 0; t >>= 7 {
		n++
	}
	return n
}

func lengthLen(l int) int {
	if l < 0x80 {
		return 1
	}
	n := 1
	for ; l > 0; l >>= 8 {
		n++
	}
	return n
}

// appendDER appends n's DER encoding: minimal tag, minimal definite length.
func (n *node) appendDER(out []byte) []byte {
	b := n.class
	if n.constructed {
		b |= 0x20
	}
	if n.tag < 0x1F {
		out = append(out, b|byte(n.tag))
	} else {
		out = append(out, b|0x1F)
		k := tagLen(n.tag) - 1
		for i := k - 1; i >= 0; i-- {
			c := byte(n.tag>>(7*uint(i))) & 0x7F
			if i > 0 {
				c |= 0x80
			}
			out = append(out, c)
		}
	}
	l := n.contentLen()
	if l < 0x80 {
		out = append(out, byte(l))
	} else {
		k := lengthLen(l) - 1
		out = append(out, 0x80|byte(k))
		for i := k - 1; i >= 0; i-- {
			out = append(out, byte(l>>(8*uint(i))))
		}
	}
	if !n.constructed {
		return append(out, n.content...)
	}
	for _, c := range n.children {
		out = c.appendDER(out)
	}
	return out
}
