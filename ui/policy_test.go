package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/keyfile"
	"github.com/qoltanba/qoltanba/signer/pki"
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
