package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/keyfile"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/signer/xmldsig"
	"github.com/qoltanba/qoltanba/sync/store"
)

// TestExpiredKeyRefusedInGUI: the window refuses an expired key through
// the core's policy, before the password dialog (its certificate lies
// beside it), and writes nothing; the CLI and the core refuse the same key
// (cmd/qoltanba TestSignRefusesExpiredKey, internal/core TestSignPolicy).
func TestExpiredKeyRefusedInGUI(t *testing.T) {
	refusedInGUI(t, "rsa/individual_expired", "", "error.keyNotValid")
}

// TestAuthKeyRefusedInGUI: an authentication key does not sign a document.
func TestAuthKeyRefusedInGUI(t *testing.T) {
	refusedInGUI(t, "rsa/individual_auth", "kk", "error.keyUsage")
}

// refusedInGUI signs a file on the Sign screen with entity's key (its
// certificate beside it), in language lang ("" English), and expects the
// refusal with the translation key want, no password asked, nothing written.
func refusedInGUI(t *testing.T, entity, lang, wantKey string) {
	t.Helper()
	g := newTestApp(t)
	SetLanguage(lang)
	want := T(wantKey)
	key := writeP12(t, rsaTestPKI(t).Find(entity), t.TempDir())
	doc := filepath.Join(t.TempDir(), "act.txt")
	if err := os.WriteFile(doc, []byte("Акт № 3"), 0o644); err != nil {
		t.Fatal(err)
	}
	onUI(func() {
		g.addKeyFile(key, false)
		g.setSignFile(doc)
		g.sign.keyURI = key
		g.show("sign")
		g.startSign()
	})
	waitFor(t, "the refusal", func() bool { return !g.sign.busy })
	if g.secret != nil {
		t.Error("the password was asked for an expired key")
	}
	if g.sign.errText != want {
		t.Errorf("error %q, want %q", g.sign.errText, want)
	}
	if _, err := os.Stat(doc + ".cms"); err == nil {
		t.Error("a signature was written")
	}
}

// TestTestVerdictSameAsCLI: a signature with the welcome's TEST key gets the
// same verdict, marked TEST by the report itself, from the window's verifier
// and from the verifier `qoltanba verify` builds on the same data folder
// (a fresh core over it, as cmd's openCore makes).
func TestTestVerdictSameAsCLI(t *testing.T) {
	g := newTestApp(t)
	key, err := createTestKey(g.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	k, err := keyfile.Open(key, []byte(TestKeyPassword))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	der, err := cms.Sign(bytes.NewReader([]byte("Шарт № 9")), k.Signer, k.Certificate, k.Chain, cms.SignOptions{IncludeChain: true})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := cms.Verify(der, nil)
	if err != nil {
		t.Fatal(err)
	}
	var window *pki.Verifier
	onUI(func() {
		g.settings.Offline = true
		window = g.newVerifier()
	})
	cli, err := core.New(core.Options{DataDir: g.dataDir})
	if err != nil {
		t.Fatal(err)
	}
	cliVerifier, err := cli.Verifier(core.VerifyOptions{Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	a, b := window.Verify(context.Background(), ev), cliVerifier.Verify(context.Background(), ev)
	if a.Worst() != pki.TotalPassed || b.Worst() != a.Worst() {
		t.Errorf("window %s, CLI %s: want both TOTAL_PASSED", a.Worst(), b.Worst())
	}
	if !a.Signatures[0].Test || !b.Signatures[0].Test {
		t.Errorf("the reports do not say TEST: window %v, CLI %v", a.Signatures[0].Test, b.Signatures[0].Test)
	}
}

// signOnScreen signs file with key on the Sign screen. When a signature is
// already at the output, the question about it is answered with answer;
// answerCancel with no question on screen signs straight away.
func signOnScreen(t *testing.T, g *App, file, key string, answer existingAnswer) {
	t.Helper()
	onUI(func() {
		g.addKeyFile(key, false)
		g.setSignFile(file)
		g.sign.keyURI = key
		g.show("sign")
		g.startSign()
	})
	if answer != answerCancel || g.sign.ask != nil {
		waitFor(t, "the question about the existing signature", func() bool { return g.sign.ask != nil })
		onUI(func() { g.sign.ask.choose(answer) })
		if answer == answerCancel {
			return
		}
	}
	waitFor(t, "the password dialog", func() bool { return g.secret != nil })
	test.Type(g.secret.entry, testpki.DefaultPassword)
	onUI(func() { g.secret.submit() })
	waitFor(t, "the signature", func() bool { return !g.sign.busy && (g.sign.result != "" || g.sign.errText != "") })
	if g.sign.errText != "" {
		t.Fatalf("signing failed: %s", g.sign.errText)
	}
}

// TestSecondSignerAddsNotOverwrites: the second person signing a file
// signed before is asked; "add my signature" leaves one CMS with both
// signers and one document with both signatures in the store; "new name"
// keeps the earlier file untouched; cancel writes nothing.
func TestSecondSignerAddsNotOverwrites(t *testing.T) {
	st, err := store.OpenMemory(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := newTestAppWith(t, Options{Store: st})
	p := rsaTestPKI(t)
	dir := t.TempDir()
	first, second := writeP12(t, p.Find("rsa/legal_head"), dir), writeP12(t, p.Find("rsa/legal_signer"), dir)
	doc := filepath.Join(t.TempDir(), "contract.txt")
	if err := os.WriteFile(doc, []byte("Договор № 12"), 0o644); err != nil {
		t.Fatal(err)
	}

	// The Documents list, loaded before, follows the signing on the Sign
	// screen without a keystroke (issue 17, point 2).
	onUI(func() { g.show("documents") })
	waitFor(t, "the empty documents list", func() bool { return g.docs.loaded && len(g.docs.page.Documents) == 0 })
	signOnScreen(t, g, doc, first, answerCancel)
	if g.sign.ask != nil {
		t.Fatal("asked about an existing signature where there is none")
	}
	waitFor(t, "the signed file in the documents list", func() bool { return len(g.docs.page.Documents) == 1 })
	before, _ := os.ReadFile(doc + ".cms")

	// Cancel: nothing changes.
	signOnScreen(t, g, doc, second, answerCancel)
	if after, _ := os.ReadFile(doc + ".cms"); !bytes.Equal(before, after) || g.secret != nil {
		t.Fatal("cancelling changed the signature or asked for a password")
	}

	// Add my signature: one CMS, two signers.
	signOnScreen(t, g, doc, second, answerCoSign)
	sig, _ := os.ReadFile(doc + ".cms")
	ev, err := cms.Verify(sig, nil)
	if err != nil || len(ev) != 2 || !ev[0].Certificate.Equal(p.Find("rsa/legal_head").Cert) || !ev[1].SignatureValid {
		t.Fatalf("after co-signing: %v, %d signers", err, len(ev))
	}
	page, err := st.List(context.Background(), store.Query{})
	if err != nil || len(page.Documents) != 1 {
		t.Fatalf("%d documents in the store, want one (%v)", len(page.Documents), err)
	}
	sigs, _ := st.Signatures(context.Background(), page.Documents[0].ID, 1)
	if len(sigs) != 2 {
		t.Errorf("%d signatures on the document, want 2", len(sigs))
	}

	// New name: the co-signed file stays as it is.
	signOnScreen(t, g, doc, first, answerNewName)
	if after, _ := os.ReadFile(doc + ".cms"); !bytes.Equal(sig, after) {
		t.Error("saving under a new name changed the earlier signature")
	}
	if want := filepath.Join(filepath.Dir(doc), "contract.txt (2).cms"); g.sign.result != want {
		t.Errorf("saved as %q, want %q", g.sign.result, want)
	}
}

// TestSecondSignerAddsToSignedXML: signing an XML document again adds a
// second ds:Signature to the signed copy rather than replacing it.
func TestSecondSignerAddsToSignedXML(t *testing.T) {
	g := newTestApp(t)
	p := rsaTestPKI(t)
	dir := t.TempDir()
	first, second := writeP12(t, p.Find("rsa/legal_head"), dir), writeP12(t, p.Find("rsa/legal_signer"), dir)
	doc := filepath.Join(t.TempDir(), "invoice.xml")
	if err := os.WriteFile(doc, []byte(`<?xml version="1.0" encoding="UTF-8"?><invoice><n>118</n></invoice>`), 0o644); err != nil {
		t.Fatal(err)
	}
	signOnScreen(t, g, doc, first, answerCancel)
	signOnScreen(t, g, doc, second, answerCoSign)
	data, _ := os.ReadFile(filepath.Join(filepath.Dir(doc), "invoice.signed.xml"))
	ev, err := xmldsig.Verify(data)
	if err != nil || len(ev) != 2 {
		t.Fatalf("%v, %d signatures, want 2", err, len(ev))
	}
}

// TestTamperedVerdictNamesOnlyWhatIsWrong: a changed document's verdict
// says the data changed, and not that the chain is missing, which was
// never looked at (issue 17, point 5).
func TestTamperedVerdictNamesOnlyWhatIsWrong(t *testing.T) {
	g := newTestApp(t)
	p := rsaTestPKI(t)
	installTestPKI(t, g.dataDir, p)
	key := writeP12(t, p.Find("rsa/legal_head"), t.TempDir())
	doc := filepath.Join(t.TempDir(), "act.txt")
	if err := os.WriteFile(doc, []byte("Акт № 1"), 0o644); err != nil {
		t.Fatal(err)
	}
	onUI(func() { g.sign.detached = true })
	signOnScreen(t, g, doc, key, answerCancel)
	if err := os.WriteFile(doc, []byte("Акт № 7"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := verifyThroughScreen(t, g, doc+".cms")
	if s := r.Signatures[0]; s.SubIndication != pki.HashFailure {
		t.Fatalf("%s/%s", s.Indication, s.SubIndication)
	}
	var screen []string
	onUI(func() { screen = texts(g.win.Content()) })
	if contains(screen, T("verify.notTrusted")) || !contains(screen, T("verify.chainNotChecked")) {
		t.Errorf("the verdict of a changed document talks about the chain; texts %q", screen)
	}
	// What is signed, in the user's language (issue 17, points 4 and 7).
	onUI(func() {
		SetLanguage("kk")
		g.show("verify")
		screen = texts(g.win.Content())
	})
	for _, want := range []string{"Қол қойылған деректер", T("scope.detached")} {
		if !contains(screen, want) {
			t.Errorf("the Kazakh verdict lacks %q; texts %q", want, screen)
		}
	}
	if contains(screen, cms.ScopeDetached) {
		t.Errorf("English scope %q on the Kazakh screen", cms.ScopeDetached)
	}
}

// TestBannersLeaveWithTheirMoment: the TEST key's notice goes when another
// key is opened or the language changes; a signing's result goes when the
// key is changed (issue 17, point 3).
func TestBannersLeaveWithTheirMoment(t *testing.T) {
	g := newTestApp(t)
	SetLanguage("ru")
	onUI(g.createTestKeyAction)
	waitFor(t, "the TEST key", func() bool { return g.keysUI.notice != "" })
	notice := g.keysUI.notice
	onUI(func() { g.SetLanguage("kk") })
	var screen []string
	onUI(func() { g.show("keys"); screen = texts(g.win.Content()) })
	if g.keysUI.notice != "" || contains(screen, notice) {
		t.Errorf("the Russian notice %q stays on the Kazakh screen", notice)
	}

	p := rsaTestPKI(t)
	dir := t.TempDir()
	first, second := writeP12(t, p.Find("rsa/legal_head"), dir), writeP12(t, p.Find("rsa/legal_signer"), dir)
	doc := filepath.Join(t.TempDir(), "act.txt")
	if err := os.WriteFile(doc, []byte("Акт"), 0o644); err != nil {
		t.Fatal(err)
	}
	signOnScreen(t, g, doc, first, answerCancel)
	if g.sign.result == "" {
		t.Fatal("no result")
	}
	onUI(func() { g.addKeyFile(second, false); g.setSignKey(second); g.show("sign") })
	if g.sign.result != "" || g.sign.recorded != "" {
		t.Errorf("the result of the other key's signing stays: %q %q", g.sign.result, g.sign.recorded)
	}
}
