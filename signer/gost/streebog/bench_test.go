package streebog

import (
	"fmt"
	"testing"
)

func BenchmarkStreebog512(b *testing.B) {
	for _, n := range []int{64, 1024, 8192} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			buf := make([]byte, n)
			h := New512()
			var out [Size512]byte
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				h.Reset()
				h.Write(buf)
				h.Sum(out[:0])
			}
		})
	}
}

func BenchmarkStreebog256(b *testing.B) {
	buf := make([]byte, 8192)
	h := New256()
	var out [Size256]byte
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		h.Reset()
		h.Write(buf)
		h.Sum(out[:0])
	}
}
