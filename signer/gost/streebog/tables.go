package streebog

import (
	"encoding/binary"
	"encoding/hex"
)

// A 512-bit vector is held as eight 64-bit words, little-endian: byte k of
// the vector (k = 0 is the least significant byte of the RFC's number) is
// byte k%8 of word k/8. This is also the order of the bytes of a message
// block and of the hash output, so no byte swapping happens anywhere.

// lpsTable[m][v] is L(P(S(x))) restricted to the contribution of byte v in
// input word m. P moves byte j of input word m to byte m of output word j,
// and L is linear, so the whole LPS transform of a vector is
//
//	out[j] = ⊕_m lpsTable[m][byte j of in[m]]
//
// which replaces 64 S-box look-ups, a permutation and 512 conditional XORs
// by 64 table look-ups.
var lpsTable [8][256]uint64

// roundConst are C1…C12 as little-endian words.
var roundConst [12][8]uint64

func init() {
	for m := 0; m < 8; m++ {
		for v := 0; v < 256; v++ {
			lpsTable[m][v] = linear(uint64(pi[v]) << (8 * uint(m)))
		}
	}
	for i, s := range roundConstHex {
		b, err := hex.DecodeString(s)
		if err != nil || len(b) != 64 {
			panic("streebog: malformed round constant") // a typo in consts.go, never input
		}
		roundConst[i] = wordsFromNumber(b)
	}
}

// linear is the map l of RFC 6986 section 6.4: bit p of w (p = 0 the least
// significant) selects row 63-p of A.
func linear(w uint64) uint64 {
	var r uint64
	for p := 0; p < 64; p++ {
		mask := -((w >> uint(p)) & 1)
		r ^= matA[63-p] & mask
	}
	return r
}

// wordsFromNumber turns a 64-byte big-endian number (as the RFC prints it)
// into little-endian words.
func wordsFromNumber(be []byte) [8]uint64 {
	var w [8]uint64
	for i := 0; i < 8; i++ {
		w[i] = binary.BigEndian.Uint64(be[64-8*(i+1):])
	}
	return w
}
