package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

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
