package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// newFilterBar lays out a list's search, its drop-down filters and its
// main action: the search with the action beside it on the first row, the
// drop-downs on the second, each as wide as its longest option in the
// language shown. A grid of equal cells would cut "Кері қайтарылды" in a
// narrow window while leaving "Акт" room to spare; here a drop-down is cut
// only when the window cannot hold them all, and then they shrink
// together.
func newFilterBar(search fyne.CanvasObject, selects []*widget.Select, action fyne.CanvasObject) fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, len(selects))
	for i, s := range selects {
		objs[i] = s
	}
	row := container.New(&contentWidthRow{selects: selects}, objs...)
	return container.NewVBox(container.NewBorder(nil, nil, nil, action, search), row)
}

// contentWidthRow places drop-downs left to right at the width their
// longest option needs, scaled down together when the row is narrower.
type contentWidthRow struct {
	selects []*widget.Select
}

func (r *contentWidthRow) widths() (want []float32, total float32) {
	gap := theme.Padding()
	for i, s := range r.selects {
		w := selectWidth(s)
		want = append(want, w)
		total += w
		if i > 0 {
			total += gap
		}
	}
	return want, total
}

func (r *contentWidthRow) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	want, total := r.widths()
	gap := theme.Padding()
	scale := float32(1)
	if total > size.Width && total > 0 {
		gaps := gap * float32(len(want)-1)
		scale = max(0, size.Width-gaps) / max(1, total-gaps)
	}
	x := float32(0)
	for i, o := range objs {
		if i >= len(want) || !o.Visible() {
			continue
		}
		w := want[i] * scale
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w + gap
	}
}

// MinSize is the height of a drop-down and the width of the narrowest
// ones Fyne draws: the row may be narrower than its words, never than that.
func (r *contentWidthRow) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var min fyne.Size
	for i, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		min.Height = max(min.Height, m.Height)
		min.Width += m.Width
		if i > 0 {
			min.Width += theme.Padding()
		}
	}
	return min
}

// selectWidth is the width at which every option of s shows uncut: the
// widest option's text plus what the drop-down draws around its label
// (the label's insets, the arrow and the padding beside it).
func selectWidth(s *widget.Select) float32 {
	var text float32
	size := theme.TextSize()
	for _, o := range append([]string{s.PlaceHolder}, s.Options...) {
		text = max(text, fyne.MeasureText(o, size, fyne.TextStyle{}).Width)
	}
	return text + 2*theme.Padding() + 3*theme.InnerPadding() + theme.IconInlineSize()
}
