package ui

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/signer/pdf"
	"github.com/qoltanba/qoltanba/sync/store"
)

// TestDocumentsSignOfficeAsCMS: a .xlsx (ZIP-based, its media type naming
// "openxmlformats") is offered and signed as CMS from the Documents screen,
// not taken for XML.
func TestDocumentsSignOfficeAsCMS(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("[Content_Types].xml")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	g, _, _ := docSignDialogFor(t, "report-2026-q3.xlsx", buf.Bytes())
	var dialogTexts []string
	onUI(func() { dialogTexts = texts(g.win.Canvas().Overlays().Top()) })
	if contains(dialogTexts, T("sign.xmlNote")) || !contains(dialogTexts, T("sign.detached")) {
		t.Errorf("the key choice for a spreadsheet offers XML, not CMS; texts %q", dialogTexts)
	}
	onUI(func() { g.docs.signDialog.Confirm() })
	waitFor(t, "the password dialog", func() bool { return g.secret != nil })
	test.Type(g.secret.entry, TestKeyPassword)
	onUI(func() { g.secret.submit() })
	waitFor(t, "the signing to end", func() bool {
		return !g.docs.busy && g.docs.detail != nil && g.docs.detailAt == g.docs.detailSeq && g.docs.notice != ""
	})
	if g.docs.noticeLvl == levelBad || len(g.docs.detail.sigs) != 1 {
		t.Fatalf("signing the spreadsheet failed: %s", g.docs.notice)
	}
	if s := g.docs.detail.sigs[0]; s.Format != "cms" {
		t.Errorf("the spreadsheet got a %q signature, want cms", s.Format)
	}
}

// TestDocSignPDFInside: a stored PDF is signed inside by default from the
// Documents screen: the signed PDF is version 2 and carries the signature.
func TestDocSignPDFInside(t *testing.T) {
	content, err := os.ReadFile(filepath.Join("..", "signer", "pdf", "testdata", "xrefstream.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	g, st, doc := docSignDialogFor(t, "act.pdf", content)
	var dialogTexts []string
	onUI(func() { dialogTexts = texts(g.win.Canvas().Overlays().Top()) })
	if !contains(dialogTexts, T("sign.formatPDF")) || !contains(dialogTexts, T("sign.stamp")) {
		t.Errorf("the dialog for a PDF does not offer signing inside; texts %q", dialogTexts)
	}
	// A visible stamp, on the last page: the place drop-downs come alive
	// with the tick.
	onUI(func() {
		visit(g.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) bool {
			switch w := o.(type) {
			case *widget.Check:
				if w.Text == T("sign.stamp") {
					test.Tap(w)
				}
			case *widget.Select:
				if w.Selected == T("sign.stampPage.first") {
					if w.Disabled() {
						t.Error("the page drop-down is disabled with the stamp ticked")
					}
					w.SetSelected(T("sign.stampPage.last"))
				}
			}
			return true
		})
	})
	onUI(func() { g.docs.signDialog.Confirm() })
	waitFor(t, "the password dialog", func() bool { return g.secret != nil })
	test.Type(g.secret.entry, TestKeyPassword)
	onUI(func() { g.secret.submit() })
	waitFor(t, "the signing to end", func() bool {
		return !g.docs.busy && g.docs.detail != nil && g.docs.detailAt == g.docs.detailSeq && g.docs.notice != ""
	})
	if g.docs.noticeLvl == levelBad || len(g.docs.detail.sigs) != 1 || g.docs.detail.doc.Version != 2 {
		t.Fatalf("signing the PDF inside: %s; version %d, %d signatures", g.docs.notice, g.docs.detail.doc.Version, len(g.docs.detail.sigs))
	}
	if s := g.docs.detail.sigs[0]; s.Format != "pdf" {
		t.Errorf("the PDF got a %q signature, want pdf", s.Format)
	}
	signed, err := st.Content(context.Background(), doc.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	f, err := pdf.Open(bytes.NewReader(signed), int64(len(signed)))
	if err != nil {
		t.Fatal(err)
	}
	if last, _, err := f.Page(-1); err != nil || last["Annots"] == nil || !bytes.Contains(signed, []byte("/FontFile2")) {
		t.Errorf("no stamp on the last page of the signed version (%v)", err)
	}
}

// docSignDialogFor stores one document, opens it on the Documents screen
// of an offline window with the TEST key, and opens its sign dialog.
func docSignDialogFor(t *testing.T, name string, content []byte) (*App, store.Store, store.Document) {
	t.Helper()
	st, err := store.OpenMemory(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := st.AddDocument(context.Background(), store.NewDocument{Name: name, Content: content})
	if err != nil {
		t.Fatal(err)
	}
	g := newTestAppWith(t, Options{Store: st})
	g.settings.Offline = true
	key, err := createTestKey(g.settings.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	onUI(func() {
		g.addKeyFile(key, true)
		g.show("documents")
	})
	openAndWait(t, g, doc.ID)
	onUI(func() { g.docSignDialog(doc.ID) })
	return g, st, doc
}
