package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/qoltanba/qoltanba/sync/store"
)

// latinAllowed are the Latin words a Kazakh or Russian screen may show:
// proper names (the product, tokens, protocols), language autonyms.
var latinAllowed = map[string]bool{
	"Qoltanba": true, "NCALayer": true, "Kaztoken": true, "eToken": true, "JaCarta": true, "Rutoken": true,
	"Chromium": true, "Firefox": true, "XMLDSig": true, "CAdES": true, "PAdES": true,
	"English": true, "test": true, // the test build's version
}

// commands are command lines quoted in a text: not prose.
var commands = regexp.MustCompile(`«qoltanba[^»]*»|'qoltanba[^']*'`)

var hexRun = regexp.MustCompile(`^[0-9a-f]{16,}$`)

// latinWord finds Latin words; tokenOK says a token is not English prose:
// an acronym (XML, OCSP, PKCS#11), a file name, a path, an address, an
// option or environment variable, a version.
var latinWord = regexp.MustCompile(`[A-Za-z][A-Za-z]+`)

func tokenOK(token string) bool {
	t := strings.Trim(token, "()«»\"',;:!?…")
	switch {
	case t == "" || hexRun.MatchString(t):
		return true
	case strings.ContainsAny(t, "/\\._#@=0123456789") || strings.HasPrefix(t, "-"):
		return true // a path, a file name, an address, an option, a serial or a password
	}
	for _, w := range latinWord.FindAllString(t, -1) {
		if !latinAllowed[w] && strings.ToUpper(w) != w { // acronyms (XML, OCSP) are not prose
			return false
		}
	}
	return true
}

// TestNoEnglishInKkRu walks every screen in Kazakh and Russian — with
// documents stored and one open, a file chosen to sign — and fails on an
// English word that is not a proper name, an acronym, a file name or an
// address.
func TestNoEnglishInKkRu(t *testing.T) {
	st, err := store.OpenMemory(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	docs := seedDocuments(t, st)
	g := newTestAppWith(t, Options{Store: st})
	g.settings.Offline = true
	file := filepath.Join(t.TempDir(), "шарт.txt")
	os.WriteFile(file, []byte("Шарт"), 0o600)
	// A signature verified, its details open: the words of the report.
	key, err := createTestKey(g.settings.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	onUI(func() { g.addKeyFile(key, true) })
	signAndVerify(t, g, key, TestKeyPassword, false)
	verified := g.verify.file
	// A PDF signed inside, then changed: its scope says revision, bytes
	// and the change.
	src, err := os.ReadFile(filepath.Join("..", "signer", "pdf", "testdata", "table.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	act := filepath.Join(t.TempDir(), "act.pdf")
	os.WriteFile(act, src, 0o600)
	onUI(func() {
		g.SetLanguage("kk")
		g.setSignFile(act)
		g.sign.keyURI, _ = filepath.Abs(key)
		g.sign.stamp = true
		g.show("sign")
		g.startSign()
	})
	waitFor(t, "the password dialog", func() bool { return g.secret != nil })
	// The password dialog: what is signed, for whom, in Kazakh.
	var asked []string
	onUI(func() { asked = texts(g.win.Canvas().Overlays().Top()) })
	checkWords(t, "kk", "the password dialog", asked)
	test.Type(g.secret.entry, TestKeyPassword)
	onUI(func() { g.secret.submit() })
	waitFor(t, "the PDF signed", func() bool { return !g.sign.busy && g.sign.result != "" })
	signedPDF := g.sign.result
	f, _ := os.OpenFile(signedPDF, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("\n% a later edit\n%%EOF\n")
	f.Close()
	for _, lang := range []string{"kk", "ru"} {
		for _, file := range []string{verified, signedPDF} {
			onUI(func() {
				g.SetLanguage(lang)
				g.verify = verifyState{file: file}
				g.show("verify")
				g.startVerify()
			})
			waitFor(t, "the verification", func() bool { return !g.verify.busy && g.verify.report != nil })
			onUI(func() {
				g.verify.details = map[int]bool{0: true}
				g.show("verify")
			})
			var all []string
			onUI(func() { all = texts(g.win.Content()) })
			checkWords(t, lang, "verify (a report of "+filepath.Base(file)+")", all)
		}
		for _, id := range ScreenIDs() {
			var all []string
			onUI(func() {
				g.SetLanguage(lang)
				switch id {
				case "sign":
					g.setSignFile(file)
				case "documents":
					g.show(id)
					g.openDocument(docs["contract-17.txt"].ID)
				}
				g.show(id)
			})
			if id == "documents" {
				waitFor(t, "the document", func() bool { return g.docs.detail != nil })
				onUI(func() { g.show(id) })
			}
			onUI(func() { all = texts(g.win.Content()) })
			checkWords(t, lang, id, all)
		}
	}
}

// checkWords fails on English words in a screen's texts.
func checkWords(t *testing.T, lang, screen string, all []string) {
	t.Helper()
	for _, s := range all {
		for _, token := range strings.Fields(commands.ReplaceAllString(s, "")) {
			if !latinWord.MatchString(token) || tokenOK(token) {
				continue
			}
			t.Errorf("%s, %s screen: English %q in %q", lang, screen, token, s)
		}
	}
}
