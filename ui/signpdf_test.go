package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/signer/pdf"
	"github.com/qoltanba/qoltanba/signer/pki"
)

// TestSignPDFScreen: a PDF on the Sign screen is signed inside by default,
// with the visible stamp when ticked; the password dialog says so; the
// result verifies on the Verify screen as a PDF revision.
func TestSignPDFScreen(t *testing.T) {
	g := newTestApp(t)
	g.settings.Offline = true
	key, err := createTestKey(g.settings.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join("..", "signer", "pdf", "testdata", "table.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	doc := filepath.Join(t.TempDir(), "act.pdf")
	os.WriteFile(doc, src, 0o644)
	var screen []string
	onUI(func() {
		g.SetLanguage("kk")
		g.addKeyFile(key, true)
		g.setSignFile(doc)
		g.sign.keyURI, _ = filepath.Abs(key)
		g.sign.stamp = true
		g.show("sign")
		screen = texts(g.win.Content())
	})
	if g.sign.format != "pdf" || !contains(screen, T("sign.stamp")) {
		t.Fatalf("a PDF is not signed inside by default: format %q; texts %q", g.sign.format, screen)
	}
	// The stamp on the last page's top left, as an act is signed; the
	// drop-downs say their words whole.
	onUI(func() {
		size := fyne.NewSize(1040, 700)
		g.win.Resize(size)
		g.win.Content().Resize(size)
		visit(g.win.Content(), func(o fyne.CanvasObject) bool {
			if sel, ok := o.(*widget.Select); ok {
				if (sel.Selected == T("sign.stampPage.first") || sel.Selected == T("sign.stampCorner.bottom-right")) && sel.Size().Width+0.5 < selectWidth(sel) {
					t.Errorf("the drop-down %q is %.0f wide, its longest option needs %.0f", sel.Selected, sel.Size().Width, selectWidth(sel))
				}
				switch sel.Selected {
				case T("sign.stampPage.first"):
					sel.SetSelected(T("sign.stampPage.last"))
				case T("sign.stampCorner.bottom-right"):
					sel.SetSelected(T("sign.stampCorner.top-left"))
				}
			}
			return true
		})
	})
	if set := g.core.Settings(); set.StampPage != "last" || set.StampCorner != "top-left" {
		t.Fatalf("the stamp's place is not remembered: %q %q", set.StampPage, set.StampCorner)
	}
	onUI(func() { g.startSign() })
	waitFor(t, "the password dialog", func() bool { return g.secret != nil })
	var summary [][2]string
	onUI(func() { summary = g.secret.summary })
	found := false
	for _, r := range summary {
		found = found || strings.Contains(r[1], "PAdES")
	}
	if !found {
		t.Errorf("the password dialog does not say the signature goes inside the PDF: %q", summary)
	}
	test.Type(g.secret.entry, TestKeyPassword)
	onUI(func() { g.secret.submit() })
	waitFor(t, "the signature", func() bool { return !g.sign.busy && (g.sign.result != "" || g.sign.errText != "") })
	if g.sign.errText != "" || g.sign.result != filepath.Join(filepath.Dir(doc), "act.signed.pdf") {
		t.Fatalf("signed: %q, error %q", g.sign.result, g.sign.errText)
	}
	data, _ := os.ReadFile(g.sign.result)
	if !strings.Contains(string(data), "/FontFile2") {
		t.Error("no stamp in the signed PDF")
	}
	f, err := pdf.Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	last, _, err := f.Page(-1)
	if err != nil {
		t.Fatal(err)
	}
	annots, _ := f.Array(last["Annots"])
	if len(annots) == 0 {
		t.Fatal("the stamp is not on the last page")
	}
	widgetDict, _ := f.Dict(annots[len(annots)-1])
	rect, _ := f.Array(widgetDict["Rect"])
	if len(rect) != 4 || rect[0] != pdf.Real(36) && rect[0] != pdf.Int(36) {
		t.Errorf("the stamp is at %v, not at the top left", rect)
	}
	onUI(func() {
		g.verify = verifyState{file: g.sign.result}
		g.show("verify")
		g.startVerify()
	})
	waitFor(t, "the verification", func() bool { return !g.verify.busy && (g.verify.report != nil || g.verify.errText != "") })
	r := g.verify.report
	if r == nil || len(r.Signatures) != 1 || r.Signatures[0].Indication != pki.TotalPassed || !strings.Contains(r.Signatures[0].Scope, "PDF revision 1") {
		t.Fatalf("verify: %+v %q", r, g.verify.errText)
	}
}
