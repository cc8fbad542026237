package ui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/qoltanba/qoltanba/assets/translations"
	"github.com/qoltanba/qoltanba/sync/evidence"
	"github.com/qoltanba/qoltanba/sync/store"
)

// seedDocuments adds the test vectors and a few text documents to st.
func seedDocuments(t *testing.T, st store.Store) map[string]store.Document {
	t.Helper()
	ctx := context.Background()
	docs := map[string]store.Document{}
	add := func(nd store.NewDocument) {
		d, err := st.AddDocument(ctx, nd)
		if err != nil {
			t.Fatalf("add %s: %v", nd.Name, err)
		}
		docs[nd.Name] = d
	}
	for _, name := range []string{"stamp.png", "act-2026-07.pdf"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		add(store.NewDocument{Name: name, Content: data})
	}
	add(store.NewDocument{Name: "contract-17.txt", Title: "Шарт № 17", Kind: store.KindContract, Counterparty: "ТОО Альфа",
		Content: []byte("Договор поставки № 17\nСтороны: ТОО Альфа и АО Бета\n")})
	add(store.NewDocument{Name: "invoice-118.xml", Kind: store.KindInvoice,
		Content: []byte(`<?xml version="1.0" encoding="UTF-8"?><invoice number="118"><total>1250000</total></invoice>`)})
	return docs
}

func docTitles(g *App) []string {
	var out []string
	for _, d := range g.docs.page.Documents {
		out = append(out, d.Title)
	}
	return out
}

// waitList waits until the last listing started is shown, with n documents.
func waitList(t *testing.T, g *App, n int) {
	t.Helper()
	waitFor(t, "the listing", func() bool { return g.docs.shown == g.docs.gen })
	var got int
	onUI(func() { got = len(g.docs.page.Documents) })
	if got != n {
		t.Fatalf("list of %d documents %q, want %d", got, docTitles(g), n)
	}
}

// openAndWait opens a document and waits until it is shown.
func openAndWait(t *testing.T, g *App, id store.ID) {
	t.Helper()
	var seq int
	onUI(func() {
		g.openDocument(id)
		seq = g.docs.detailSeq
	})
	waitDetail(t, g, seq)
}

// waitDetail waits until the document load seq (or a later one) is shown.
func waitDetail(t *testing.T, g *App, seq int) {
	t.Helper()
	waitFor(t, "the document", func() bool { return g.docs.detailAt >= seq })
}

func findImage(o fyne.CanvasObject) *canvas.Image {
	var found *canvas.Image
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *canvas.Image:
			found = v
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return found
}

// TestDocumentsListFilterOpen: the list shows every document with its
// state; text, state and kind filters narrow it; opening one shows its
// content (text, image, PDF description), versions and journal.
func TestDocumentsListFilterOpen(t *testing.T) {
	st, err := store.OpenMemory(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	docs := seedDocuments(t, st)
	g := newTestAppWith(t, Options{Store: st})
	onUI(func() { g.show("documents") })
	waitList(t, g, 4)

	cases := []struct {
		name  string
		set   func()
		count int
		want  string
	}{
		{"text", func() { g.docs.text = "альфа" }, 1, "Шарт № 17"},
		{"kind", func() { g.docs.kind = store.KindInvoice }, 1, "invoice-118.xml"},
		{"state draft", func() { g.docs.state = store.StateDraft }, 4, ""},
		{"state signed", func() { g.docs.state = store.StateSigned }, 0, ""},
	}
	for _, c := range cases {
		onUI(func() {
			g.docs.text, g.docs.kind, g.docs.state = "", "", ""
			c.set()
			g.show("documents")
			g.resetDocsPaging()
			g.loadDocs()
		})
		waitList(t, g, c.count)
		if c.want != "" && docTitles(g)[0] != c.want {
			t.Errorf("%s: list %q, want %q", c.name, docTitles(g), c.want)
		}
	}
	var screen []string
	onUI(func() { screen = texts(g.win.Content()) })
	if !contains(screen, "No documents yet") {
		t.Errorf("an empty filter result says nothing; texts %q", screen)
	}

	// Open the text document: its content, metadata, version and journal.
	onUI(func() {
		g.docs.state = ""
		g.show("documents")
		g.loadDocs()
	})
	waitList(t, g, 4)
	openAndWait(t, g, docs["contract-17.txt"].ID)
	onUI(func() { screen = texts(g.win.Content()) })
	joined := strings.Join(screen, "\n")
	for _, w := range []string{"Договор поставки № 17", "ТОО Альфа", "Contract", "DRAFT", "Not signed yet.", "Version 1 · contract-17.txt", "added"} {
		if !strings.Contains(joined, w) {
			t.Errorf("the opened document lacks %q; texts:\n%s", w, joined)
		}
	}

	// The image is previewed, the PDF described.
	openAndWait(t, g, docs["stamp.png"].ID)
	var img *canvas.Image
	onUI(func() { img = findImage(g.docs.detailBox) })
	if img == nil {
		t.Error("the PNG is not previewed with a canvas.Image")
	}
	openAndWait(t, g, docs["act-2026-07.pdf"].ID)
	onUI(func() { screen = texts(g.docs.detailBox) })
	if !contains(screen, "PDF 1.4 document, 247 bytes, 2 page(s).") {
		t.Errorf("the PDF is not described; texts %q", screen)
	}
}

// TestDocumentsPaging: more documents than a page hold are reached with
// next and previous.
func TestDocumentsPaging(t *testing.T) {
	st, err := store.OpenMemory(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var nds []store.NewDocument
	for i := range docsPageSize + 5 {
		nds = append(nds, store.NewDocument{Name: fmt.Sprintf("letter-%02d.txt", i), Content: []byte(fmt.Sprintf("letter %d", i))})
	}
	if _, err := st.AddDocuments(context.Background(), nds); err != nil {
		t.Fatal(err)
	}
	g := newTestAppWith(t, Options{Store: st})
	onUI(func() { g.show("documents") })
	waitList(t, g, docsPageSize)
	onUI(func() {
		if !g.docs.prev.Disabled() || g.docs.next.Disabled() {
			t.Errorf("first page: previous should be off, next on (next page after %v)", g.docs.page.Next)
		}
	})
	test.Tap(g.docs.next)
	waitList(t, g, 5)
	onUI(func() {
		if !strings.HasPrefix(g.docs.pager.Text, "Page 2") {
			t.Errorf("pager says %q", g.docs.pager.Text)
		}
	})
	test.Tap(g.docs.prev)
	waitList(t, g, docsPageSize)
}

// TestDocumentsAddSignExport: a file added on the Documents screen is
// signed from there (the plan shown before the password), then shows the
// signature and the journal entry, and exports an evidence package that
// checks.
func TestDocumentsAddSignExport(t *testing.T) {
	g := newTestApp(t)
	g.settings.Offline = true
	key, err := createTestKey(g.settings.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "act-2026-07.txt")
	if err := os.WriteFile(file, []byte("Акт № 7 / Act No. 7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	onUI(func() {
		g.addKeyFile(key, true)
		g.show("documents")
		// As a drop onto the window does on this screen.
		g.dropped(fyne.Position{}, []fyne.URI{storage.NewFileURI(file)})
	})
	waitFor(t, "the added document", func() bool { return g.docs.detail != nil && g.docs.detail.doc.Name == "act-2026-07.txt" })
	id := g.docs.detail.doc.ID

	onUI(func() { g.docSignDialog(id) })
	if g.docs.signDialog == nil {
		t.Fatal("no key choice dialog")
	}
	onUI(func() { g.docs.signDialog.Confirm() })
	waitFor(t, "the password dialog", func() bool { return g.secret != nil })
	var joined string
	onUI(func() {
		for _, r := range g.secret.summary {
			joined += r[0] + "=" + r[1] + "\n"
		}
	})
	for _, w := range []string{"Document=act-2026-07.txt (version 1, act-2026-07.txt)", "SHA-256=", "Key=", "Format=CMS"} {
		if !strings.Contains(joined, w) {
			t.Errorf("the password dialog does not show %q before asking:\n%s", w, joined)
		}
	}
	test.Type(g.secret.entry, TestKeyPassword)
	onUI(func() { g.secret.submit() })
	waitFor(t, "the stored signature", func() bool {
		return !g.docs.busy && g.docs.detail != nil && len(g.docs.detail.sigs) == 1 && g.docs.detailAt == g.docs.detailSeq
	})
	var screen []string
	onUI(func() { screen = texts(g.win.Content()) })
	all := strings.Join(screen, "\n")
	for _, w := range []string{"SIGNED", "The signature is valid", "Signature 1 added to version 1", "signature 1 (CMS) by", "BIN"} {
		if !strings.Contains(all, w) {
			t.Errorf("after signing the screen lacks %q; texts:\n%s", w, all)
		}
	}

	exportAndCheck(t, g, id, "act.evidence.zip")
}

// TestSignScreenRecords: a file signed on the Sign screen lands in the store
// with its signature, and its verification in the journal.
func TestSignScreenRecords(t *testing.T) {
	g := newTestApp(t)
	g.settings.Offline = true
	key, err := createTestKey(g.settings.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	onUI(func() { g.addKeyFile(key, true) })
	signAndVerify(t, g, key, TestKeyPassword, true)
	if !strings.Contains(g.sign.recorded, "Recorded in the document store") {
		t.Errorf("sign result says %q", g.sign.recorded)
	}
	// The result says who signed (issue 17: it did not).
	onUI(func() {
		shown := strings.Join(texts(g.signResult()), "\n")
		if !strings.Contains(g.sign.signedBy, "IIN ") || !strings.Contains(shown, T("sign.signedBy", map[string]any{"Signer": g.sign.signedBy})) {
			t.Errorf("the result does not name the signer: %q; shown %q", g.sign.signedBy, shown)
		}
	})
	ctx := context.Background()
	p, err := g.opts.Store.List(ctx, store.Query{State: store.StateSigned})
	if err != nil || len(p.Documents) != 1 || p.Documents[0].Name != "contract.txt" {
		t.Fatalf("signed documents %+v, %v", p.Documents, err)
	}
	sigs, err := g.opts.Store.Signatures(ctx, p.Documents[0].ID, 1)
	if err != nil || len(sigs) != 1 || !sigs[0].Detached || sigs[0].Format != "cms" {
		t.Fatalf("signatures %+v, %v", sigs, err)
	}
	waitFor(t, "the verification in the journal", func() bool {
		es, _ := g.opts.Store.Journal(ctx, store.JournalQuery{})
		return len(es) > 0 && es[len(es)-1].Action == store.ActionVerify
	})
}

// TestDocumentsLocked: with the database held by another Qoltanba, the
// Documents screen says so plainly and the other screens still work.
func TestDocumentsLocked(t *testing.T) {
	dir := t.TempDir()
	other, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	g := newTestAppWith(t, Options{DataDir: dir, OpenStore: func() (store.Store, error) {
		return store.Open(dir, store.Options{Timeout: 50 * time.Millisecond})
	}})
	waitFor(t, "the lock to be noticed", func() bool { return g.storeState != storeOpening })
	if g.storeState != storeLocked || !errors.Is(g.storeErr, store.ErrLocked) {
		t.Fatalf("state %v, err %v", g.storeState, g.storeErr)
	}
	var screen []string
	onUI(func() {
		g.show("documents")
		screen = texts(g.win.Content())
	})
	if !contains(screen, "The document database is in use by another Qoltanba") {
		t.Errorf("no locked message; texts %q", screen)
	}
	onUI(func() {
		g.show("sign")
		screen = texts(g.win.Content())
	})
	if !contains(screen, "Choose a file") && len(screen) < 5 {
		t.Errorf("the Sign screen does not work; texts %q", screen)
	}
}

// TestStoreClosedOnQuit: Close releases the database lock.
func TestStoreClosedOnQuit(t *testing.T) {
	dir := t.TempDir()
	g := newTestAppWith(t, Options{DataDir: dir})
	waitFor(t, "the store", func() bool { return g.storeState == storeReady })
	onUI(g.Close)
	again, err := store.Open(dir, store.Options{Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("the GUI did not release the store: %v", err)
	}
	again.Close()
}

// exportAndCheck exports document id from the Documents screen as name,
// checks the evidence package as a recipient would, and that the journal
// reads import, sign, export.
func exportAndCheck(t *testing.T, g *App, id store.ID, name string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	onUI(func() { g.exportDocument(id, out) })
	waitFor(t, "the export", func() bool { return !g.docs.busy && strings.Contains(g.docs.notice, "Evidence package") })
	r, err := evidence.CheckFile(context.Background(), out, evidence.CheckOptions{})
	if err != nil {
		t.Fatalf("check the package: %v", err)
	}
	if r.ExitCode() == 1 {
		var b strings.Builder
		_ = r.Text(&b)
		t.Errorf("the package fails its check:\n%s", b.String())
	}
	var es []store.Entry
	onUI(func() { es, err = g.store.Journal(context.Background(), store.JournalQuery{Document: id}) })
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range es {
		actions = append(actions, string(e.Action))
	}
	if strings.Join(actions, ",") != "import,sign,export" {
		t.Errorf("journal %v, want import, sign, export", actions)
	}
}

// TestPaperCopyButton: the document view offers a paper copy; made in the
// window's language, it is saved and said so.
func TestPaperCopyButton(t *testing.T) {
	st, err := store.OpenMemory(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	docs := seedDocuments(t, st)
	g := newTestAppWith(t, Options{Store: st})
	g.settings.Offline = true
	id := docs["contract-17.txt"].ID
	onUI(func() {
		g.SetLanguage("ru")
		g.show("documents")
		g.openDocument(id)
	})
	waitFor(t, "the document", func() bool { return g.docs.detail != nil && g.docs.detail.doc.ID == id })
	var screen []string
	onUI(func() { screen = texts(g.win.Content()) })
	if !contains(screen, "Распечатать бумажную копию…") {
		t.Fatalf("no paper copy button: %q", screen)
	}
	path := filepath.Join(t.TempDir(), "copy.pdf")
	onUI(func() { g.paperCopy(id, path) })
	waitFor(t, "the copy", func() bool { return !g.docs.busy })
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no copy written: %v (notice %q)", err, g.docs.notice)
	}
	if !strings.Contains(g.docs.notice, "Бумажная копия сохранена") {
		t.Errorf("notice %q", g.docs.notice)
	}
}

// TestDiskErrorsInWords: a disk that refuses a write is said in the
// user's words, with what to do, when adding and when signing.
func TestDiskErrorsInWords(t *testing.T) {
	full := fmt.Errorf("add: %w", &fs.PathError{Op: "write", Path: "qoltanba.db", Err: syscall.ENOSPC})
	readOnly := fmt.Errorf("add: %w", &fs.PathError{Op: "open", Path: "qoltanba.db", Err: syscall.EROFS})
	for _, lang := range translations.Languages {
		SetLanguage(lang)
		if got := addErrorText("шарт.txt", full); got != T("error.diskFull") {
			t.Errorf("%s: adding on a full disk says %q", lang, got)
		}
		if got := signErrorText(readOnly); got != T("error.diskReadOnly") {
			t.Errorf("%s: signing on a read-only disk says %q", lang, got)
		}
	}
	SetLanguage("en")
}
