package pkcs12

import (
	"hash"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// Purposes of the PKCS#12 key derivation (RFC 7292 appendix B.3).
const (
	kdfKey byte = 1
	kdfIV  byte = 2
	kdfMAC byte = 3
)

// bmpPassword encodes a UTF-8 password as PKCS#12 wants it for its own
// KDF: a big-endian UTF-16 BMPString followed by a two-byte NUL (RFC 7292
// B.1). Invalid UTF-8 becomes U+FFFD, as Go's string conversions do. The
// caller zeroes the result.
func bmpPassword(password []byte) []byte {
	out := make([]byte, 0, 2*len(password)+2)
	for p := password; len(p) > 0; {
		r, n := utf8.DecodeRune(p)
		p = p[n:]
		if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			out = append(out, byte(r1>>8), byte(r1), byte(r2>>8), byte(r2))
			continue
		}
		out = append(out, byte(r>>8), byte(r))
	}
	return append(out, 0, 0)
}

// passwordString views password as a string without copying it, for
// crypto/pbkdf2's string parameter; the caller keeps password unchanged
// until the call returns, and no copy is left behind for the caller's
// zeroing to miss.
func passwordString(password []byte) string {
	return unsafe.String(unsafe.SliceData(password), len(password))
}

// pkcs12KDF derives n bytes for purpose id from a BMP password and a salt
// (RFC 7292 appendix B.2). v is the hash's block size, u its output size.
// Intermediate buffers are zeroed; the caller zeroes the result.
func pkcs12KDF(newHash func() hash.Hash, id byte, password, salt []byte, iterations, n int) []byte {
	h := newHash()
	u, v := h.Size(), h.BlockSize()

	d := make([]byte, v)
	for i := range d {
		d[i] = id
	}
	fill := func(src []byte) []byte {
		if len(src) == 0 {
			return nil
		}
		out := make([]byte, v*((len(src)+v-1)/v))
		for i := range out {
			out[i] = src[i%len(src)]
		}
		return out
	}
	s, p := fill(salt), fill(password)
	in := append(s, p...) // I = S ‖ P
	clear(p)
	defer clear(in)

	out := make([]byte, 0, n+u)
	a := make([]byte, 0, u)
	b := make([]byte, v)
	defer clear(b)
	for len(out) < n {
		h.Reset()
		h.Write(d)
		h.Write(in)
		a = h.Sum(a[:0])
		for r := 1; r < iterations; r++ {
			h.Reset()
			h.Write(a)
			a = h.Sum(a[:0])
		}
		out = append(out, a...)
		if len(out) >= n {
			break
		}
		for i := range b {
			b[i] = a[i%u]
		}
		// I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block of I.
		for j := 0; j < len(in); j += v {
			carry := uint16(1)
			for k := v - 1; k >= 0; k-- {
				x := uint16(in[j+k]) + uint16(b[k]) + carry
				in[j+k] = byte(x)
				carry = x >> 8
			}
		}
	}
	clear(a)
	res := append([]byte(nil), out[:n]...)
	clear(out)
	return res
}
