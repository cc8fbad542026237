package gost341194

import "encoding/binary"

// The step function f(H, M) of GOST R 34.11-94 (RFC 5831 section 6). A
// 256-bit value is held as 32 bytes, little-endian: byte 0 is the least
// significant byte of the standard's number, so y1 (the lowest 64-bit or
// 16-bit word) is at the start of the array.

// c3 is the constant C3 = 0xff00ffff000000ffff0000ff00ffff0000ff00ff00ff00ffff00ff00ff00ff00
// in little-endian byte order; C2 = C4 = 0.
var c3 = [32]byte{
	0x00, 0xff, 0x00, 0xff, 0x00, 0xff, 0x00, 0xff,
	0xff, 0x00, 0xff, 0x00, 0xff, 0x00, 0xff, 0x00,
	0x00, 0xff, 0xff, 0x00, 0xff, 0x00, 0x00, 0xff,
	0xff, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0xff,
}

// transformA is A(y4‖y3‖y2‖y1) = (y1⊕y2)‖y4‖y3‖y2 on 64-bit words.
func transformA(y *[32]byte) {
	var t [8]byte
	for i := 0; i < 8; i++ {
		t[i] = y[i] ^ y[8+i]
	}
	copy(y[0:24], y[8:32])
	copy(y[24:32], t[:])
}

// transformP is the byte permutation P: output byte i+4k takes input byte
// 8i+k (i = 0…3, k = 0…7), the standard's φ(i+1+4(k-1)) = 8i+k counted from 0.
func transformP(dst, w *[32]byte) {
	for i := 0; i < 4; i++ {
		for k := 0; k < 8; k++ {
			dst[i+4*k] = w[8*i+k]
		}
	}
}

// psiN applies the feedback shift ψ n times to the 16-bit words w[0:16]
// (y1 = w[0]) and leaves the result in w[n:n+16]; len(w) must be at least
// 16+n. ψ moves every word down one place and sets the new top word to
// y1⊕y2⊕y3⊕y4⊕y13⊕y16, so n shifts are n appended words.
func psiN(w []uint16, n int) {
	_ = w[15+n]
	for i := 0; i < n; i++ {
		w[i+16] = w[i] ^ w[i+1] ^ w[i+2] ^ w[i+3] ^ w[i+12] ^ w[i+15]
	}
}

// step computes h = f(h, m) with the cipher tables e.
func step(e *expandedSBox, h, m *[32]byte) {
	// Key generation: four 256-bit keys.
	var keys [4][32]byte
	u, v := *h, *m
	var w [32]byte
	for j := 0; j < 4; j++ {
		if j > 0 {
			transformA(&u)
			if j == 2 {
				for i := range u {
					u[i] ^= c3[i]
				}
			}
			transformA(&v)
			transformA(&v)
		}
		for i := range w {
			w[i] = u[i] ^ v[i]
		}
		transformP(&keys[j], &w)
	}

	// Encryption: s_i = E_{K_i}(h_i), h_1 the lowest 64-bit word.
	var s [32]byte
	for i := 0; i < 4; i++ {
		e.encrypt(s[8*i:8*i+8], h[8*i:8*i+8], keys[i][:])
	}

	// Mixing: h = ψ^61(h ⊕ ψ(m ⊕ ψ^12(s))), on 16-bit little-endian words.
	var y [16 + 61]uint16
	for i := 0; i < 16; i++ {
		y[i] = binary.LittleEndian.Uint16(s[2*i:])
	}
	psiN(y[:], 12)
	for i := 0; i < 16; i++ {
		y[i] = y[12+i] ^ binary.LittleEndian.Uint16(m[2*i:])
	}
	psiN(y[:], 1)
	for i := 0; i < 16; i++ {
		y[i] = y[1+i] ^ binary.LittleEndian.Uint16(h[2*i:])
	}
	psiN(y[:], 61)
	for i := 0; i < 16; i++ {
		binary.LittleEndian.PutUint16(h[2*i:], y[61+i])
	}
	clear(keys[:])
}
