package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// revealSignEnd scrolls the Sign page to its end, where the progress bar
// and then the result are. In a window of the default size (1040×700) they
// lie below the fold, and every g.show builds the page anew scrolled to the
// top: without this, the bar of a long signing moves out of sight and the
// "Signed" banner appears where nobody looks. Fyne's goroutine only.
func (g *App) revealSignEnd() {
	if s := firstScroll(g.body); s != nil {
		s.ScrollToBottom()
	}
}

// firstScroll finds the first scroll container under o, searching
// containers only (a page's body scroll sits in plain containers).
func firstScroll(o fyne.CanvasObject) *container.Scroll {
	switch v := o.(type) {
	case *container.Scroll:
		return v
	case *fyne.Container:
		for _, c := range v.Objects {
			if s := firstScroll(c); s != nil {
				return s
			}
		}
	}
	return nil
}
