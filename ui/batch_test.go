package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/qoltanba/qoltanba/cmd/qoltanba-portal/portaltest"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// TestBatchDialog: the four documents listed (an XML invoice among them)
// are ticked, one password signs them all (XMLDSig for the XML, CMS for the
// others), the progress never hides the password dialog, and the summary
// says what was signed.
func TestBatchDialog(t *testing.T) {
	g := newTestApp(t)
	g.settings.Offline = true
	docs := seedDocuments(t, g.opts.Store)
	key := portaltest.PKI(t).Find("gost/legal_head").P12Path
	onUI(func() {
		g.SetLanguage("ru")
		g.addKeyFile(key, false)
		g.show("documents")
	})
	waitList(t, g, 4)
	onUI(func() { g.batchDialog() })
	if g.batch.dialog == nil {
		t.Fatal("no batch dialog")
	}
	onUI(func() { g.batch.dialog.Confirm() })
	waitFor(t, "the password dialog", func() bool { return g.secret != nil })
	var rows string
	var progressUp bool
	onUI(func() {
		for _, r := range g.secret.summary {
			rows += r[0] + "=" + r[1] + "\n"
		}
		progressUp = g.batch.progress != nil && g.batch.progress.MinSize().Height > 0 && g.batch.bar.Value > 0
	})
	if progressUp {
		t.Error("the progress shows before the password was given")
	}
	test.Type(g.secret.entry, testpki.DefaultPassword)
	onUI(func() { g.secret.submit() })
	waitFor(t, "the batch", func() bool { return !g.batch.running && g.batch.result != nil })
	// The seeded PDF has no cross-reference table: it cannot take a
	// signature inside, and is left out, said in Russian.
	res := g.batch.result
	if res.Signed != 3 || res.Skipped != 1 || res.Failed != 0 {
		t.Fatalf("batch: %+v, %v", res, g.batch.err)
	}
	ctx := context.Background()
	for name, d := range docs {
		sigs, _ := g.store.Signatures(ctx, d.ID, 1)
		if strings.HasSuffix(name, ".pdf") {
			if len(sigs) != 0 {
				t.Errorf("%s: signed, though it cannot take a signature inside", name)
			}
			continue
		}
		if len(sigs) != 1 {
			t.Errorf("%s: %d signatures", name, len(sigs))
			continue
		}
		if want := map[bool]string{true: "xmldsig", false: "cms"}[strings.HasSuffix(name, ".xml")]; sigs[0].Format != want {
			t.Errorf("%s signed as %s, want %s", name, sigs[0].Format, want)
		}
	}
	var all, why string
	onUI(func() {
		all = strings.Join(texts(g.win.Content()), "\n")
		why = strings.Join(texts(g.win.Canvas().Overlays().Top()), "\n")
	})
	if !strings.Contains(all, "Подписано: 3; пропущено: 1; не подписано: 0.") {
		t.Errorf("no summary:\n%s", all)
	}
	if !strings.Contains(why, "act-2026-07.pdf: пропущен — в этот PDF нельзя встроить подпись") {
		t.Errorf("the skipped PDF is not said in Russian:\n%s", why)
	}
}
