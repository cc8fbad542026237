package ui

import (
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"

	"github.com/qoltanba/qoltanba/sync/store"
)

// Preference keys. Fyne's Preferences hold settings and the paths of key
// files the user opened — never a password or PIN. They stay here rather
// than in the document store: sync/store has no settings API (its Record
// journals only verify, export and key events), and the settings must be
// readable before the store is open, or when another Qoltanba holds it.
const (
	prefLanguage  = "language"
	prefTSA       = "tsa.url"
	prefOCSP      = "ocsp.url"
	prefOffline   = "offline"
	prefModules   = "pkcs11.modules"
	prefDataDir   = "data.dir"
	prefKeyPaths  = "keys.paths"
	prefTestKeys  = "keys.test"
	prefDetached  = "sign.detached"
	prefTimestamp = "sign.timestamp"
)

// DefaultTSA is NCA RK's public time-stamp service.
const DefaultTSA = "http://tsp.pki.gov.kz"

// Settings are what the Settings screen edits.
type Settings struct {
	Language string // "", "kk", "ru", "en"; "" follows the system
	TSA      string
	OCSP     string // empty: the address in each certificate
	Offline  bool
	Modules  []string // PKCS#11 module paths; empty: the usual driver locations
	DataDir  string
}

func loadSettings(p fyne.Preferences, defaultDataDir string) Settings {
	return Settings{
		Language: p.String(prefLanguage),
		TSA:      p.StringWithFallback(prefTSA, DefaultTSA),
		OCSP:     p.String(prefOCSP),
		Offline:  p.Bool(prefOffline),
		Modules:  splitLines(p.String(prefModules)),
		DataDir:  p.StringWithFallback(prefDataDir, defaultDataDir),
	}
}

func (s Settings) save(p fyne.Preferences) {
	p.SetString(prefLanguage, s.Language)
	p.SetString(prefTSA, strings.TrimSpace(s.TSA))
	p.SetString(prefOCSP, strings.TrimSpace(s.OCSP))
	p.SetBool(prefOffline, s.Offline)
	p.SetString(prefModules, strings.Join(s.Modules, "\n"))
	p.SetString(prefDataDir, strings.TrimSpace(s.DataDir))
}

// defaultDataDir is where Qoltanba keeps its files: the document store and
// journal, the test PKI, the trust store, the revocation cache. It is the
// CLI's default too (store.DefaultDir), so `qoltanba docs list` shows what
// the window added.
func defaultDataDir() string {
	if dir, err := store.DefaultDir(); err == nil {
		return dir
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "Qoltanba")
}

func splitLines(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// saveSettings saves what the Settings screen shows, except what the
// command line chose for this run only (--data-dir, --lang and their
// variables): those keep the saved choice, so a one-off
// "qoltanba gui --lang kk" does not become the language of every start.
func (g *App) saveSettings() {
	p := g.fyne.Preferences()
	s := g.settings
	if g.opts.DataDir != "" {
		s.DataDir = p.StringWithFallback(prefDataDir, defaultDataDir())
	}
	if g.opts.Language != "" {
		s.Language = p.String(prefLanguage)
	}
	s.save(p)
}
