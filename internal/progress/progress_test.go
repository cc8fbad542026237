package progress

import (
	"bytes"
	"io"
	"testing"
	"time"
)

// TestProgressReaderReportsVisibleChanges: a report for each whole percent
// read (when the interval allows), one at the end, nothing else; the
// fractions never go back and end at 1.
func TestProgressReaderReportsVisibleChanges(t *testing.T) {
	const size, chunk = 1 << 20, 1 << 10 // 1024 reads: several per percent
	for _, tc := range []struct {
		name     string
		interval time.Duration
		want     int
	}{
		{"every percent", 0, 101 + 1},                 // 0 %…100 %, then the end
		{"interval not yet passed", time.Hour, 1 + 1}, // the first read, then the end
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []float64
			p := NewReader(bytes.NewReader(make([]byte, size)), size, func(f float64) { got = append(got, f) })
			p.interval = tc.interval
			buf := make([]byte, chunk)
			for {
				if _, err := p.Read(buf); err == io.EOF {
					break
				} else if err != nil {
					t.Fatal(err)
				}
			}
			if len(got) != tc.want {
				t.Errorf("%d reports, want %d", len(got), tc.want)
			}
			for i := 1; i < len(got); i++ {
				if got[i] < got[i-1] {
					t.Errorf("report %d went back: %v after %v", i, got[i], got[i-1])
				}
			}
			if len(got) > 0 && got[len(got)-1] != 1 {
				t.Errorf("last report %v, want 1", got[len(got)-1])
			}
		})
	}
}

// TestProgressReaderUnknownSize: with no size known nothing is reported.
func TestProgressReaderUnknownSize(t *testing.T) {
	n := 0
	p := NewReader(bytes.NewReader([]byte("abc")), 0, func(float64) { n++ })
	if _, err := io.ReadAll(p); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d reports without a size", n)
	}
}
