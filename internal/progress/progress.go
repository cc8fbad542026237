// Package progress reports how far a long read (hashing or signing a large
// file) has got, only when a progress bar would show something new.
package progress

import (
	"io"
	"sync/atomic"
	"time"
)

// Interval is the shortest time between two reports.
var Interval = 100 * time.Millisecond

// Reader counts what passes through it and reports the fraction read —
// only when the whole percent changed, at most once per interval, and once
// more at the end.
//
// Each report repaints a whole window, and a software renderer (a virtual
// desktop without a GPU; Mesa on Xvfb) pays some 15 ms of CPU per repaint.
// Reporting every 50 ms regardless made a 1 GB GOST signing's pass take
// 17.3 s instead of 14.9 s and the event loop's p99 wait 147 ms instead of
// 65 ms on two cores (scripts/bench/gui.sh); a report per visible percent
// costs a few frames a second and leaves the loop free.
type Reader struct {
	r        io.Reader
	total    int64
	read     atomic.Int64
	last     time.Time
	shown    int64 // the percent last reported; -1 before the first report
	interval time.Duration
	report   func(fraction float64)
}

// NewReader reports through report (on the reading goroutine) the fraction
// of total read from r; with total <= 0 nothing is reported.
func NewReader(r io.Reader, total int64, report func(float64)) *Reader {
	return &Reader{r: r, total: total, shown: -1, interval: Interval, report: report}
}

func (p *Reader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	done := p.read.Add(int64(n))
	if p.total <= 0 || p.report == nil {
		return n, err
	}
	f := min(float64(done)/float64(p.total), 1)
	percent := int64(f * 100)
	if err == io.EOF || (percent != p.shown && time.Since(p.last) >= p.interval) {
		p.last, p.shown = time.Now(), percent
		p.report(f)
	}
	return n, err
}
