// Package heaptest is test support, never used by the product: it
// measures how much heap a call takes at its peak, for the tests that bound
// the memory a hostile input may cost.
package heaptest

import (
	"runtime"
	"sync/atomic"
	"time"
)

// Peak runs f and returns the highest heap in use seen while it ran, above
// what was in use before (sampled every millisecond, so a peak shorter
// than that may be missed; the inputs these tests build take longer).
func Peak(f func()) uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base := m.HeapInuse
	var peak atomic.Uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var s runtime.MemStats
		for {
			runtime.ReadMemStats(&s)
			if s.HeapInuse > base && s.HeapInuse-base > peak.Load() {
				peak.Store(s.HeapInuse - base)
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	<-sampled
	return peak.Load()
}
