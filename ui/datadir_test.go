package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/qoltanba/qoltanba/internal/core"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// findEntry is the first entry under o whose text is text.
func findEntry(o fyne.CanvasObject, text string) *widget.Entry {
	switch v := o.(type) {
	case *widget.Entry:
		if v.Text == text {
			return v
		}
		return nil
	case *fyne.Container:
		for _, c := range v.Objects {
			if e := findEntry(c, text); e != nil {
				return e
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			if e := findEntry(c, text); e != nil {
				return e
			}
		}
	}
	return nil
}

// TestDataFolderChangeWaitsForRestart: typing another data folder in
// Settings saves it for the next start and says so, while this run keeps
// its trust, caches and test keys beside the open document store.
func TestDataFolderChangeWaitsForRestart(t *testing.T) {
	running := t.TempDir()
	g := newTestAppWith(t, Options{DataDir: running})
	next := filepath.Join(t.TempDir(), "elsewhere")
	var entry *widget.Entry
	onUI(func() {
		g.show("settings")
		entry = findEntry(g.win.Content(), running)
	})
	if entry == nil {
		t.Fatal("no data folder field showing the folder in use")
	}
	onUI(func() { entry.SetText(next) })
	var screen []string
	onUI(func() { screen = texts(g.win.Content()) })
	if got := g.dataPath("trust"); got != filepath.Join(running, "trust") {
		t.Errorf("the running app moved to the half-chosen folder: %s", got)
	}
	if got := g.fyne.Preferences().String(prefDataDir); got != next {
		t.Errorf("saved data folder = %q, want %q", got, next)
	}
	if want := T("settings.dataNextStart", map[string]any{"Dir": running}); !contains(screen, want) {
		t.Errorf("no note that the new folder is for the next start; texts %q", screen)
	}
	onUI(func() { entry.SetText(running) })
	onUI(func() { screen = texts(g.win.Content()) })
	if contains(screen, T("settings.dataNextStart", map[string]any{"Dir": running})) {
		t.Error("the note stays after the folder in use is chosen again")
	}
}

// TestTypedSettingsReachTheFile: a TSA address typed in Settings takes
// effect in the core at once, and reaches settings.json once the typing
// pauses, or when the window closes before that, not a write per key.
func TestTypedSettingsReachTheFile(t *testing.T) {
	g := newTestApp(t)
	var entry *widget.Entry
	onUI(func() {
		g.show("settings")
		entry = findEntry(g.win.Content(), g.settings.TSA)
	})
	if entry == nil {
		t.Fatal("no TSA field")
	}
	const tsa = "http://127.0.0.1:1/tsp"
	onUI(func() { entry.SetText(tsa) })
	if got := g.core.Settings().TSA; got != tsa {
		t.Errorf("core TSA %q, want %q at once", got, tsa)
	}
	onUI(g.Close)
	saved, err := core.LoadSettings(g.core.DataDir)
	if err != nil || saved.TSA != tsa {
		t.Errorf("settings file TSA %q (%v), want %q after Close", saved.TSA, err, tsa)
	}
}

// TestDamagedSettingsSaid: a damaged settings file opens the window with
// the defaults, the key list kept, and a warning that says so.
func TestDamagedSettingsSaid(t *testing.T) {
	dir := t.TempDir()
	key := writeP12(t, rsaTestPKI(t).Find("rsa/legal_head"), t.TempDir())
	bad := `{"keyPaths": [` + jsonQuote(key) + `], "tsa": 5, `
	if err := os.WriteFile(filepath.Join(dir, core.SettingsFile), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	g := newTestAppWith(t, Options{DataDir: dir})
	var screen []string
	onUI(func() {
		g.show("keys")
		screen = texts(g.win.Content())
	})
	if !contains(screen, T("settings.damaged")) {
		t.Errorf("no warning about the damaged settings; texts %q", screen)
	}
	if g.keyByURI(key) == nil {
		t.Errorf("the key list of the damaged file was lost: %v", g.keys)
	}
}

func jsonQuote(s string) string { b, _ := json.Marshal(s); return string(b) }
