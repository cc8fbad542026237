package ui

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/coder/websocket"

	"github.com/qoltanba/qoltanba/signer/pkcs11"
	"github.com/qoltanba/qoltanba/sync/store"
)

// findButton finds a visible button with text under o.
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	var found *widget.Button
	visit(o, func(o fyne.CanvasObject) bool {
		if b, ok := o.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
		return found == nil
	})
	return found
}

// tapDialogButton waits for a dialog with a button labelled text and taps it.
func tapDialogButton(t *testing.T, g *App, text string) {
	t.Helper()
	var b *widget.Button
	waitFor(t, "a dialog with "+text, func() bool {
		for _, o := range g.win.Canvas().Overlays().List() {
			if b = findButton(o, text); b != nil {
				return true
			}
		}
		return false
	})
	onUI(func() { test.Tap(b) })
}

// TestWebsiteSignsThroughWindow: a page's request reaches the window's
// bridge; the user allows the site always, chooses the key, sees the site
// and the data in the password dialog, and the signature goes back to the
// page and into "Signed for websites".
func TestWebsiteSignsThroughWindow(t *testing.T) {
	st, err := store.OpenMemory(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", t.TempDir()) // Settings → Websites looks at the browsers here
	g := newTestAppWith(t, Options{Store: st, Bridge: "127.0.0.1:0"})
	key, err := createTestKey(g.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	onUI(func() { g.addKeyFile(key, true) })
	waitFor(t, "the bridge", func() bool { return g.web.bridge != nil })
	var addr string
	var ca *x509.Certificate
	onUI(func() { addr, ca = g.web.addr, g.web.certs.CA })

	const origin = "https://e-qazyna.test"
	replies := make(chan string, 1)
	go func() {
		pool := x509.NewCertPool()
		pool.AddCert(ca)
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		c, _, err := websocket.Dial(ctx, "wss://"+addr+"/", &websocket.DialOptions{HTTPClient: client, HTTPHeader: http.Header{"Origin": {origin}}})
		if err != nil {
			replies <- err.Error()
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(-1)
		c.Read(ctx) // the greeting
		c.Write(ctx, websocket.MessageText, []byte(`{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"xml",
			"data":"<agreement>Келісемін</agreement>","signingParams":{},"signerParams":{"extKeyUsageOids":[],"chain":[]},"locale":"kk"}}`))
		_, reply, err := c.Read(ctx)
		if err != nil {
			replies <- err.Error()
			return
		}
		replies <- string(reply)
	}()

	tapDialogButton(t, g, T("web.allowAlways"))
	tapDialogButton(t, g, T("web.useKey"))
	waitFor(t, "the password dialog", func() bool { return g.secret != nil })
	onUI(func() {
		var shown []string
		for _, r := range g.secret.summary {
			shown = append(shown, r[0]+": "+r[1])
		}
		all := strings.Join(shown, "\n")
		if !strings.Contains(all, T("web.origin")+": "+origin) || !strings.Contains(all, "Келісемін") {
			t.Errorf("the password dialog does not say who asks and what is signed:\n%s", all)
		}
		g.secret.entry.SetText(TestKeyPassword)
		g.secret.submit()
	})
	var reply string
	waitFor(t, "the page's reply", func() bool {
		select {
		case reply = <-replies:
			return true
		default:
			return false
		}
	})
	if !strings.Contains(reply, `"status":true,"body":{"result":["<agreement>Келісемін<ds:Signature`) {
		t.Fatalf("reply %.300s", reply)
	}
	var allowed []string
	onUI(func() { allowed = g.core.Settings().Websites })
	if len(allowed) != 1 || allowed[0] != origin {
		t.Errorf("allowed websites %v", allowed)
	}
	g.web.bridge.Recorded()
	history, err := g.core.WebHistory(context.Background(), 0)
	if err != nil || len(history) != 1 || history[0].Origin != origin {
		t.Errorf("history %+v, %v", history, err)
	}
	// Settings → Websites lists the site and what was signed for it.
	onUI(func() { g.show("settings") })
	waitFor(t, "the history in Settings", func() bool {
		shown := texts(g.win.Content())
		return contains(shown, origin) && strings.Contains(strings.Join(shown, "\n"), origin+" — xml")
	})
}

// TestAutostartEntry: the XDG autostart entry is written and removed.
func TestAutostartEntry(t *testing.T) {
	if !autostartSupported() {
		t.Skip("no XDG autostart on this system")
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	if autostartEnabled() {
		t.Fatal("enabled before it was set")
	}
	if err := setAutostart(true); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "autostart", "qoltanba.desktop"))
	if err != nil || !strings.Contains(string(data), "Exec=") || !autostartEnabled() {
		t.Fatalf("entry %q, %v", data, err)
	}
	if err := setAutostart(false); err != nil || autostartEnabled() {
		t.Fatalf("not removed: %v", err)
	}
	// The .deb's entry starts Qoltanba for every user; turning it off
	// hides it for this user only.
	system := t.TempDir()
	t.Setenv("XDG_CONFIG_DIRS", system)
	os.MkdirAll(filepath.Join(system, "autostart"), 0o755)
	os.WriteFile(filepath.Join(system, "autostart", "qoltanba.desktop"), []byte("[Desktop Entry]\nExec=qoltanba-gui --minimized\n"), 0o644)
	if !autostartEnabled() {
		t.Error("the system's entry is not seen")
	}
	if err := setAutostart(false); err != nil || autostartEnabled() {
		t.Fatalf("the system's entry is not hidden: %v", err)
	}
	if err := setAutostart(true); err != nil || !autostartEnabled() {
		t.Fatalf("not on again: %v", err)
	}
}

// TestOpenKeyFileFromFileManager: a .p12 opened with Qoltanba (the file
// association) is added to the keys and shown there.
func TestOpenKeyFileFromFileManager(t *testing.T) {
	dir := t.TempDir()
	key, err := createTestKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenMemory(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := newTestAppWith(t, Options{Store: st, Screen: "keys", Open: key})
	var remembered []string
	onUI(func() { remembered = g.core.Settings().KeyPaths })
	if len(remembered) != 1 || remembered[0] != key || g.current != "keys" {
		t.Errorf("key paths %v, screen %s", remembered, g.current)
	}
}

// TestActivateOpensFile: a second start hands its file to the running
// window, which shows it on the screen asked for.
func TestActivateOpensFile(t *testing.T) {
	st, err := store.OpenMemory(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := newTestAppWith(t, Options{Store: st})
	sig := filepath.Join(t.TempDir(), "act.pdf.cms")
	os.WriteFile(sig, []byte("not a signature"), 0o600)
	onUI(func() { g.Activate("verify", sig) })
	onUI(func() {
		if g.current != "verify" || g.verify.file != sig {
			t.Errorf("screen %s, verify file %q", g.current, g.verify.file)
		}
	})
}

// TestSettingsShowsWebsitesAndLocalDriverPath: Settings has the Websites
// section, and the token driver example is a path of this system (no
// C:\Windows on Linux).
func TestSettingsShowsWebsitesAndLocalDriverPath(t *testing.T) {
	st, err := store.OpenMemory(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", t.TempDir())
	g := newTestAppWith(t, Options{Store: st})
	onUI(func() { g.show("settings") })
	var shown string
	waitFor(t, "Settings → Websites", func() bool {
		shown = strings.Join(texts(g.win.Content()), "\n")
		return strings.Contains(shown, T("settings.websites")) && strings.Contains(shown, T("websites.notHere"))
	})
	want := pkcs11.ExampleModule()
	if !strings.Contains(shown, want) || (runtime.GOOS != "windows" && strings.Contains(shown, `C:\`)) {
		t.Errorf("the token driver example is not %s:\n%s", want, shown)
	}
}

// TestSignUsesKeyJustOpened: after the TEST key, the key the user opens
// next is the one the Sign screen offers (issue 17, point 8).
func TestSignUsesKeyJustOpened(t *testing.T) {
	st, err := store.OpenMemory(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := newTestAppWith(t, Options{Store: st})
	first, err := createTestKey(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	second, err := createTestKey(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	onUI(func() { g.addKeyFile(first, true) })
	onUI(func() { g.addKeyFile(second, false) })
	onUI(func() {
		g.show("sign")
		if g.sign.keyURI != second {
			t.Errorf("the Sign screen signs with %s, not the key just opened %s", g.sign.keyURI, second)
		}
	})
}

// TestMediaTypeInWords: the document card names the type for people
// (issue 17: it showed "text/plain; charset=utf-8").
func TestMediaTypeInWords(t *testing.T) {
	SetLanguage("ru")
	defer SetLanguage("")
	for mt, want := range map[string]string{
		"text/plain; charset=utf-8": "Текст", "application/xml": "XML-документ", "text/xml; charset=utf-8": "XML-документ",
		"application/pdf": "PDF-документ", "image/png": "Изображение (PNG)", "application/octet-stream": "Файл (application/octet-stream)",
	} {
		if got := mediaTypeText(mt); got != want {
			t.Errorf("%s: %q, want %q", mt, got, want)
		}
	}
}

// TestSignDialogFolder: the Sign screen's file dialog opens in the folder
// of the file on screen, else in Documents — not where the key was.
func TestSignDialogFolder(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	os.MkdirAll(filepath.Join(home, "Documents"), 0o755)
	st, err := store.OpenMemory(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := newTestAppWith(t, Options{Store: st})
	onUI(func() {
		if got := g.signDialogFolder(); got != filepath.Join(home, "Documents") {
			t.Errorf("with no file: %s", got)
		}
		g.sign.file = "/srv/acts/act.pdf"
		if got := g.signDialogFolder(); got != "/srv/acts" {
			t.Errorf("with a file: %s", got)
		}
	})
}
