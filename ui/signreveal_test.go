package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
)

// TestSignKeepsProgressInView: in a window of the default size (1040×700),
// in Kazakh, with a file, a key and a long result on the page, the Sign
// button and the progress bar are in view — a footer below the scrolled
// cards — before, while and after signing.
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
	inWindow := func(o fyne.CanvasObject) bool { return wholeInWindow(g, o) }
	onUI(func() {
		g.SetLanguage("kk")
		g.win.Resize(fyne.NewSize(1040, 700))
		g.addKeyFile(key, true)
		g.setSignFile(doc)
		g.sign.keyURI, _ = filepath.Abs(key)
		g.sign.errText = strings.Repeat("Ұзын хабар. ", 200) // a long banner pushes the cards down
		g.show("sign")
	})
	onUI(func() {
		if !inWindow(g.sign.signBtn) {
			t.Errorf("the Sign button is out of view at 1040×700: %v", fyne.CurrentApp().Driver().AbsolutePositionForObject(g.sign.signBtn))
		}
	})
	// Escape in the password dialog cancels: nothing signed, nothing said
	// as failed.
	onUI(g.startSign)
	waitFor(t, "the password dialog", func() bool { return g.secret != nil })
	onUI(func() { g.secret.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) })
	waitFor(t, "the signing cancelled by Escape", func() bool { return !g.sign.busy })
	if g.secret != nil || g.sign.result != "" {
		t.Errorf("after Escape: dialog %v, result %q", g.secret != nil, g.sign.result)
	}
	onUI(g.startSign)
	waitFor(t, "the password dialog", func() bool { return g.secret != nil })
	onUI(func() {
		if !inWindow(g.sign.bar) {
			t.Errorf("while signing the progress bar is out of view")
		}
		// Nothing is signed until the password is given (the bar once
		// showed 100% behind the dialog).
		if v := g.sign.bar.Value; v >= 1 {
			t.Errorf("behind the password dialog the progress bar shows %.0f%%", v*100)
		}
		g.secret.cancel()
	})
	waitFor(t, "the end of the signing", func() bool { return !g.sign.busy })
	onUI(func() {
		if !inWindow(g.sign.signBtn) {
			t.Errorf("after the signing the Sign button is out of view")
		}
	})
}
