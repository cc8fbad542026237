package xmldsig

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/beevik/etree"
)

// parse reads an untrusted document into an etree tree, safely:
//   - at most MaxDocumentSize bytes and maxDepth levels;
//   - any DOCTYPE is refused (ErrDTD), so no entity can be declared, let
//     alone expanded, and the only entities are XML's five predefined ones;
//   - only UTF-8 (or its ASCII subset) is accepted (ErrEncoding);
//   - attribute values are normalized as XML 1.0 section 3.3.3 requires for
//     CDATA attributes (every attribute is CDATA without a DTD), a step Go's
//     encoding/xml skips: literal tabs and line ends become spaces, while
//     character references such as &#10; keep their character. Without it
//     a literal newline and &#10; would canonicalize alike here and unlike
//     in libxml2 or Santuario.
//
// The result has exactly one root element and no Directive tokens.
func parse(data []byte) (*etree.Document, error) {
	return parseLimited(data, false)
}

// parseLimited is parse that refuses, before a tree is built, a document
// of more than maxElements elements (the tree costs some 100–250 bytes an
// element, so tens of megabytes of tiny elements would otherwise take
// gigabytes) and, with needSignature, a large one (more than
// cheapTreeElements elements) with no element named Signature: what Verify
// would refuse after building the whole tree. A small one is built, so that
// a malformed document is called malformed rather than unsigned.
func parseLimited(data []byte, needSignature bool) (*etree.Document, error) {
	if len(data) > MaxDocumentSize {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(data), MaxDocumentSize)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // UTF-8 byte order mark
	norm, stats, err := prescan(data)
	switch {
	case err != nil:
		return nil, err
	case stats.elements > maxElements:
		return nil, fmt.Errorf("%w: more than %d elements", ErrTooLarge, maxElements)
	case stats.attributes > maxAttributes:
		return nil, fmt.Errorf("%w: more than %d attributes", ErrTooLarge, maxAttributes)
	case needSignature && stats.signatures == 0 && stats.elements > cheapTreeElements:
		return nil, ErrNoSignature
	}
	return build(norm)
}

// build makes the tree of a prescanned document.
func build(norm []byte) (*etree.Document, error) {
	doc := etree.NewDocument()
	var encErr error // encoding/xml flattens the CharsetReader's error
	doc.ReadSettings = etree.ReadSettings{
		CharsetReader: func(charset string, input io.Reader) (io.Reader, error) {
			r, err := utf8Only(charset, input)
			encErr = err
			return r, err
		},
		MaxDepth: maxDepth,
	}
	if err := doc.ReadFromBytes(norm); err != nil {
		switch {
		case encErr != nil:
			return nil, encErr
		case errors.Is(err, etree.ErrMaxDepth):
			return nil, fmt.Errorf("%w: nesting deeper than %d", ErrTooLarge, maxDepth)
		}
		return nil, fmt.Errorf("%w: %w", ErrNotXML, err)
	}
	roots := 0
	for _, t := range doc.Child {
		switch t := t.(type) {
		case *etree.Element:
			roots++
		case *etree.Directive:
			return nil, ErrDTD
		case *etree.CharData:
			if !t.IsWhitespace() {
				return nil, fmt.Errorf("%w: text outside the root element", ErrNotXML)
			}
		}
	}
	if roots != 1 {
		return nil, fmt.Errorf("%w: %d root elements", ErrNotXML, roots)
	}
	return doc, nil
}

// utf8Only is the parser's CharsetReader: encoding/xml calls it only for an
// encoding other than UTF-8.
func utf8Only(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return input, nil
	}
	return nil, fmt.Errorf("%w: document declares %q", ErrEncoding, charset)
}

// scanStats is what prescan counts on the way: start tags, and those whose
// local name is Signature (a document without one needs no tree to be
// refused by Verify).
type scanStats struct {
	elements, attributes, signatures int
}

// prescan walks the raw bytes once, tracking only what kind of markup it is
// in, to refuse DTDs, to normalize whitespace inside attribute values, and
// to count elements. It returns data itself when nothing needs changing.
func prescan(data []byte) ([]byte, scanStats, error) {
	var stats scanStats
	var out []byte // nil until the first change
	last := 0      // data[:last] is already in out
	replace := func(i, n int, with string) {
		out = append(out, data[last:i]...)
		out = append(out, with...)
		last = i + n
	}
	const (
		text = iota
		tag
		attrValue
	)
	state, quote := text, byte(0)
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch state {
		case text:
			if c != '<' {
				continue
			}
			rest := data[i:]
			switch {
			case bytes.HasPrefix(rest, []byte("<!--")):
				end := bytes.Index(rest[4:], []byte("-->"))
				if end < 0 {
					return nil, stats, fmt.Errorf("%w: unterminated comment", ErrNotXML)
				}
				i += 4 + end + 2
			case bytes.HasPrefix(rest, []byte("<![CDATA[")):
				end := bytes.Index(rest, []byte("]]>"))
				if end < 0 {
					return nil, stats, fmt.Errorf("%w: unterminated CDATA section", ErrNotXML)
				}
				i += end + 2
			case bytes.HasPrefix(rest, []byte("<!")):
				return nil, stats, ErrDTD
			case bytes.HasPrefix(rest, []byte("<?")):
				end := bytes.Index(rest, []byte("?>"))
				if end < 0 {
					return nil, stats, fmt.Errorf("%w: unterminated processing instruction", ErrNotXML)
				}
				i += end + 1
			default:
				state = tag
				if len(rest) > 1 && rest[1] != '/' {
					stats.elements++
					if localName(rest[1:]) == "Signature" {
						stats.signatures++
					}
				}
			}
		case tag:
			switch c {
			case '"', '\'':
				state, quote = attrValue, c
				stats.attributes++
			case '>':
				state = text
			}
		case attrValue:
			switch c {
			case quote:
				state = tag
			case '\t', '\n':
				replace(i, 1, " ")
			case '\r':
				if i+1 < len(data) && data[i+1] == '\n' {
					replace(i, 2, " ") // CR LF is one line end
					i++
				} else {
					replace(i, 1, " ")
				}
			}
		}
	}
	if out == nil {
		return data, stats, nil
	}
	return append(out, data[last:]...), stats, nil
}

// localName is the local part of the element name b begins with.
func localName(b []byte) string {
	end := bytes.IndexAny(b, " \t\r\n/>")
	if end < 0 {
		end = len(b)
	}
	name := b[:end]
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return string(name)
}
