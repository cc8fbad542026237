package gost341194

import "testing"

func BenchmarkSum8K(b *testing.B) {
	buf := make([]byte, 8192)
	h := New(&TestParamSet)
	var out [Size]byte
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		h.Reset()
		h.Write(buf)
		h.Sum(out[:0])
	}
}
