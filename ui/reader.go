package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// reader shows a long text as paragraphs in a scroll, so that a search can
// bring the paragraph that holds a match into view and mark it.
type reader struct {
	paragraphs []*widget.Label
	lower      []string // each paragraph in lower case, for the search
	box        *fyne.Container
	scroll     *container.Scroll
	marked     int // the marked paragraph, -1 for none
}

// newReader lays text out as paragraphs at a text size.
func newReader(text string, size fyne.ThemeSizeName) *reader {
	r := &reader{marked: -1}
	var objs []fyne.CanvasObject
	for _, p := range splitParagraphs(text) {
		l := widget.NewLabel(p)
		l.Wrapping = fyne.TextWrapWord
		l.SizeName = size
		r.paragraphs = append(r.paragraphs, l)
		r.lower = append(r.lower, strings.ToLower(p))
		objs = append(objs, l)
	}
	// One container made with every paragraph: adding them one by one
	// lays the box out each time (2.2 s for the EDM agreement, not 0.3 s).
	r.box = container.NewVBox(objs...)
	r.scroll = container.NewVScroll(r.box)
	return r
}

// splitParagraphs cuts text into its non-blank lines: agreements come as
// one line per paragraph (the box between labels spaces them), and a
// search can then bring any line into view.
func splitParagraphs(text string) []string {
	var out []string
	for _, p := range strings.Split(text, "\n") {
		if p = strings.TrimRight(p, "\r"); strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out
}

// find is the paragraphs that contain query, ignoring case, in order.
func (r *reader) find(query string) []int {
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" {
		return nil
	}
	var hits []int
	for i, p := range r.lower {
		if strings.Contains(p, q) {
			hits = append(hits, i)
		}
	}
	return hits
}

// show marks paragraph i and scrolls it to the top of the view.
func (r *reader) show(i int) {
	if !r.mark(i) {
		return
	}
	r.scroll.Offset = fyne.NewPos(0, r.paragraphs[i].Position().Y)
	r.scroll.Refresh()
	if r.scroll.OnScrolled != nil {
		r.scroll.OnScrolled(r.scroll.Offset)
	}
}

// mark marks paragraph i as the current match (i < 0: none); it says
// whether i is a paragraph.
func (r *reader) mark(i int) bool {
	if r.marked >= 0 {
		r.paragraphs[r.marked].Importance = widget.MediumImportance
		r.paragraphs[r.marked].TextStyle = fyne.TextStyle{}
		r.paragraphs[r.marked].Refresh()
	}
	r.marked = -1
	if i < 0 || i >= len(r.paragraphs) {
		return false
	}
	r.marked = i
	p := r.paragraphs[i]
	p.Importance, p.TextStyle = widget.HighImportance, fyne.TextStyle{Bold: true}
	p.Refresh()
	return true
}
