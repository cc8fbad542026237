package ui

import (
	"io"
	"sync/atomic"
	"time"

)

// progressReader counts what passes through it and reports the fraction
// read to the UI at most every interval, through fyne.Do: hashing a large
// file shows a moving bar without flooding Fyne's queue.
type progressReader struct {
	r        io.Reader
	total    int64
	read     atomic.Int64
	last     time.Time
	interval time.Duration
	report   func(fraction float64) // runs on Fyne's goroutine
}

func newProgressReader(r io.Reader, total int64, report func(float64)) *progressReader {
	return &progressReader{r: r, total: total, interval: 50 * time.Millisecond, report: report}
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	done := p.read.Add(int64(n))
	if p.total > 0 && (time.Since(p.last) >= p.interval || err == io.EOF) {
		p.last = time.Now()
		f := float64(done) / float64(p.total)
		if f > 1 {
			f = 1
		}
		runOnUI(func() { p.report(f) })
	}
	return n, err
}
