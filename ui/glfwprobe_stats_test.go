//go:build glfwprobe

package ui

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"os/exec"
	"slices"
	"time"
)

// latencies are how long the probe's posts waited for the event loop.
type latencies []time.Duration

// pct is the p-th percentile (nearest rank), 0 when empty.
func (l latencies) pct(p int) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(len(s)-1, i-1))]
}

func (l latencies) max() time.Duration { return slices.Max(append(latencies{0}, l...)) }

// over counts the posts that waited longer than d: each is a moment the
// window could not answer a click or repaint.
func (l latencies) over(d time.Duration) int {
	n := 0
	for _, x := range l {
		if x > d {
			n++
		}
	}
	return n
}

// frame is one capture of the window with what the Sign screen said then.
type frame struct {
	at    time.Time
	sum   uint64  // FNV-64a of the screen's dump
	bar   float64 // the progress bar's value
	stage string
	busy  bool // the signing was running
}

// frames sums up a run of captures: how many differ from the one before
// (the window was repainted with something new in between), how many
// distinct images and distinct progress values were seen.
type frameStats struct {
	captures, changes, distinct, values int
	seconds                             float64
	firstBar, lastBar                   float64
	monotonic                           bool
}

func summarize(fs []frame) frameStats {
	st := frameStats{captures: len(fs), monotonic: true}
	if len(fs) == 0 {
		return st
	}
	sums, values := map[uint64]bool{}, map[float64]bool{}
	for i, f := range fs {
		sums[f.sum] = true
		if f.busy {
			values[f.bar] = true
		}
		if i > 0 && f.sum != fs[i-1].sum {
			st.changes++
		}
		if i > 0 && f.busy && fs[i-1].busy && f.bar < fs[i-1].bar && f.stage == fs[i-1].stage {
			st.monotonic = false
		}
	}
	st.distinct, st.values = len(sums), len(values)
	st.seconds = fs[len(fs)-1].at.Sub(fs[0].at).Seconds()
	first, last := -1, -1
	for i, f := range fs {
		if f.busy {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first >= 0 {
		st.firstBar, st.lastBar = fs[first].bar, fs[last].bar
	}
	return st
}

// xwdRoot dumps the X display's root window, as the X server holds it:
// what a user would see, so a change proves a repaint reached the screen.
// (Fyne's Canvas().Capture reads the GL front buffer, which Mesa's
// software renderer on Xvfb returns black.)
func xwdRoot() ([]byte, error) {
	out, err := exec.Command("xwd", "-root", "-silent").Output()
	if err != nil {
		return nil, fmt.Errorf("xwd -root: %w", err)
	}
	return out, nil
}

// xwdPixels is the pixel data of an XWD dump: its last bytes_per_line ×
// height bytes. The header and colour map before them change between
// dumps of an unchanged screen, and would count as repaints.
func xwdPixels(dump []byte) []byte {
	if len(dump) < 100 {
		return dump
	}
	height := binary.BigEndian.Uint32(dump[20:])
	perLine := binary.BigEndian.Uint32(dump[48:])
	if n := uint64(height) * uint64(perLine); n <= uint64(len(dump)) {
		return dump[uint64(len(dump))-n:]
	}
	return dump
}

func fnvSum(b []byte) uint64 {
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}
