//go:build cgo

package ui

import (
	"crypto/rsa"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	p11 "github.com/miekg/pkcs11"

	"github.com/qoltanba/qoltanba/internal/softhsmtest"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/sync/store"
)

// softHSM is a SoftHSM2 token directory of one test, and the library
// initialised in this process (internal/softhsmtest, shared with
// signer/pkcs11's tests). SoftHSM reads SOFTHSM2_CONF and scans its token
// directory at C_Initialize only: a token another process creates later
// stays unseen, so a token "plugged in" while the GUI runs is initialised
// here, in the free slot. The test initialises the library before the GUI
// loads it, so the GUI's module never finalises it, and finalises it at the
// end: the next test of the binary starts afresh with its own configuration.
type softHSM struct {
	lib *softhsmtest.Lib
}

// newSoftHSM writes a SoftHSM configuration for this test, or skips when
// SoftHSM2 is not installed.
func newSoftHSM(t *testing.T) *softHSM {
	t.Helper()
	softhsmtest.ForTest(t)
	return &softHSM{}
}

// initOffline creates a token with softhsm2-util, before the library is
// loaded: a token plugged in before Qoltanba starts.
func (h *softHSM) initOffline(t *testing.T, label string) {
	t.Helper()
	if err := softhsmtest.InitToken(label); err != nil {
		t.Fatal(err)
	}
}

// load initialises the library in this process; it is finalised when the
// test ends, after the GUI (created later, so cleaned up earlier) let go.
func (h *softHSM) load(t *testing.T) {
	t.Helper()
	lib, err := softhsmtest.Load()
	if err != nil {
		t.Fatalf("%v (another test of this binary left SoftHSM initialised?)", err)
	}
	h.lib = lib
	t.Cleanup(lib.Close)
}

// flags are the token's CK_TOKEN_INFO flags.
func (h *softHSM) flags(t *testing.T, label string) uint {
	t.Helper()
	slot, err := h.lib.SlotOf(label)
	if err != nil {
		t.Fatal(err)
	}
	ti, err := h.lib.Ctx.GetTokenInfo(slot)
	if err != nil {
		t.Fatal(err)
	}
	return ti.Flags
}

// initLive plugs a token in while the GUI watches (SoftHSM's way: the free
// slot's token initialised in this process, the user PIN set).
func (h *softHSM) initLive(t *testing.T, label string) {
	t.Helper()
	if err := h.lib.InsertToken(label); err != nil {
		t.Fatal(err)
	}
}

// importEntity puts a test PKI RSA key and its certificate on the token,
// paired by CKA_ID, as NCA's tools write them.
func (h *softHSM) importEntity(t *testing.T, label string, e *testpki.Entity, id []byte) {
	t.Helper()
	k, ok := e.Key.(*rsa.PrivateKey)
	if !ok {
		t.Fatalf("%s: %T is not an RSA key (SoftHSM has no GOST)", e.Name, e.Key)
	}
	name := filepath.Base(e.Name)
	err := h.lib.Session(label, p11.CKU_USER, softhsmtest.UserPIN, func(sh p11.SessionHandle) error {
		// SoftHSM's file store now and then fails a write with
		// CKR_GENERAL_ERROR while another thread (the GUI's watch) reads
		// the same token: clear what was written and write again.
		var err error
		for attempt := 1; attempt <= 5; attempt++ {
			if err = h.lib.ImportRSA(sh, k, id, name); err == nil {
				if err = h.lib.ImportCert(sh, e.Cert, id, name); err == nil {
					return nil
				}
			}
			t.Logf("import %s, attempt %d: %v", name, attempt, err)
			if err := h.lib.DestroyID(sh, id); err != nil {
				return err
			}
		}
		return fmt.Errorf("import %s: %w", name, err)
	})
	if err != nil {
		t.Fatalf("token %s: %v", label, err)
	}
}

// startTokens turns on what newTestAppWith turns off: the token watch,
// over SoftHSM's module only, polling fast. It is what ShowAndRun does once
// the first frame is drawn.
func startTokens(g *App) {
	onUI(func() {
		g.opts.NoTokens = false
		g.settings.Modules = []string{softhsmtest.Module}
		g.watch.interval = 100 * time.Millisecond
		g.startTokenWatch()
	})
}

// tokenKey is the key listed from the token labelled label, or nil.
func tokenKey(g *App, label string) *keyItem {
	for _, k := range g.keys {
		if k.Source == sourceToken && k.Token == label {
			return k
		}
	}
	return nil
}

// screenHas reports whether the window shows every one of want.
func screenHas(g *App, want ...string) bool {
	screen := texts(g.win.Content())
	for _, w := range want {
		if !contains(screen, w) {
			return false
		}
	}
	return true
}

// TestSoftHSMTokensInGUI is the GUI over a real PKCS#11 module: a token
// present at start shows its holder on the Keys screen (leaving the
// welcome); its key signs a file from the Sign screen through the PIN
// dialog, a wrong PIN first (said plainly, asked again, with the PIN state
// the token reports); a token plugged in while the GUI runs appears, and
// disappears when it is removed, without a restart.
func TestSoftHSMTokensInGUI(t *testing.T) {
	h := newSoftHSM(t)
	p := rsaTestPKI(t)
	head, person := p.Find("rsa/legal_head"), p.Find("rsa/individual")
	const first, live = "QOLTANBA GUI", "QOLTANBA LIVE"
	h.initOffline(t, first)
	h.load(t)
	h.importEntity(t, first, head, []byte{0x01})

	st, err := store.OpenMemory(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := newTestAppWith(t, Options{Store: st})
	g.settings.Offline = true
	installTestPKI(t, g.settings.DataDir, p)
	if g.current != "welcome" {
		t.Fatalf("first screen %q, want the welcome (no keys yet)", g.current)
	}
	startTokens(g)

	// 1. The token present at start: the holder and the token on the Keys
	// screen, which replaced the welcome by itself.
	onTokenText := T("keys.onToken", map[string]any{"Token": first})
	headName := head.Cert.Subject.CommonName
	waitFor(t, "the token's key on the Keys screen", func() bool {
		return g.current == "keys" && tokenKey(g, first) != nil && screenHas(g, headName, onTokenText)
	})
	var k *keyItem
	onUI(func() {
		k = tokenKey(g, first)
		g.keysUI.selected = k.URI
		g.show("keys")
	})
	if k.Certificate == nil || !k.Certificate.Equal(head.Cert) || !strings.HasPrefix(k.URI, "pkcs11:") {
		t.Fatalf("token key %+v: want %s's certificate and a pkcs11: URI", k, headName)
	}
	onUI(func() {
		if !screenHas(g, head.IIN, first) {
			t.Errorf("the token key's details lack the IIN %s or the token; texts %q", head.IIN, texts(g.win.Content()))
		}
	})

	// 2. Sign a file with the token's key: a wrong PIN, then the right one.
	doc := filepath.Join(t.TempDir(), "contract.txt")
	if err := os.WriteFile(doc, []byte("Шарт № 5 / Договор № 5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	onUI(func() {
		g.setSignFile(doc)
		g.sign.keyURI = k.URI
		g.show("sign")
		g.startSign()
	})
	waitFor(t, "the PIN dialog", func() bool { return g.secret != nil })
	var summary, dialogText string
	onUI(func() {
		for _, r := range g.secret.summary {
			summary += r[0] + "=" + r[1] + "\n"
		}
		dialogText = strings.Join(texts(g.win.Canvas().Overlays().Top()), "\n")
	})
	for _, w := range []string{"Document=contract.txt", "SHA-256=", "Key=" + headName + ", IIN " + head.IIN} {
		if !strings.Contains(summary, w) {
			t.Errorf("the PIN dialog does not show %q before asking:\n%s", w, summary)
		}
	}
	for _, w := range []string{T("secret.promptPIN", map[string]any{"Token": first}), T("secret.placeholderPIN")} {
		if !strings.Contains(dialogText, w) {
			t.Errorf("the PIN dialog lacks %q; texts:\n%s", w, dialogText)
		}
	}
	test.Type(g.secret.entry, "00000000")
	onUI(func() { g.secret.submit() })
	waitFor(t, "the PIN asked again after a wrong one", func() bool {
		return g.secret != nil && g.secret.errMsg.Visible()
	})
	onUI(func() { dialogText = strings.Join(texts(g.win.Canvas().Overlays().Top()), "\n") })
	if got := g.secret.errMsg.Text; got != T("error.wrongPIN") {
		t.Errorf("after a wrong PIN the dialog says %q, want %q", got, T("error.wrongPIN"))
	}
	// What the token reports is what is shown: PKCS#11 has no attempt
	// counts, only flags; SoftHSM raises CKF_USER_PIN_COUNT_LOW after a
	// wrong PIN and never locks.
	countLow := T("pin.countLow", map[string]any{"Token": first})
	if h.flags(t, first)&p11.CKF_USER_PIN_COUNT_LOW != 0 {
		if strings.Count(dialogText, countLow) != 1 {
			t.Errorf("the token reports few attempts left; the dialog should say so once:\n%s", dialogText)
		}
		t.Logf("after a wrong PIN the token reports CKF_USER_PIN_COUNT_LOW; the dialog says %q", countLow)
	} else {
		t.Log("SoftHSM reports no PIN state after a wrong PIN")
		if strings.Contains(dialogText, countLow) {
			t.Errorf("the dialog claims few attempts left that the token did not report:\n%s", dialogText)
		}
	}
	test.Type(g.secret.entry, softhsmtest.UserPIN)
	onUI(func() { g.secret.submit() })
	waitFor(t, "the signature", func() bool { return !g.sign.busy && (g.sign.result != "" || g.sign.errText != "") })
	if g.sign.errText != "" {
		t.Fatalf("signing with the token failed: %s", g.sign.errText)
	}
	sig, err := os.ReadFile(g.sign.result)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := cms.Verify(sig, nil)
	if err != nil || len(ev) != 1 || !ev[0].DigestValid || !ev[0].SignatureValid || !ev[0].Certificate.Equal(head.Cert) {
		t.Fatalf("the token's CMS does not verify: %v %+v", err, ev)
	}
	onUI(func() {
		if !screenHas(g, T("sign.done")) {
			t.Errorf("no success banner; texts %q", texts(g.win.Content()))
		}
	})

	// 3. A token plugged in while the GUI runs appears without a restart.
	onUI(func() { g.show("keys") })
	start := time.Now()
	h.initLive(t, live)
	h.importEntity(t, live, person, []byte{0x02})
	onLive := T("keys.onToken", map[string]any{"Token": live})
	waitFor(t, "the token plugged in", func() bool {
		k := tokenKey(g, live)
		return k != nil && k.Certificate != nil && screenHas(g, person.Cert.Subject.CommonName, onLive, headName)
	})
	t.Logf("plugged-in token shown after %v", time.Since(start).Round(time.Millisecond))

	// 4. …and disappears when removed; the first stays.
	start = time.Now()
	if err := softhsmtest.DeleteToken(live); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the removed token to go", func() bool {
		return tokenKey(g, live) == nil && !contains(texts(g.win.Content()), onLive)
	})
	t.Logf("removed token gone after %v", time.Since(start).Round(time.Millisecond))
	onUI(func() {
		if tokenKey(g, first) == nil || !screenHas(g, headName) {
			t.Errorf("the token still plugged in went too; texts %q", texts(g.win.Content()))
		}
	})

	// Quitting stops the watch before the module is released.
	onUI(g.Close)
	if g.tokenHW != nil {
		t.Error("Close left the token modules loaded")
	}
	select {
	case <-g.watch.stopped:
	default:
		t.Error("Close released the modules while the watch was still running")
	}
}
