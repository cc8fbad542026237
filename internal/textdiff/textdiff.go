// Package textdiff compares two texts line by line: what a new version of
// an agreement changed, for the person asked to accept it again.
package textdiff

import "strings"

// Op is what happened to a line.
type Op byte

const (
	Same    Op = ' '
	Removed Op = '-'
	Added   Op = '+'
)

// Line is one line of a diff.
type Line struct {
	Op   Op
	Text string
}

// maxCells bounds the comparison table of the changed middle (lines of
// one side times the other); beyond it the middle is shown as removed and
// added whole, which is still right, only less precise.
const maxCells = 4 << 20

// Lines returns the diff of a and b: the common beginning and end
// trimmed, the middle compared by longest common subsequence.
func Lines(a, b string) []Line {
	x, y := split(a), split(b)
	var head, tail []Line
	for len(x) > 0 && len(y) > 0 && x[0] == y[0] {
		head = append(head, Line{Same, x[0]})
		x, y = x[1:], y[1:]
	}
	for len(x) > 0 && len(y) > 0 && x[len(x)-1] == y[len(y)-1] {
		tail = append([]Line{{Same, x[len(x)-1]}}, tail...)
		x, y = x[:len(x)-1], y[:len(y)-1]
	}
	return append(append(head, middle(x, y)...), tail...)
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(strings.ReplaceAll(s, "\r\n", "\n"), "\n"), "\n")
}

func middle(x, y []string) []Line {
	var out []Line
	if len(x)*len(y) > maxCells {
		for _, l := range x {
			out = append(out, Line{Removed, l})
		}
		for _, l := range y {
			out = append(out, Line{Added, l})
		}
		return out
	}
	// lcs[i][j]: the longest common subsequence of x[i:] and y[j:].
	w := len(y) + 1
	lcs := make([]int32, (len(x)+1)*w)
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i] == y[j]:
			out = append(out, Line{Same, x[i]})
			i, j = i+1, j+1
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			out = append(out, Line{Removed, x[i]})
			i++
		default:
			out = append(out, Line{Added, y[j]})
			j++
		}
	}
	for ; i < len(x); i++ {
		out = append(out, Line{Removed, x[i]})
	}
	for ; j < len(y); j++ {
		out = append(out, Line{Added, y[j]})
	}
	return out
}

// Changes keeps the changed lines and context lines of sameness around
// them (a gap is one Same line with the text "…").
func Changes(lines []Line, context int) []Line {
	keep := make([]bool, len(lines))
	for i, l := range lines {
		if l.Op != Same {
			for k := max(0, i-context); k <= min(len(lines)-1, i+context); k++ {
				keep[k] = true
			}
		}
	}
	var out []Line
	gap := false
	for i, l := range lines {
		if keep[i] {
			out = append(out, l)
			gap = false
		} else if !gap {
			out = append(out, Line{Same, "…"})
			gap = true
		}
	}
	return out
}
