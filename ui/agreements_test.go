package ui

import (
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/cmd/qoltanba-portal/portaltest"
	"github.com/qoltanba/qoltanba/internal/sharedtest"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/sync/evidence"
)

// TestAgreementsScreen: the text in the user's language, "I have read and
// accept" disabled until the end of the text was reached, then the key,
// the password dialog showing the statement, and the receipt.
func TestAgreementsScreen(t *testing.T) {
	env := portaltest.Start(t, portaltest.Options{NoTSA: true})
	long := strings.Repeat("Тараптар электрондық құжаттармен алмасады.\n", 300) + "СОҢЫ\n"
	ag := env.PublishAgreement(t, "", "ЭҚА келісімі", map[string]string{"kk": long, "ru": "Стороны обмениваются документами.\n"})
	g := newTestApp(t)
	g.settings.Offline = true
	person := env.PKI.Find("gost/individual")
	onUI(func() {
		g.SetLanguage("kk")
		g.addKeyFile(person.P12Path, true)
	})
	waitFor(t, "the portal sync", func() bool { return g.portal.engine != nil })
	ctx := context.Background()
	a, err := g.portal.engine.Add(ctx, "", env.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.portal.engine.Login(ctx, a.Name, env.PKI.Find("gost/individual_auth").P12Path, autoUI{}); err != nil {
		t.Fatal(err)
	}
	onUI(func() { g.show("agreements") })
	waitFor(t, "the agreements", func() bool { return len(g.agreements.list) == 1 })
	onUI(func() { g.openAgreement(ag.Id) })
	waitFor(t, "the Kazakh text", func() bool { return strings.Contains(g.agreements.text, "СОҢЫ") && g.agreements.scroll != nil })
	onUI(func() { // a larger text, kept while reading
		for i := 0; i < 2; i++ {
			visit(g.agreements.view, func(o fyne.CanvasObject) bool {
				if b, ok := o.(*widget.Button); ok && b.Text == "A+" {
					test.Tap(b)
					return false
				}
				return true
			})
		}
	})
	if g.agreements.size != 3 {
		t.Errorf("text size %d after two A+", g.agreements.size)
	}
	var disabled bool
	onUI(func() {
		g.win.Resize(g.win.Canvas().Size())
		disabled = g.agreements.accept.Disabled()
	})
	if !disabled {
		t.Fatal("accept is enabled before the text was read")
	}
	// The search finds the last line, brings it into view and marks it.
	var find *widget.Entry
	onUI(func() {
		visit(g.agreements.view, func(o fyne.CanvasObject) bool {
			if e, ok := o.(*widget.Entry); ok {
				find = e
			}
			return find == nil
		})
	})
	if find == nil {
		t.Fatal("no search in the reader")
	}
	test.Type(find, "соңы")
	var found string
	var marked int
	onUI(func() { found, marked = g.agreements.found.Text, g.agreements.reader.marked })
	if found != "1 ішінен 1" || marked != 300 {
		t.Errorf("search for the last line: %q, paragraph %d marked", found, marked)
	}
	onUI(func() { find.SetText("жоқ сөз") })
	onUI(func() { found, marked = g.agreements.found.Text, g.agreements.reader.marked })
	if found != "табылмады" || marked != -1 {
		t.Errorf("search for a missing word: %q, paragraph %d marked", found, marked)
	}
	onUI(func() {
		g.agreements.scroll.Resize(g.agreements.scroll.Size().AddWidthHeight(0, 0))
		g.agreements.scroll.ScrollToBottom()
	})
	waitFor(t, "accept enabled at the end", func() bool { return g.agreements.readEnd && !g.agreements.accept.Disabled() })
	onUI(func() { // the main action in view at the default size
		size := fyne.NewSize(1040, 700)
		g.win.Resize(size)
		g.win.Content().Resize(size)
		if !wholeInWindow(g, g.agreements.accept) {
			t.Errorf("the accept button is not whole in the 1040×700 window: at %v", fyne.CurrentApp().Driver().AbsolutePositionForObject(g.agreements.accept))
		}
	})
	onUI(func() { g.acceptDialog() })
	onUI(func() { g.portal.dialog.Confirm() })
	waitFor(t, "the password dialog", func() bool { return g.secret != nil })
	var asked string
	onUI(func() {
		for _, r := range g.secret.summary {
			asked += r[0] + "=" + r[1] + "\n"
		}
	})
	if !strings.Contains(asked, "urn:qoltanba:agreement-acceptance:1") || !strings.Contains(asked, env.URL) {
		t.Errorf("the password dialog does not show the statement and the portal:\n%s", asked)
	}
	test.Type(g.secret.entry, testpki.DefaultPassword)
	onUI(func() { g.secret.submit() })
	waitFor(t, "the acceptance", func() bool {
		a := g.agreementByID(ag.Id)
		return !g.agreements.busy && a != nil && a.Accepted.Version == 1
	})
	var all string
	onUI(func() { all = strings.Join(texts(g.win.Content()), "\n") })
	for _, w := range []string{"Қабылданды", "қабылданды (1-нұсқа"} {
		if !strings.Contains(all, w) {
			t.Errorf("after accepting the screen lacks %q:\n%s", w, all)
		}
	}
	if !strings.Contains(all, "Келісім дәлелін сақтау") {
		t.Errorf("an accepted agreement offers no proof to save:\n%s", all)
	}
	shot(t, g, "agreements-kk")
	// The proof, as the button's dialog writes it: one package with the text.
	statement, _, err := g.portal.engine.Acceptance(ctx, a.Name, ag.Id, 0)
	if err != nil {
		t.Fatal(err)
	}
	proof := filepath.Join(t.TempDir(), "proof.zip")
	var exported bool
	var exportErr error
	onUI(func() {
		g.writeEvidence(statement.Document, proof, func(_ int, err error) { exported, exportErr = true, err })
	})
	waitFor(t, "the proof", func() bool { return exported })
	if exportErr != nil {
		t.Fatal(exportErr)
	}
	if chk, err := evidence.CheckFile(ctx, proof, evidence.CheckOptions{Trust: portaltest.Trust(env.PKI)}); err != nil ||
		chk.Agreement == nil || len(chk.Problems) != 0 {
		t.Errorf("the proof saved: %+v %v", chk, err)
	}

	// A new version asks again, with what changed.
	env.PublishAgreement(t, ag.Id, ag.Title, map[string]string{"kk": strings.Replace(long, "СОҢЫ", "ЖАҢА СОҢЫ", 1)})
	onUI(func() { g.loadAgreements() })
	waitFor(t, "the new version", func() bool { a := g.agreementByID(ag.Id); return a != nil && a.Version == 2 })
	onUI(func() { g.openAgreement(ag.Id) })
	waitFor(t, "the new text", func() bool { return strings.Contains(g.agreements.text, "ЖАҢА") })
	onUI(func() { all = strings.Join(texts(g.win.Content()), "\n") })
	if !strings.Contains(all, "1-нұсқадан кейін не өзгерді") || !strings.Contains(all, "жаңа 2-нұсқа") {
		t.Errorf("a new version does not say it asks again:\n%s", all)
	}
}

// shot writes the window as QOLTANBA_LAYOUT_SHOTS/name.png when set, for
// looking at.
func shot(t *testing.T, g *App, name string) {
	dir := os.Getenv("QOLTANBA_LAYOUT_SHOTS")
	if dir == "" {
		return
	}
	var img image.Image
	onUI(func() {
		// Lay the whole window out again, as the real driver does each frame.
		size := g.win.Canvas().Size()
		g.win.Resize(size.AddWidthHeight(1, 1))
		g.win.Resize(size)
		img = g.win.Canvas().Capture()
	})
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// autoUI answers the test password without asking (the login's key).
type autoUI struct{}

func (autoUI) RequestSecret(context.Context, signer.SecretRequest) ([]byte, error) {
	return []byte(testpki.DefaultPassword), nil
}

func (autoUI) Consent(context.Context, signer.Consent) error { return nil }

// TestReaderLongText lays out the longest sample agreement (the EDM
// agreement, 190 KB, 1,380 paragraphs) and searches it; it logs how long
// that takes.
func TestReaderLongText(t *testing.T) {
	text, err := os.ReadFile(filepath.Join(sharedtest.Dir(t, "samples", "agreements"), "adr-edm-agreement.ru.txt"))
	if err != nil {
		t.Fatal(err)
	}
	g := newTestApp(t)
	var r *reader
	start := time.Now()
	onUI(func() {
		r = newReader(string(text), theme.SizeNameText)
		g.win.SetContent(r.scroll)
		g.win.Resize(fyne.NewSize(900, 700))
	})
	built := time.Since(start)
	hits := r.find("компрометац")
	start = time.Now()
	onUI(func() { r.show(hits[len(hits)-1]) })
	t.Logf("the EDM agreement: %d paragraphs laid out in %v; %d matches of «компрометац», the last shown in %v",
		len(r.paragraphs), built, len(hits), time.Since(start))
	if len(hits) < 3 || r.scroll.Offset.Y < r.scroll.Content.MinSize().Height/2 {
		t.Errorf("%d matches; the last one shown at %v of %v", len(hits), r.scroll.Offset.Y, r.scroll.Content.MinSize().Height)
	}
}
