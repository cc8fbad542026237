package pkcs12

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/internal/heaptest"
)

// TestHostilePKCS12Memory: a "key file" at the size limit made of millions
// of empty BER elements (definite and indefinite) is refused, before a
// password is tried, within 4× its size + 64 MB.
func TestHostilePKCS12Memory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds large inputs")
	}
	size := min(MaxFileSize, 16<<20) - 64
	n := size/2 - 8
	indefinite := append(append([]byte{0x30, 0x80}, bytes.Repeat([]byte{0x30, 0x00}, n)...), 0, 0)
	definite := append([]byte{0x30, 0x84, byte(2 * n >> 24), byte(2 * n >> 16), byte(2 * n >> 8), byte(2 * n)}, bytes.Repeat([]byte{0x30, 0x00}, n)...)
	for name, in := range map[string][]byte{"indefinite": indefinite, "definite": definite} {
		var err error
		start := time.Now()
		peak := heaptest.Peak(func() { _, err = DecodeBytes(in, []byte("Qwerty12")) })
		t.Logf("%s, %d MB: peak heap %d MB, %v: %v", name, len(in)>>20, peak>>20, time.Since(start).Round(time.Millisecond), err)
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", name, err)
		}
		if bound := uint64(4*len(in) + 64<<20); peak > bound {
			t.Errorf("%s: peak heap %d MB over %d MB", name, peak>>20, bound>>20)
		}
	}
}
