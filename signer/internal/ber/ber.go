// Package ber converts BER-encoded ASN.1 into DER so that encoding/asn1 and
// golang.org/x/crypto/cryptobyte, which accept only DER, can parse it.
//
// NCA RK's PKCS#12 files (and many files written by Java and Windows tools)
// use indefinite lengths and constructed OCTET STRINGs, which Go's parsers
// reject. ToDER rewrites such input:
//
//   - indefinite lengths become definite ones;
//   - non-minimal lengths and high tag numbers written in long form are
//     re-encoded minimally;
//   - constructed universal strings (BIT STRING, OCTET STRING and the
//     character and time strings) are re-assembled into one primitive string;
//   - a BOOLEAN TRUE is written as 0xFF.
//
// Limitations, on purpose: the elements of a SET OF are not re-sorted (the
// signatures this project checks are computed over the bytes as received,
// and PKCS#12 never signs a SET), and strings whose type is hidden behind an
// IMPLICIT context-specific tag cannot be recognised and stay constructed;
// callers that know the type (for example PKCS#7's encryptedContent [0])
// must join the segments themselves.
//
// The converter never panics; it enforces a nesting depth and a total size,
// and reports errors with the byte offset where the problem was found.
package ber

import (
	"errors"
	"fmt"
)

// Default limits. A PKCS#12 file nests about a dozen levels deep and rarely
// exceeds a few tens of kilobytes.
const (
	DefaultMaxDepth = 64
	DefaultMaxSize  = 16 << 20
	// DefaultMaxElements: a CMS with a chain of certificates for each of
	// 256 signers has tens of thousands of elements; the nodes of this
	// many cost some 25 MB.
	DefaultMaxElements = 1 << 18
)

// Errors callers may act on. Every error ToDER returns wraps one of them.
var (
	// ErrSyntax reports bytes that are not valid BER.
	ErrSyntax = errors.New("ber: syntax error")
	// ErrTooDeep reports nesting deeper than the limit.
	ErrTooDeep = errors.New("ber: nesting too deep")
	// ErrTooLarge reports input or output larger than the limit.
	ErrTooLarge = errors.New("ber: input too large")
)

// Error describes a problem at a byte offset of the input.
type Error struct {
	Offset int    // offset of the element or byte at fault
	Msg    string // what is wrong
	Err    error  // ErrSyntax, ErrTooDeep or ErrTooLarge
}

func (e *Error) Error() string { return fmt.Sprintf("ber: offset %d: %s", e.Offset, e.Msg) }

// Unwrap lets errors.Is match the sentinel errors.
func (e *Error) Unwrap() error { return e.Err }

// Limits bound the work ToDER does on untrusted input. Zero fields take the
// defaults.
type Limits struct {
	MaxDepth int // deepest nesting of constructed elements
	MaxSize  int // largest input, and largest output, in bytes
	// MaxElements bounds the elements of the input, counted as they are
	// parsed: each costs a node of some 100 bytes, so a few megabytes of
	// empty elements would otherwise take gigabytes.
	MaxElements int
}

func (l Limits) withDefaults() Limits {
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxSize <= 0 {
		l.MaxSize = DefaultMaxSize
	}
	if l.MaxElements <= 0 {
		l.MaxElements = DefaultMaxElements
	}
	return l
}

// ToDER converts one BER element, which must fill data exactly, to DER using
// the default limits. DER input comes back unchanged (as a new slice).
func ToDER(data []byte) ([]byte, error) { return Limits{}.ToDER(data) }

// ToDER converts one BER element, which must fill data exactly, to DER.
func (l Limits) ToDER(data []byte) ([]byte, error) {
	l = l.withDefaults()
	if len(data) > l.MaxSize {
		return nil, &Error{Offset: 0, Msg: fmt.Sprintf("%d bytes exceed the limit of %d", len(data), l.MaxSize), Err: ErrTooLarge}
	}
	p := parser{data: data, maxDepth: l.MaxDepth, maxElements: l.MaxElements}
	n, end, err := p.element(0, 0)
	if err != nil {
		return nil, err
	}
	if end != len(data) {
		return nil, &Error{Offset: end, Msg: fmt.Sprintf("%d trailing bytes after the element", len(data)-end), Err: ErrSyntax}
	}
	if n.tag == 0 && n.class == 0 {
		return nil, &Error{Offset: 0, Msg: "end-of-contents marker outside an indefinite-length element", Err: ErrSyntax}
	}
	size := n.encodedLen()
	if size > l.MaxSize {
		return nil, &Error{Offset: 0, Msg: fmt.Sprintf("DER output of %d bytes exceeds the limit of %d", size, l.MaxSize), Err: ErrTooLarge}
	}
	out := make([]byte, 0, size)
	out = n.appendDER(out)
	p.wipe()
	return out, nil
}
