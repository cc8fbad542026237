package gost341194

import (
	"encoding/binary"
	"math/bits"
)

// GOST 28147-89, the 64-bit block cipher inside the hash (encryption in ECB
// mode only; the hash never decrypts). Nothing here is secret in the hash's
// use: keys are derived from the public chaining value and message, so the
// table look-ups need not be constant-time.

// expandedSBox merges pairs of 4-bit S-boxes into byte tables and folds in
// the 11-bit left rotation, so the round function is four look-ups.
type expandedSBox [4][256]uint32

func expand(s *SBox) *expandedSBox {
	var e expandedSBox
	for i := 0; i < 4; i++ {
		for v := 0; v < 256; v++ {
			lo := uint32(s[2*i][v&0x0f])
			hi := uint32(s[2*i+1][v>>4])
			x := (lo | hi<<4) << (8 * uint(i))
			e[i][v] = bits.RotateLeft32(x, 11)
		}
	}
	return &e
}

// f is the round function: substitute each nibble of x with S-box row i for
// nibble i (nibble 0 the least significant), then rotate left by 11.
func (e *expandedSBox) f(x uint32) uint32 {
	return e[0][byte(x)] ^ e[1][byte(x>>8)] ^ e[2][byte(x>>16)] ^ e[3][byte(x>>24)]
}

// encrypt enciphers the 8-byte block in (little-endian halves n1‖n2) under the
// 32-byte key (eight little-endian 32-bit subkeys) and writes out: 32 rounds
// with subkeys k0…k7 three times, then k7…k0.
func (e *expandedSBox) encrypt(out, in, key []byte) {
	var k [8]uint32
	for i := range k {
		k[i] = binary.LittleEndian.Uint32(key[4*i:])
	}
	n1 := binary.LittleEndian.Uint32(in[0:])
	n2 := binary.LittleEndian.Uint32(in[4:])
	for r := 0; r < 3; r++ {
		for i := 0; i < 8; i += 2 {
			n2 ^= e.f(n1 + k[i])
			n1 ^= e.f(n2 + k[i+1])
		}
	}
	for i := 7; i > 0; i -= 2 {
		n2 ^= e.f(n1 + k[i])
		n1 ^= e.f(n2 + k[i-1])
	}
	binary.LittleEndian.PutUint32(out[0:], n2)
	binary.LittleEndian.PutUint32(out[4:], n1)
}
