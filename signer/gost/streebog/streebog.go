// Package streebog implements the Streebog hash functions of GOST R 34.11-2012
// (RFC 6986), which Kazakhstan adopted as GOST 34.11-2015: Streebog-512 for
// GOST 34.10-2015 512-bit signatures and Streebog-256.
//
// Byte order. RFC 6986 treats a message and a hash value as numbers and prints
// them most significant digit first; the first byte of a message is the least
// significant byte of that number. The bytes this package returns are the
// hash in that same little-endian byte order: the order in which OpenSSL's
// GOST engine (`openssl dgst -engine gost -md_gost12_512`) prints a digest
// and in which Kalkan puts it into a signature's digest (checked against
// ../shared/testdata/kalkan/gost512.vectors, whose digest= equals Sum512(msg)
// unreversed). So an example value printed in RFC 6986 section 10 appears
// here byte-reversed; the tests reverse the RFC's numbers before comparing.
//
// The implementation is the usual table-driven one: S, P and L of a round
// are folded into eight 256-entry tables of 64-bit words computed at init
// from π, τ and A. Write does not allocate.
package streebog

import (
	"encoding/binary"
	"hash"
)

const (
	// BlockSize is the size in bytes of a Streebog message block.
	BlockSize = 64
	// Size512 is the size in bytes of a Streebog-512 hash.
	Size512 = 64
	// Size256 is the size in bytes of a Streebog-256 hash.
	Size256 = 32
)

// digest is the running state of one hash computation.
type digest struct {
	h     [8]uint64 // chaining value
	n     [8]uint64 // number of message bits processed, mod 2^512
	sigma [8]uint64 // sum of the message blocks, mod 2^512
	buf   [BlockSize]byte
	nbuf  int
	size  int // Size512 or Size256
}

// New512 returns a new hash.Hash computing Streebog-512.
func New512() hash.Hash {
	d := &digest{size: Size512}
	d.Reset()
	return d
}

// New256 returns a new hash.Hash computing Streebog-256.
func New256() hash.Hash {
	d := &digest{size: Size256}
	d.Reset()
	return d
}

// Sum512 returns the Streebog-512 hash of data.
func Sum512(data []byte) [Size512]byte {
	d := digest{size: Size512}
	d.Reset()
	d.write(data)
	var out [Size512]byte
	d.finish(out[:])
	return out
}

// Sum256 returns the Streebog-256 hash of data.
func Sum256(data []byte) [Size256]byte {
	d := digest{size: Size256}
	d.Reset()
	d.write(data)
	var full [Size512]byte
	d.finish(full[:])
	var out [Size256]byte
	copy(out[:], full[Size256:])
	return out
}

// Reset restores the initial state: IV = 0^512 for Streebog-512 and
// (00000001)^64 for Streebog-256.
func (d *digest) Reset() {
	var iv uint64
	if d.size == Size256 {
		iv = 0x0101010101010101
	}
	for i := range d.h {
		d.h[i] = iv
		d.n[i] = 0
		d.sigma[i] = 0
	}
	clear(d.buf[:])
	d.nbuf = 0
}

// Size returns the hash size in bytes.
func (d *digest) Size() int { return d.size }

// BlockSize returns 64.
func (d *digest) BlockSize() int { return BlockSize }

// Write absorbs p. It never returns an error.
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
		d.block(d.buf[:])
		d.nbuf = 0
	}
	for len(p) >= BlockSize {
		d.block(p[:BlockSize])
		p = p[BlockSize:]
	}
	d.nbuf = copy(d.buf[:], p)
}

// block is stage 2 of RFC 6986 section 8 for one full 64-byte block. A full
// block is processed at once even when it is the last one: the RFC's stage 3
// then pads an empty remainder, which finish does.
func (d *digest) block(p []byte) {
	var m [8]uint64
	for i := range m {
		m[i] = binary.LittleEndian.Uint64(p[8*i:])
	}
	compress(&d.h, &d.n, &m)
	addLen(&d.n, 8*BlockSize)
	add512(&d.sigma, &m)
}

// finish is stage 3: pad the remainder with a single 1 bit and zeros, hash it,
// then hash the length N and the checksum Σ with g_0. It writes the full
// 64-byte h into out and does not change d.
func (d *digest) finish(out []byte) {
	h, n, sigma := d.h, d.n, d.sigma
	var last [BlockSize]byte
	copy(last[:], d.buf[:d.nbuf])
	last[d.nbuf] = 0x01
	var m [8]uint64
	for i := range m {
		m[i] = binary.LittleEndian.Uint64(last[8*i:])
	}
	compress(&h, &n, &m)
	addLen(&n, 8*uint64(d.nbuf))
	add512(&sigma, &m)
	var zero [8]uint64
	compress(&h, &zero, &n)
	compress(&h, &zero, &sigma)
	for i := range h {
		binary.LittleEndian.PutUint64(out[8*i:], h[i])
	}
}

// Sum appends the hash of the data written so far to b; it does not change
// the state, so writing may continue.
func (d *digest) Sum(b []byte) []byte {
	var full [Size512]byte
	d.finish(full[:])
	if d.size == Size256 {
		// MSB_256: the most significant half, which is the last 32 bytes
		// in little-endian order.
		return append(b, full[Size256:]...)
	}
	return append(b, full[:]...)
}
