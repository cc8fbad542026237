package streebog

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// slowLPS is a byte-wise reference of L∘P∘S written straight from RFC 6986
// section 6, used to check the combined tables.
func slowLPS(x [8]uint64) [8]uint64 {
	var a [64]byte
	for i := 0; i < 8; i++ {
		binary.LittleEndian.PutUint64(a[8*i:], x[i])
	}
	var s [64]byte
	for k := range a {
		s[k] = pi[a[k]]
	}
	var p [64]byte
	for k := range s {
		p[k] = s[tau[k]]
	}
	var out [8]uint64
	for i := 0; i < 8; i++ {
		w := binary.LittleEndian.Uint64(p[8*i:])
		var r uint64
		for j := 0; j < 64; j++ {
			if w>>(63-j)&1 == 1 {
				r ^= matA[j]
			}
		}
		out[i] = r
	}
	return out
}

func TestLPSTables(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 200; i++ {
		var x [8]uint64
		for j := range x {
			x[j] = rng.Uint64()
		}
		want := slowLPS(x)
		var got, zero [8]uint64
		lpsX(&got, &x, &zero)
		if got != want {
			t.Fatalf("lps(%x) = %x, want %x", x, got, want)
		}
	}
}

func TestConstants(t *testing.T) {
	// π is a permutation.
	var seen [256]bool
	for _, v := range pi {
		if seen[v] {
			t.Fatalf("π repeats %d", v)
		}
		seen[v] = true
	}
	// τ is the 8×8 transposition.
	for i := 0; i < 8; i++ {
		for j := 0; j < 8; j++ {
			if int(tau[8*i+j]) != 8*j+i {
				t.Fatalf("τ(%d) = %d", 8*i+j, tau[8*i+j])
			}
		}
	}
	// C1's least significant word is the RFC number's last 16 digits.
	if roundConst[0][0] != 0xdd806559f2a64507 || roundConst[0][7] != 0xb1085bda1ecadae9 {
		t.Fatalf("C1 words in wrong order: %x", roundConst[0])
	}
}
