package cms

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"fmt"
)

// PEM block types Decode accepts; EncodePEM writes the first.
var pemTypes = []string{"CMS", "PKCS7", "PKCS #7 SIGNED DATA"}

// Decode turns what users and portals hand over into the CMS bytes: binary
// DER or BER (returned as is), a PEM block of type CMS or PKCS7, or base64
// (standard or URL alphabet, padded or not, with line breaks, as NCALayer
// returns it). It does not check that the result is a CMS; Verify does.
func Decode(input []byte) ([]byte, error) {
	der, _, err := decode(input)
	return der, err
}

// decode is Decode that also says what of the input it did not use: a
// second PEM block, or data after the first (a reader of the report must
// know that part of the file was not checked).
func decode(input []byte) (der []byte, ignored string, err error) {
	// Binary first: trimming "spaces" would cut a DER whose last byte
	// happens to be 0x0a or 0x20.
	if len(input) > 0 && input[0] == tagSequence {
		return input, "", nil
	}
	in := bytes.TrimPrefix(input, []byte("\xef\xbb\xbf"))
	in = bytes.TrimSpace(in)
	if len(in) == 0 {
		return nil, "", fmt.Errorf("%w: empty input", ErrMalformed)
	}
	if bytes.HasPrefix(in, []byte("-----BEGIN")) {
		block, rest := pem.Decode(in)
		if block == nil {
			return nil, "", fmt.Errorf("%w: unreadable PEM", ErrMalformed)
		}
		for _, t := range pemTypes {
			if block.Type != t {
				continue
			}
			if len(block.Bytes) == 0 || block.Bytes[0] != tagSequence {
				return nil, "", fmt.Errorf("%w: the PEM block holds no CMS", ErrMalformed)
			}
			return block.Bytes, unusedPEM(rest), nil
		}
		return nil, "", fmt.Errorf("%w: PEM block %q is not a CMS", ErrMalformed, block.Type)
	}
	compact := make([]byte, 0, len(in))
	for _, c := range in {
		switch c {
		case ' ', '\t', '\r', '\n':
		default:
			compact = append(compact, c)
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if der, err := enc.DecodeString(string(compact)); err == nil && len(der) > 0 && der[0] == tagSequence {
			return der, "", nil
		}
	}
	return nil, "", fmt.Errorf("%w: neither DER, PEM nor base64", ErrMalformed)
}

// unusedPEM names what follows the first PEM block, or "".
func unusedPEM(rest []byte) string {
	rest = bytes.TrimSpace(rest)
	switch {
	case len(rest) == 0:
		return ""
	case bytes.HasPrefix(rest, []byte("-----BEGIN")):
		typ := "unknown"
		if b, _ := pem.Decode(rest); b != nil {
			typ = b.Type
		}
		return fmt.Sprintf("ignored: a second PEM block (%s) follows the first; only the first was verified", typ)
	}
	return fmt.Sprintf("ignored: %d bytes follow the PEM block and were not verified", len(rest))
}

// EncodePEM wraps a CMS in a PEM block of type "CMS" (what OpenSSL writes
// with -outform PEM).
func EncodePEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: der})
}
