package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// ErrSyntax: the bytes are not PDF syntax where an object was expected.
var ErrSyntax = errors.New("pdf: syntax error")

// Limits of the parser: a hostile file gets an error, not a stack overflow
// or an allocation its size does not justify.
const (
	maxDepth     = 64      // nested arrays and dictionaries
	maxElements  = 1 << 20 // entries of one array or dictionary
	maxStringLen = 32 << 20
)

// parser reads objects from buf.
type parser struct {
	buf []byte
	pos int
}

func (p *parser) errorf(format string, a ...any) error {
	return fmt.Errorf("%w at byte %d: %s", ErrSyntax, p.pos, fmt.Sprintf(format, a...))
}

// skip passes whitespace and comments.
func (p *parser) skip() {
	for p.pos < len(p.buf) {
		c := p.buf[p.pos]
		switch {
		case isWhite(c):
			p.pos++
		case c == '%':
			for p.pos < len(p.buf) && p.buf[p.pos] != '\n' && p.buf[p.pos] != '\r' {
				p.pos++
			}
		default:
			return
		}
	}
}

// keyword reads a run of regular characters (a number, true, obj, R…).
func (p *parser) keyword() []byte {
	start := p.pos
	for p.pos < len(p.buf) && !isWhite(p.buf[p.pos]) && !isDelimiter(p.buf[p.pos]) {
		p.pos++
	}
	return p.buf[start:p.pos]
}

// object reads one object; an integer followed by "G R" is a reference.
func (p *parser) object(depth int) (Object, error) {
	if depth > maxDepth {
		return nil, p.errorf("objects nested deeper than %d", maxDepth)
	}
	p.skip()
	if p.pos >= len(p.buf) {
		return nil, p.errorf("unexpected end")
	}
	switch c := p.buf[p.pos]; {
	case c == '/':
		p.pos++
		return p.name()
	case c == '(':
		p.pos++
		return p.literal()
	case c == '<' && p.pos+1 < len(p.buf) && p.buf[p.pos+1] == '<':
		p.pos += 2
		return p.dict(depth)
	case c == '<':
		p.pos++
		return p.hex()
	case c == '[':
		p.pos++
		return p.array(depth)
	case c == ']' || c == '>' || c == ')' || c == '{' || c == '}':
		return nil, p.errorf("unexpected %q", c)
	}
	word := p.keyword()
	switch string(word) {
	case "":
		return nil, p.errorf("unexpected %q", p.buf[p.pos])
	case "null":
		return nil, nil
	case "true":
		return Bool(true), nil
	case "false":
		return Bool(false), nil
	}
	if n, err := strconv.ParseInt(string(word), 10, 64); err == nil {
		// "N G R"?
		save := p.pos
		p.skip()
		g := p.keyword()
		if gen, err := strconv.Atoi(string(g)); err == nil && gen >= 0 && gen < 1<<16 {
			p.skip()
			if r := p.keyword(); string(r) == "R" && n >= 0 && n < 1<<31 {
				return Ref{Num: int(n), Gen: gen}, nil
			}
		}
		p.pos = save
		return Int(n), nil
	}
	if f, err := strconv.ParseFloat(string(word), 64); err == nil && validReal(word) {
		return Real(f), nil
	}
	return nil, p.errorf("unknown keyword %q", truncate(word))
}

// validReal accepts PDF reals only: digits with one point and a sign.
func validReal(w []byte) bool {
	dot := false
	for i, c := range w {
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && !dot:
			dot = true
		case (c == '-' || c == '+') && i == 0:
		default:
			return false
		}
	}
	return true
}

func truncate(b []byte) string {
	if len(b) > 20 {
		return string(b[:20]) + "…"
	}
	return string(b)
}

func (p *parser) name() (Object, error) {
	raw := p.keyword()
	if bytes.IndexByte(raw, '#') < 0 {
		return Name(raw), nil
	}
	var out []byte
	for i := 0; i < len(raw); i++ {
		if raw[i] == '#' && i+2 < len(raw) {
			if v, err := strconv.ParseUint(string(raw[i+1:i+3]), 16, 8); err == nil {
				out = append(out, byte(v))
				i += 2
				continue
			}
		}
		out = append(out, raw[i])
	}
	return Name(out), nil
}

func (p *parser) literal() (Object, error) {
	var out []byte
	depth := 1
	for p.pos < len(p.buf) {
		if len(out) > maxStringLen {
			return nil, p.errorf("string longer than %d bytes", maxStringLen)
		}
		c := p.buf[p.pos]
		p.pos++
		switch c {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return String(out), nil
			}
		case '\\':
			if p.pos >= len(p.buf) {
				return nil, p.errorf("unterminated string")
			}
			e := p.buf[p.pos]
			p.pos++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if p.pos < len(p.buf) && p.buf[p.pos] == '\n' {
					p.pos++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && p.pos < len(p.buf) && p.buf[p.pos] >= '0' && p.buf[p.pos] <= '7'; k++ {
						v = v*8 + int(p.buf[p.pos]-'0')
						p.pos++
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		out = append(out, c)
	}
	return nil, p.errorf("unterminated string")
}

func (p *parser) hex() (Object, error) {
	var out []byte
	var hi int = -1
	for p.pos < len(p.buf) {
		c := p.buf[p.pos]
		p.pos++
		if c == '>' {
			if hi >= 0 {
				out = append(out, byte(hi<<4))
			}
			return String(out), nil
		}
		if isWhite(c) {
			continue
		}
		v := unhex(c)
		if v < 0 {
			return nil, p.errorf("%q in a hexadecimal string", c)
		}
		if hi < 0 {
			hi = v
		} else {
			out = append(out, byte(hi<<4|v))
			hi = -1
		}
		if len(out) > maxStringLen {
			return nil, p.errorf("string longer than %d bytes", maxStringLen)
		}
	}
	return nil, p.errorf("unterminated hexadecimal string")
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func (p *parser) array(depth int) (Object, error) {
	var out Array
	for {
		p.skip()
		if p.pos >= len(p.buf) {
			return nil, p.errorf("unterminated array")
		}
		if p.buf[p.pos] == ']' {
			p.pos++
			return out, nil
		}
		if len(out) >= maxElements {
			return nil, p.errorf("array longer than %d", maxElements)
		}
		o, err := p.object(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
}

func (p *parser) dict(depth int) (Object, error) {
	out := Dict{}
	for {
		p.skip()
		if p.pos+1 < len(p.buf) && p.buf[p.pos] == '>' && p.buf[p.pos+1] == '>' {
			p.pos += 2
			return out, nil
		}
		if p.pos >= len(p.buf) {
			return nil, p.errorf("unterminated dictionary")
		}
		if p.buf[p.pos] != '/' {
			return nil, p.errorf("a dictionary key must be a name")
		}
		p.pos++
		k, _ := p.name()
		if len(out) >= maxElements {
			return nil, p.errorf("dictionary longer than %d", maxElements)
		}
		v, err := p.object(depth + 1)
		if err != nil {
			return nil, err
		}
		out[k.(Name)] = v
	}
}
