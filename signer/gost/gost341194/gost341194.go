// Package gost341194 implements the hash function GOST R 34.11-94 (RFC 5831),
// which Kazakhstan adopted as GOST 34.311-95 and uses with GOST 34.310-2004
// signatures. The hash is parameterised by the S-box of its inner GOST
// 28147-89 cipher: Kazakhstan uses TestParamSet, Russian software and
// OpenSSL's GOST engine use CryptoProParamSet.
//
// Byte order. RFC 5831 treats messages and hash values as numbers whose least
// significant byte is the first byte of the byte string. The bytes returned
// here are the hash in that little-endian order, the order OpenSSL's
// `openssl dgst -engine gost -md_gost94` prints; a value printed as a number
// (most significant digit first) is the byte reverse of it.
//
// The empty message. The standard hashes the final, partial block even when
// it is empty; most implementations (BouncyCastle, from which Kalkan derives,
// Botan, libgcrypt, Saarinen's gosthash) skip an empty final block, and so
// does this package. OpenSSL's GOST engine follows the letter of the
// standard, so the two differ for the empty message only (see the tests).
package gost341194

import (
	"hash"
	"math/bits"
)

const (
	// Size is the size in bytes of a GOST R 34.11-94 hash.
	Size = 32
	// BlockSize is the size in bytes of a message block.
	BlockSize = 32
)

// The expanded tables of the two standard S-boxes, built once, with the
// S-box values they were built from (the exported vars could be modified).
var (
	testSBox, cryptoProSBox     = TestParamSet, CryptoProParamSet
	testTables, cryptoProTables = expand(&testSBox), expand(&cryptoProSBox)
)

// tablesFor returns the expanded tables for sbox, reusing the precomputed
// ones for the standard parameter sets.
func tablesFor(sbox *SBox) *expandedSBox {
	switch {
	case sbox == nil || *sbox == testSBox:
		return testTables
	case *sbox == cryptoProSBox:
		return cryptoProTables
	}
	return expand(sbox)
}

type digest struct {
	e     *expandedSBox
	h     [32]byte // chaining value, starts at zero
	sigma [32]byte // sum of the blocks mod 2^256, little-endian
	nbits [4]uint64
	buf   [BlockSize]byte
	nbuf  int
}

// New returns a hash.Hash computing GOST R 34.11-94 with sbox; nil means
// TestParamSet, the KZ GOST 34.311-95 S-box. The S-box is copied into
// expanded tables; later changes to *sbox have no effect.
func New(sbox *SBox) hash.Hash {
	return &digest{e: tablesFor(sbox)}
}

// Sum returns the GOST R 34.11-94 hash of data with sbox (nil means
// TestParamSet).
func Sum(sbox *SBox, data []byte) [Size]byte {
	d := digest{e: tablesFor(sbox)}
	d.write(data)
	var out [Size]byte
	d.finish(&out)
	return out
}

func (d *digest) Reset() {
	clear(d.h[:])
	clear(d.sigma[:])
	d.nbits = [4]uint64{}
	clear(d.buf[:])
	d.nbuf = 0
}

func (d *digest) Size() int      { return Size }
func (d *digest) BlockSize() int { return BlockSize }

func (d *digest) Write(p []byte) (int, error) {
	d.write(p)
	return len(p), nil
}

func (d *digest) write(p []byte) {
	if d.nbuf > 0 {
		c := copy(d.buf[d.nbuf:], p)
		d.nbuf += c
		p = p[c:]
		if d.nbuf < BlockSize {
			return
		}
		d.block((*[32]byte)(d.buf[:]))
		d.nbuf = 0
	}
	for len(p) >= BlockSize {
		d.block((*[32]byte)(p[:BlockSize]))
		p = p[BlockSize:]
	}
	d.nbuf = copy(d.buf[:], p)
}

// block hashes one full block: H = f(H, M), Σ = Σ + M, L = L + 256.
func (d *digest) block(m *[32]byte) {
	step(d.e, &d.h, m)
	add256(&d.sigma, m)
	d.addBits(8 * BlockSize)
}

func (d *digest) addBits(n uint64) {
	var c uint64
	d.nbits[0], c = bits.Add64(d.nbits[0], n, 0)
	for i := 1; i < 4; i++ {
		d.nbits[i], c = bits.Add64(d.nbits[i], 0, c)
	}
}

// finish pads a non-empty remainder with zeros (in the high bytes), hashes
// it, then hashes the length L and the checksum Σ. d is not changed.
func (d *digest) finish(out *[Size]byte) {
	h, sigma, nbits := d.h, d.sigma, d.nbits
	if d.nbuf > 0 {
		var m [32]byte
		copy(m[:], d.buf[:d.nbuf])
		step(d.e, &h, &m)
		add256(&sigma, &m)
		var c uint64
		nbits[0], c = bits.Add64(nbits[0], 8*uint64(d.nbuf), 0)
		for i := 1; i < 4; i++ {
			nbits[i], c = bits.Add64(nbits[i], 0, c)
		}
	}
	var l [32]byte
	for i, w := range nbits {
		for j := 0; j < 8; j++ {
			l[8*i+j] = byte(w >> (8 * uint(j)))
		}
	}
	step(d.e, &h, &l)
	step(d.e, &h, &sigma)
	*out = h
}

func (d *digest) Sum(b []byte) []byte {
	var out [Size]byte
	d.finish(&out)
	return append(b, out[:]...)
}

// add256 sets a = a + b mod 2^256 on little-endian byte strings.
func add256(a, b *[32]byte) {
	var carry uint16
	for i := range a {
		s := uint16(a[i]) + uint16(b[i]) + carry
		a[i] = byte(s)
		carry = s >> 8
	}
}
