package cms_test

import (
	"bytes"
	"io"
	"runtime"
	"testing"

	"github.com/qoltanba/qoltanba/signer/cms"
)

// genReader yields n pseudo-random bytes without holding them.
type genReader struct {
	n, off int64
	state  uint64
}

func newGen(n int64) *genReader { return &genReader{n: n, state: 0x9e3779b97f4a7c15} }

func (g *genReader) Read(p []byte) (int, error) {
	if g.off >= g.n {
		return 0, io.EOF
	}
	if rem := g.n - g.off; int64(len(p)) > rem {
		p = p[:rem]
	}
	for i := range p {
		g.state ^= g.state << 13
		g.state ^= g.state >> 7
		g.state ^= g.state << 17
		p[i] = byte(g.state)
	}
	g.off += int64(len(p))
	return len(p), nil
}

// TestDetachedStreamsInConstantMemory signs and verifies 200 MB of
// generated data and checks the heap never grows with it.
func TestDetachedStreamsInConstantMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("200 MB stream: skipped with -short")
	}
	r := getRSA(t)
	const size = 200 << 20
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	peak := uint64(0)
	watch := &heapWatch{r: newGen(size), peak: &peak}
	der, err := cms.Sign(watch, r.alice.key, r.alice.cert, nil, cms.SignOptions{Detached: true})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := cms.Verify(der, &heapWatch{r: newGen(size), peak: &peak})
	if err != nil || !evs[0].DigestValid || !evs[0].SignatureValid {
		t.Fatalf("verify: %v %+v", err, evs)
	}
	growth := int64(peak) - int64(before.HeapAlloc)
	t.Logf("heap before %d KB, peak while streaming %d KB", before.HeapAlloc>>10, peak>>10)
	if growth > 8<<20 {
		t.Errorf("heap grew by %d MB while streaming 200 MB", growth>>20)
	}
}

// heapWatch samples the heap every 8 MB read.
type heapWatch struct {
	r     io.Reader
	n     int64
	peak  *uint64
	stats runtime.MemStats
}

func (h *heapWatch) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if h.n/(8<<20) != (h.n+int64(n))/(8<<20) {
		runtime.ReadMemStats(&h.stats)
		*h.peak = max(*h.peak, h.stats.HeapAlloc)
	}
	h.n += int64(n)
	return n, err
}

func benchmarkDetached(b *testing.B, p party, size int) {
	data := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cms.Sign(bytes.NewReader(data), p.key, p.cert, nil, cms.SignOptions{Detached: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignDetachedRSA1MB(b *testing.B)  { benchmarkDetached(b, getRSA(b).alice, 1<<20) }
func BenchmarkSignDetachedGOST1MB(b *testing.B) { benchmarkDetached(b, getGOST(b).head, 1<<20) }

// BenchmarkSignGOST512Agreement is signatures per second on a typical
// agreement acceptance: 1 KB, attached, as portals ask for.
func BenchmarkSignGOST512Agreement(b *testing.B) {
	p := getGOST(b).head
	data := bytes.Repeat([]byte("Келісемін. Согласен. I agree. "), 30)
	for b.Loop() {
		if _, err := cms.Sign(bytes.NewReader(data), p.key, p.cert, nil, cms.SignOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sig/s")
}

func benchmarkVerify(b *testing.B, p party, size int) {
	data := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	der, err := cms.Sign(bytes.NewReader(data), p.key, p.cert, nil, cms.SignOptions{Detached: true})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		evs, err := cms.Verify(der, bytes.NewReader(data))
		if err != nil || !evs[0].SignatureValid {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyDetachedRSA1MB(b *testing.B)  { benchmarkVerify(b, getRSA(b).alice, 1<<20) }
func BenchmarkVerifyDetachedGOST1MB(b *testing.B) { benchmarkVerify(b, getGOST(b).head, 1<<20) }

// BenchmarkStream measures detached signing throughput over a 64 MB
// generated stream (the generator's own cost included).
func BenchmarkStreamRSA64MB(b *testing.B)  { benchmarkStream(b, getRSA(b).alice) }
func BenchmarkStreamGOST64MB(b *testing.B) { benchmarkStream(b, getGOST(b).head) }

func benchmarkStream(b *testing.B, p party) {
	const size = 64 << 20
	b.SetBytes(size)
	for b.Loop() {
		if _, err := cms.Sign(newGen(size), p.key, p.cert, nil, cms.SignOptions{Detached: true}); err != nil {
			b.Fatal(err)
		}
	}
}
