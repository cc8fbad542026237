package ui

import (
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
)

// TestSignKeepsProgressInView: in a window of the default size the Sign
// page's progress bar is below the fold; starting a signing, and its end,
// scroll the page so that the bar (then the result) is in view.
func TestSignKeepsProgressInView(t *testing.T) {
	g := newTestApp(t)
	key, err := createTestKey(g.settings.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	doc := filepath.Join(t.TempDir(), "contract.txt")
	if err := os.WriteFile(doc, []byte("Шарт / Договор\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	inView := func() bool {
		s := firstScroll(g.body)
		if s == nil || g.sign.bar == nil || !g.sign.bar.Visible() {
			return false
		}
		// The bar's top, in the scroll's content, between the offset and
		// the offset plus the scroll's height.
		bar := fyne.CurrentApp().Driver().AbsolutePositionForObject(g.sign.bar).Y
		top := fyne.CurrentApp().Driver().AbsolutePositionForObject(s).Y
		y := bar - top
		return y >= 0 && y+g.sign.bar.Size().Height <= s.Size().Height
	}
	onUI(func() {
		g.addKeyFile(key, true)
		g.setSignFile(doc)
		g.sign.keyURI, _ = filepath.Abs(key)
		g.show("sign")
	})
	var before bool
	onUI(func() { before = inView() })
	if before {
		t.Log("the progress bar fits without scrolling at this size; the check below proves less")
	}
	onUI(g.startSign)
	waitFor(t, "the password dialog", func() bool { return g.secret != nil })
	onUI(func() {
		if !inView() {
			t.Errorf("while signing the progress bar is out of view (scrolled to %v)", firstScroll(g.body).Offset)
		}
		g.secret.cancel()
	})
	waitFor(t, "the end of the signing", func() bool { return !g.sign.busy })
	onUI(func() {
		if s := firstScroll(g.body); s == nil || s.Offset.Y == 0 && !before {
			t.Errorf("after the signing the page is back at the top")
		}
	})
}
