package streebog

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/qoltanba/qoltanba/signer/gost/enginetest"
)

func TestOpenSSLEngine(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	lengths := []int{0, 1, 31, 32, 63, 64, 65, 127, 128, 1000, 100000}
	if testing.Short() {
		lengths = []int{0, 1, 63, 64, 65, 1000}
	}
	for _, n := range lengths {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		w512 := enginetest.Digest(t, "md_gost12_512", data)
		w256 := enginetest.Digest(t, "md_gost12_256", data)
		if g := Sum512(data); !bytes.Equal(g[:], w512) {
			t.Errorf("len %d: Sum512 %x\nopenssl %x", n, g, w512)
		}
		if g := Sum256(data); !bytes.Equal(g[:], w256) {
			t.Errorf("len %d: Sum256 %x\nopenssl %x", n, g, w256)
		}
	}
}
