package ui

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/assets/translations"
	"github.com/qoltanba/qoltanba/sync/store"
)

// TestDocumentsFiltersFit: in every language, at the default window size
// and at a small one, each filter drop-down is as wide as its longest
// option, and the search, the drop-downs and the add button lie inside the
// window without overlapping. Set QOLTANBA_LAYOUT_SHOTS=DIR to also write
// each screen as a PNG there, for looking at.
func TestDocumentsFiltersFit(t *testing.T) {
	shots := os.Getenv("QOLTANBA_LAYOUT_SHOTS")
	for _, lang := range translations.Languages {
		for _, size := range []fyne.Size{{Width: 1040, Height: 700}, {Width: 900, Height: 600}} {
			t.Run(lang+"/"+sizeName(size), func(t *testing.T) {
				g := newTestApp(t)
				seedDocuments(t, g.opts.Store)
				onUI(func() {
					g.SetLanguage(lang)
					g.win.Resize(size)
					g.show("documents")
				})
				waitList(t, g, 4)
				onUI(func() {
					content := g.win.Content()
					content.Resize(size) // the test window lays out on demand
					var sels []*widget.Select
					var add *widget.Button
					walkObjects(content, func(o fyne.CanvasObject) {
						switch v := o.(type) {
						case *widget.Select:
							sels = append(sels, v)
						case *widget.Button:
							if v.Text == T("documents.add") {
								add = v
							}
						}
					})
					if len(sels) != 3 || add == nil { // state, kind, portal
						t.Fatalf("%d drop-downs and add button %v on the screen", len(sels), add != nil)
					}
					var boxes []box
					for _, s := range sels {
						if w, need := s.Size().Width, selectWidth(s); w+0.5 < need {
							t.Errorf("drop-down %q is %.0f wide, its longest option needs %.0f", s.Selected, w, need)
						}
						boxes = append(boxes, boxOf(s))
					}
					if add.Size().Width+0.5 < add.MinSize().Width {
						t.Errorf("the add button is %.0f wide, its text needs %.0f", add.Size().Width, add.MinSize().Width)
					}
					boxes = append(boxes, boxOf(add))
					for i, a := range boxes {
						if a.x1 > size.Width+0.5 || a.y1 > size.Height+0.5 {
							t.Errorf("control %d ends at %.0f×%.0f, outside the window", i, a.x1, a.y1)
						}
						for _, b := range boxes[i+1:] {
							if a.overlaps(b) {
								t.Errorf("controls overlap: %+v and %+v", a, b)
							}
						}
					}
				})
				if shots != "" {
					for _, id := range ScreenIDs() {
						img := captureScreen(g, id, size)
						name := filepath.Join(shots, id+"-"+lang+"-"+sizeName(size)+".png")
						f, err := os.Create(name)
						if err != nil {
							t.Fatal(err)
						}
						if err := png.Encode(f, img); err != nil {
							t.Fatal(err)
						}
						f.Close()
					}
					// The opened document, scrolled to its journal.
					var img image.Image
					onUI(func() {
						g.show("documents")
						g.openDocument(g.docs.page.Documents[0].ID)
					})
					waitFor(t, "the document", func() bool { return g.docs.detail != nil })
					onUI(func() {
						g.win.Content().Resize(size)
						walkObjects(g.win.Content(), func(o fyne.CanvasObject) {
							if s, ok := o.(*container.Scroll); ok && s.Content != nil && s.Direction == container.ScrollVerticalOnly {
								s.Content.Resize(fyne.NewSize(s.Size().Width, s.Content.MinSize().Height))
								s.ScrollToBottom()
							}
						})
						img = g.win.Canvas().Capture()
					})
					f, err := os.Create(filepath.Join(shots, "journal-"+lang+"-"+sizeName(size)+".png"))
					if err != nil {
						t.Fatal(err)
					}
					png.Encode(f, img)
					f.Close()
				}
			})
		}
	}
}

// captureScreen draws screen id at size with the test driver's painter.
func captureScreen(g *App, id string, size fyne.Size) image.Image {
	var img image.Image
	onUI(func() {
		g.show(id)
		g.win.Resize(size)
		g.win.Content().Resize(size)
		img = g.win.Canvas().Capture()
	})
	return img
}

func sizeName(s fyne.Size) string { return fmt.Sprintf("%.0fx%.0f", s.Width, s.Height) }

// box is an object's rectangle in window coordinates.
type box struct{ x0, y0, x1, y1 float32 }

func boxOf(o fyne.CanvasObject) box {
	p := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	s := o.Size()
	return box{p.X, p.Y, p.X + s.Width, p.Y + s.Height}
}

func (a box) overlaps(b box) bool {
	return a.x0 < b.x1-0.5 && b.x0 < a.x1-0.5 && a.y0 < b.y1-0.5 && b.y0 < a.y1-0.5
}

// walkObjects calls f on o and everything drawn under it.
func walkObjects(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	visit(o, func(o fyne.CanvasObject) bool { f(o); return true })
}

// mainActions are each screen's main buttons (translation keys): they
// must be in view, whole, at the default window size.
var mainActions = map[string][]string{
	"welcome":   {"welcome.open"},
	"keys":      {"keys.openFile", "keys.signWith"},
	"sign":      {"sign.button"},
	"verify":    {"verify.otherFile"},
	"documents": {"documents.add", "documents.sign", "documents.export"},
	"registers": {"registers.saveCSV", "registers.saveText"},
	"about":     {"about.selfTest"},
	// agreements: TestAgreementsScreen, which has a portal with one.
}

// TestMainActionsInView: at 1040×700, in every language, with a key
// open, a file chosen and documents stored, each screen's main action lies
// whole inside the window, and no button, label, entry or drop-down runs
// past the window's right edge (the Keys screen's details once pushed the
// list to a sliver and ran off the window).
func TestMainActionsInView(t *testing.T) {
	st, err := store.OpenMemory(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	seedDocuments(t, st)
	g := newTestAppWith(t, Options{Store: st})
	key, err := createTestKey(g.settings.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "шарт.txt")
	os.WriteFile(file, []byte("Шарт"), 0o600)
	size := fyne.NewSize(1040, 700)
	// A signature made and verified: the Verify screen shows a report and
	// its buttons, the Documents screen the signed document, opened.
	signAndVerify(t, g, key, TestKeyPassword, false)
	signed, err := st.List(context.Background(), store.Query{Text: "contract.txt"})
	if err != nil || len(signed.Documents) != 1 {
		t.Fatalf("the signed document in the store: %v, %v", signed.Documents, err)
	}
	onUI(func() {
		g.addKeyFile(key, true)
		g.setSignFile(file)
	})
	t.Cleanup(func() { onUI(func() { g.SetLanguage("en") }) })
	for _, lang := range translations.Languages {
		for _, id := range ScreenIDs() {
			onUI(func() {
				g.SetLanguage(lang)
				g.win.Resize(size)
				g.show(id)
				if id == "documents" {
					g.openDocument(signed.Documents[0].ID)
				}
			})
			if id == "documents" {
				waitFor(t, "the document", func() bool { return g.docs.detail != nil })
			}
			onUI(func() {
				g.show(id)
				g.win.Content().Resize(size)
			})
			onUI(func() {
				found := map[string]bool{}
				walkObjects(g.win.Content(), func(o fyne.CanvasObject) {
					p := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
					s := o.Size()
					switch v := o.(type) {
					case *widget.Button:
						for _, k := range mainActions[id] {
							if v.Text != T(k) {
								continue
							}
							found[k] = true
							if !wholeInWindow(g, v) {
								t.Errorf("%s, %s: %q at %v size %v is not whole in the %s window", lang, id, v.Text, p, s, sizeName(size))
							}
						}
					case *widget.Label, *widget.Select, *widget.Entry:
					default:
						return
					}
					if p.X+s.Width > size.Width+0.5 {
						t.Errorf("%s, %s: %T %q runs to x=%.0f, past the window's %.0f", lang, id, o, texts(o), p.X+s.Width, size.Width)
					}
				})
				for _, k := range mainActions[id] {
					if !found[k] {
						t.Errorf("%s, %s: no %q button", lang, id, T(k))
					}
				}
			})
		}
	}
}

// wholeInWindow says o is visible and lies whole inside the window.
func wholeInWindow(g *App, o fyne.CanvasObject) bool {
	if o == nil || !o.Visible() {
		return false
	}
	p := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	s, win := o.Size(), g.win.Canvas().Size()
	return p.X >= 0 && p.Y >= 0 && p.X+s.Width <= win.Width+0.5 && p.Y+s.Height <= win.Height+0.5
}
