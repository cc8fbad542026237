package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/internal/core"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/qoltanba/qoltanba/signer/pki"
)

func TestWelcomeWhenNoKeys(t *testing.T) {
	g := newTestApp(t)
	var got []string
	onUI(func() { got = texts(g.win.Content()) })
	if g.current != "welcome" {
		t.Errorf("first screen = %q, want welcome", g.current)
	}
	for _, w := range []string{"Open a key file", "Look for tokens", "Create a test key to try Qoltanba", "TEST"} {
		if !contains(got, w) {
			t.Errorf("welcome lacks %q; texts: %q", w, got)
		}
	}
}

// signAndVerify drives the Sign screen with key (password) over a new
// document, answers the password dialog (wrong first), then verifies the
// result on the Verify screen and returns the report.
func signAndVerify(t *testing.T, g *App, key, password string, detached bool) *pki.Report {
	t.Helper()
	doc := filepath.Join(t.TempDir(), "contract.txt")
	if err := os.WriteFile(doc, []byte("Договор № 1 / Шарт № 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	onUI(func() {
		g.addKeyFile(key, false)
		g.setSignFile(doc)
		g.sign.keyURI, _ = filepath.Abs(key)
		g.sign.detached = detached
		g.show("sign")
		g.startSign()
	})
	waitFor(t, "the password dialog", func() bool { return g.secret != nil })
	var summary [][2]string
	onUI(func() { summary = g.secret.summary })
	joined := ""
	for _, r := range summary {
		joined += r[0] + "=" + r[1] + "\n"
	}
	for _, w := range []string{"Document=contract.txt", "SHA-256=", "Size=", "Key="} {
		if !strings.Contains(joined, w) {
			t.Errorf("the password dialog does not show %q before asking:\n%s", w, joined)
		}
	}

	test.Type(g.secret.entry, "wrong")
	onUI(func() { g.secret.submit() })
	waitFor(t, "the wrong-password message", func() bool {
		return g.secret != nil && g.secret.errMsg.Visible() && strings.HasPrefix(g.secret.errMsg.Text, "Wrong password")
	})
	if g.secret.entry.Text != "" {
		t.Error("the password entry keeps the password after use")
	}
	test.Type(g.secret.entry, password)
	onUI(func() { g.secret.submit() })
	// Fyne's test driver runs fyne.Do on the calling goroutine: wait for
	// the screen itself, not only the state.
	waitFor(t, "the signature", func() bool {
		screen := texts(g.win.Content())
		return !g.sign.busy && (contains(screen, "Signed") || contains(screen, "Not signed"))
	})
	if g.sign.errText != "" {
		t.Fatalf("signing failed: %s", g.sign.errText)
	}
	var screen []string
	onUI(func() { screen = texts(g.win.Content()) })
	if !contains(screen, "Signed") {
		t.Errorf("no success banner; texts: %q", screen)
	}
	want := doc + ".cms"
	if g.sign.result != want {
		t.Errorf("saved as %s, want %s next to the original", g.sign.result, want)
	}

	onUI(func() {
		g.verify = verifyState{file: g.sign.result}
		g.show("verify")
		g.startVerify()
	})
	waitFor(t, "the verification", func() bool {
		screen := texts(g.win.Content())
		return !g.verify.busy && (contains(screen, "Who signed") || contains(screen, "Cannot verify") || g.verify.needOriginal)
	})
	if g.verify.errText != "" || g.verify.needOriginal {
		t.Fatalf("verify: %q (need original %v)", g.verify.errText, g.verify.needOriginal)
	}
	if detached && g.verify.original != doc {
		t.Errorf("detached: original = %q, want %q (found next to the signature)", g.verify.original, doc)
	}
	onUI(func() { screen = texts(g.win.Content()) })
	r := g.verify.report
	if len(r.Signatures) != 1 {
		t.Fatalf("%d signatures", len(r.Signatures))
	}
	s := r.Signatures[0]
	for _, w := range []string{s.Signer.CommonName, s.Signer.IIN, "Who signed", "Details", "Save the report as text…"} {
		if !contains(screen, w) {
			t.Errorf("verify screen lacks %q; texts: %q", w, screen)
		}
	}
	for _, kind := range []string{"txt", "json"} {
		data, err := reportBytes(r, kind)
		if err != nil || !strings.Contains(string(data), s.Signer.IIN) {
			t.Errorf("%s export: %v\n%s", kind, err, data)
		}
	}
	return r
}

// TestSignVerifyTestKey: the welcome's TEST key signs a file and the
// signature verifies green, offline, from the test PKI's CRLs.
func TestSignVerifyTestKey(t *testing.T) {
	g := newTestApp(t)
	g.settings.Offline = true
	key, err := createTestKey(g.settings.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	onUI(func() { g.addKeyFile(key, true) })
	for _, detached := range []bool{false, true} {
		r := signAndVerify(t, g, key, TestKeyPassword, detached)
		s := r.Signatures[0]
		if s.Indication != pki.TotalPassed {
			t.Errorf("detached=%v: %s %s %v %v", detached, s.Indication, s.SubIndication, s.Errors, s.Warnings)
		}
		if s.Signer.BIN == "" || !s.Test {
			t.Errorf("signer %+v not marked TEST", s.Signer)
		}
	}
	var keys []string
	onUI(func() {
		g.show("keys")
		keys = texts(g.win.Content())
	})
	if !contains(keys, "TEST") {
		t.Errorf("the keys screen does not mark the TEST key; texts %q", keys)
	}
}

// TestSignVerifyNCAKey: an NCA RK test key (company head, GOST 2015) signs,
// and the report names the head with IIN and BIN.
func TestSignVerifyNCAKey(t *testing.T) {
	nca := sharedDir(t, "testdata/nca/gost2015")
	g := newTestApp(t)
	g.settings.Offline = true
	ts := pki.NewTrustStore(g.dataPath("trust"))
	if _, err := ts.Import(filepath.Join(nca, "root_test_gost_2022.cer")); err != nil {
		t.Fatal(err)
	}
	r := signAndVerify(t, g, filepath.Join(nca, "legal/valid/head.p12"), "Qwerty12", false)
	s := r.Signatures[0]
	if s.Signer.IIN != "123456789011" || s.Signer.BIN != "123456789021" {
		t.Errorf("signer %+v", s.Signer)
	}
	if s.Indication == pki.TotalFailed {
		t.Errorf("%s %s %v", s.Indication, s.SubIndication, s.Errors)
	}
	t.Logf("NCA key offline: %s %s", s.Indication, s.SubIndication)
}

// TestKeysUnlockOnce: a locked key file shows its holder after the password
// is given once; a wrong one gets the plain message.
func TestKeysUnlockOnce(t *testing.T) {
	nca := sharedDir(t, "testdata/nca/gost2015")
	g := newTestApp(t)
	key := filepath.Join(nca, "legal/valid/head.p12")
	onUI(func() {
		g.addKeyFile(key, false)
		g.show("keys")
	})
	var screen []string
	onUI(func() { screen = texts(g.win.Content()) })
	// The button says what it does, and is not a second "show the password"
	// beside the entry's own eye (issue 17).
	if !contains(screen, T("keys.unlock")) || contains(screen, "Show") || !contains(screen, "head.p12") {
		t.Fatalf("no locked key with an unlock button; texts %q", screen)
	}
	if g.keysUI.pw == nil {
		t.Fatal("no password entry")
	}
	test.Type(g.keysUI.pw, "nope")
	onUI(func() { g.keysUI.pw.OnSubmitted("") })
	waitFor(t, "the wrong-password message", func() bool {
		return contains(texts(g.win.Content()), T("error.wrongPassword"))
	})
	test.Type(g.keysUI.pw, "Qwerty12")
	onUI(func() { g.keysUI.pw.OnSubmitted("") })
	waitFor(t, "the holder", func() bool {
		s := texts(g.win.Content())
		return contains(s, "ТЕСТОВ ТЕСТ") && contains(s, "123456789011") && contains(s, "123456789021")
	})
}

// TestSelfTest: the About screen's self-test signs and verifies green.
func TestSelfTest(t *testing.T) {
	r := selfTest(t.Context())
	if !r.ok() {
		t.Fatalf("self-test: %+v", r)
	}
	t.Logf("self-test took %v", r.Elapsed)
}

// TestDropKeyFile: a .p12 dropped on the window joins the remembered keys;
// any other file goes to Sign with the format chosen from its name.
func TestDropKeyFile(t *testing.T) {
	g := newTestApp(t)
	key, err := createTestKey(g.settings.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	xml := filepath.Join(t.TempDir(), "invoice.xml")
	if err := os.WriteFile(xml, []byte("<a/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	onUI(func() {
		g.dropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(key)})
	})
	if g.current != "keys" || g.keyByURI(key) == nil {
		t.Fatalf("after dropping a key: screen %q, keys %v", g.current, g.keys)
	}
	if !contains(g.core.Settings().KeyPaths, key) {
		t.Error("the dropped key's path is not remembered")
	}
	if saved, err := core.LoadSettings(g.core.DataDir); err != nil || !contains(saved.KeyPaths, key) {
		t.Errorf("the dropped key's path is not in the settings file: %v %v", err, saved.KeyPaths)
	}
	onUI(func() {
		g.dropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(xml)})
	})
	if g.current != "sign" || g.sign.file != xml || g.sign.format != "xml" {
		t.Errorf("after dropping XML: screen %q, file %q, format %q", g.current, g.sign.file, g.sign.format)
	}
}
