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
	if len(data) > MaxDocumentSize {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(data), MaxDocumentSize)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // UTF-8 byte order mark
	norm, err := prescan(data)
	if err != nil {
		return nil, err
	}
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

// prescan walks the raw bytes once, tracking only what kind of markup it is
// in, to refuse DTDs and to normalize whitespace inside attribute values.
// It returns data itself when nothing needs changing.
func prescan(data []byte) ([]byte, error) {
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
					return nil, fmt.Errorf("%w: unterminated comment", ErrNotXML)
				}
				i += 4 + end + 2
			case bytes.HasPrefix(rest, []byte("<![CDATA[")):
				end := bytes.Index(rest, []byte("]]>"))
				if end < 0 {
					return nil, fmt.Errorf("%w: unterminated CDATA section", ErrNotXML)
				}
				i += end + 2
			case bytes.HasPrefix(rest, []byte("<!")):
				return nil, ErrDTD
			case bytes.HasPrefix(rest, []byte("<?")):
				end := bytes.Index(rest, []byte("?>"))
				if end < 0 {
					return nil, fmt.Errorf("%w: unterminated processing instruction", ErrNotXML)
				}
				i += end + 1
			default:
				state = tag
			}
		case tag:
			switch c {
			case '"', '\'':
				state, quote = attrValue, c
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
		return data, nil
	}
	return append(out, data[last:]...), nil
}
