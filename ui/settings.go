package ui

import (
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
)

// Preference keys. Fyne's Preferences hold settings and the paths of key
// files the user opened — never a password or PIN. (The bbolt store will
// take these over when sync/store lands in the GUI.)
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

// defaultDataDir is where Qoltanba keeps its files: the test PKI, the trust
// store, the revocation cache (and later the document store).
func defaultDataDir() string {
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
