package ui

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/sync/store"
)

// Preference keys of the Fyne preferences, where earlier versions kept the
// settings: they are read once, to migrate them into the data folder's
// settings file (internal/core), which the CLI and the bridge read too.
// Only prefDataDir stays here: it says where the data folder is, so it
// cannot live inside it.
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
	// prefMigrated marks the preferences as copied into the settings file.
	prefMigrated = "settings.migrated"
)

// DefaultTSA is NCA RK's public time-stamp service.
const DefaultTSA = core.DefaultTSA

// Settings are what the Settings screen edits.
type Settings struct {
	Language string // "", "kk", "ru", "en"; "" follows the system
	TSA      string
	OCSP     string // empty: the address in each certificate
	Offline  bool
	Modules  []string // PKCS#11 module paths; empty: the usual driver locations
	DataDir  string
}

// settingsOf is the Settings screen's view of the core's settings.
func settingsOf(c core.Settings, dataDir string) Settings {
	return Settings{Language: c.Language, TSA: c.TSA, OCSP: c.OCSP, Offline: c.Offline, Modules: c.Modules, DataDir: dataDir}
}

// migratePreferences copies what earlier versions kept in Fyne's
// preferences into the core's settings, once, when the data folder has no
// settings file yet.
func migratePreferences(p fyne.Preferences, c *core.Core) {
	if p.Bool(prefMigrated) {
		return
	}
	if _, err := os.Stat(c.Path(core.SettingsFile)); err == nil {
		p.SetBool(prefMigrated, true)
		return
	}
	err := c.UpdateSettings(func(s *core.Settings) {
		s.Language = p.StringWithFallback(prefLanguage, s.Language)
		s.TSA = p.StringWithFallback(prefTSA, s.TSA)
		s.OCSP = p.StringWithFallback(prefOCSP, s.OCSP)
		s.Offline = p.BoolWithFallback(prefOffline, s.Offline)
		if m := splitLines(p.String(prefModules)); len(m) > 0 {
			s.Modules = m
		}
		s.KeyPaths = append(s.KeyPaths, p.StringList(prefKeyPaths)...)
		s.TestKeys = append(s.TestKeys, p.StringList(prefTestKeys)...)
		s.SignDetached = p.BoolWithFallback(prefDetached, s.SignDetached)
		s.SignTimestamp = p.BoolWithFallback(prefTimestamp, s.SignTimestamp)
	})
	if err != nil {
		fyne.LogError("migrate settings", err)
		return
	}
	p.SetBool(prefMigrated, true)
}

// PrefDataDir is the preference naming the data folder (cmd reads it to
// build the core before the window).
const PrefDataDir = prefDataDir

// DefaultDataDir is the data folder when none is chosen.
func DefaultDataDir() string { return defaultDataDir() }

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

// syncCoreSettings hands the Settings screen's values to the core, which
// builds verifiers and key registries from them.
func (g *App) syncCoreSettings() {
	// Only the values the Settings screen edits; saved by saveSettings.
	g.core.ChangeSettings(func(c *core.Settings) {
		c.TSA, c.OCSP, c.Offline, c.Modules = strings.TrimSpace(g.settings.TSA), strings.TrimSpace(g.settings.OCSP), g.settings.Offline, g.settings.Modules
		if g.opts.Language == "" {
			c.Language = g.settings.Language
		}
	})
}

// saveSettings saves what the Settings screen shows into the data folder's
// settings file, except what the command line chose for this run only
// (--data-dir, --lang and their variables): those keep the saved choice, so
// a one-off "qoltanba gui --lang kk" does not become the language of every
// start. The data folder's own place is kept in the preferences.
func (g *App) saveSettings() {
	g.syncCoreSettings()
	g.updateSettings(func(*core.Settings) {})
	if g.opts.DataDir == "" {
		g.fyne.Preferences().SetString(prefDataDir, strings.TrimSpace(g.settings.DataDir))
	}
}

// saveSettingsDelay is how long typing in a settings field may pause
// before the settings file is written: one write per pause, not per key.
const saveSettingsDelay = 400 * time.Millisecond

// saveSettingsSoon is saveSettings for typing: the values take effect at
// once, and the file is written when the typing pauses (or the window
// closes). UI goroutine.
func (g *App) saveSettingsSoon() {
	g.syncCoreSettings()
	if g.opts.DataDir == "" {
		g.fyne.Preferences().SetString(prefDataDir, strings.TrimSpace(g.settings.DataDir))
	}
	if g.saveTimer != nil {
		g.saveTimer.Reset(saveSettingsDelay)
		return
	}
	g.saveTimer = time.AfterFunc(saveSettingsDelay, func() { runOnUI(g.flushSettings) })
}

// flushSettings writes settings typed since the last write; UI goroutine.
func (g *App) flushSettings() {
	if g.saveTimer == nil {
		return
	}
	g.saveTimer.Stop()
	g.saveTimer = nil
	g.updateSettings(func(*core.Settings) {})
}

// updateSettings changes and saves the core's settings; a failure to save
// is logged (the window goes on with what it has).
func (g *App) updateSettings(change func(*core.Settings)) {
	if err := g.core.UpdateSettings(change); err != nil {
		fyne.LogError("save settings", err)
	}
}

// settingsWarning is the banner saying the settings file was damaged at
// start (the core used the defaults and kept the key list), or nil.
func (g *App) settingsWarning() fyne.CanvasObject {
	if g.core.SettingsProblem == "" {
		return nil
	}
	return banner(levelWarn, T("settings.damaged"), g.core.SettingsProblem)
}
