package ui

import (
	"os"
	"path/filepath"
	"strings"

	"context"
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/assets/translations"
	"github.com/qoltanba/qoltanba/signer/pkcs11"
	"github.com/qoltanba/qoltanba/sync/store"
)

// settingsScreen edits Settings; every change is saved at once, and a new
// language rebuilds the window on the spot.
func (g *App) settingsScreen() fyne.CanvasObject {
	body := container.NewVBox(
		card(T("settings.language"), g.languageSetting()),
		card(T("settings.network"), g.networkSettings()),
		card(T("settings.tokens"), g.tokenSettings()),
		card(T("settings.websites"), g.websitesSettings()),
		card(T("settings.portals"), g.portalSettings()),
		card(T("settings.trust"), g.trustSetting()),
		card(T("settings.data"), g.dataSettings()),
		wrapped(T("settings.savedHint")),
	)
	return page(T("settings.title"), T("settings.subtitle"), body)
}

// languageSetting chooses the window's language (or the system's).
func (g *App) languageSetting() fyne.CanvasObject {
	codes := append([]string{""}, translations.Languages...)
	names := make([]string, len(codes))
	for i, c := range codes {
		if c == "" {
			names[i] = T("settings.languageSystem", map[string]any{"Language": languageName(systemLanguage())})
		} else {
			names[i] = languageName(c)
		}
	}
	language := widget.NewRadioGroup(names, nil)
	for i, c := range codes {
		if c == g.settings.Language {
			language.SetSelected(names[i])
		}
	}
	language.OnChanged = func(v string) {
		for i, n := range names {
			if n == v && codes[i] != g.settings.Language {
				g.opts.Language = "" // the user's choice replaces --lang
				g.settings.Language = codes[i]
				g.saveSettings()
				g.SetLanguage(codes[i])
				return
			}
		}
	}
	return language
}

// networkSettings are the TSA and OCSP addresses and offline mode.
func (g *App) networkSettings() fyne.CanvasObject {
	tsa := widget.NewEntry()
	tsa.SetText(g.settings.TSA)
	tsa.SetPlaceHolder(DefaultTSA)
	tsa.OnChanged = func(s string) { g.settings.TSA = s; g.saveSettingsSoon() }
	ocsp := widget.NewEntry()
	ocsp.SetText(g.settings.OCSP)
	ocsp.SetPlaceHolder(T("settings.ocspPlaceholder"))
	ocsp.OnChanged = func(s string) { g.settings.OCSP = s; g.saveSettingsSoon() }
	offline := widget.NewCheck(T("settings.offline"), func(on bool) { g.settings.Offline = on; g.saveSettings() })
	offline.SetChecked(g.settings.Offline)
	return container.NewVBox(
		widget.NewForm(
			widget.NewFormItem(T("settings.tsa"), tsa),
			widget.NewFormItem(T("settings.ocsp"), ocsp),
		),
		offline,
	)
}

// tokenSettings are the PKCS#11 modules to load.
func (g *App) tokenSettings() fyne.CanvasObject {
	modules := widget.NewMultiLineEntry()
	modules.SetMinRowsVisible(3)
	modules.SetText(joinLines(g.settings.Modules))
	modules.SetPlaceHolder(T("settings.modulesPlaceholder", map[string]any{"Path": pkcs11.ExampleModule()}))
	modules.OnChanged = func(s string) { g.settings.Modules = splitLines(s); g.saveSettingsSoon() }
	return container.NewVBox(wrapped(T("settings.modulesHint")), modules)
}

// dataSettings are the data folder (the next start's when changed) and the
// backup of the database.
func (g *App) dataSettings() fyne.CanvasObject {
	dataDir := widget.NewEntry()
	dataDir.SetText(g.settings.DataDir)
	// The store stays open in the folder of this run; a new folder is the
	// next start's, and the note under the field says so.
	nextStart := wrapped("")
	nextStart.Importance = widget.WarningImportance
	showNextStart := func() {
		chosen := strings.TrimSpace(g.settings.DataDir)
		if chosen == "" || filepath.Clean(chosen) == filepath.Clean(g.dataDir) {
			nextStart.Hide()
			return
		}
		nextStart.SetText(T("settings.dataNextStart", map[string]any{"Dir": g.dataDir}))
		nextStart.Show()
	}
	showNextStart()
	dataDir.OnChanged = func(s string) {
		g.opts.DataDir = "" // the user's choice replaces --data-dir
		g.settings.DataDir = s
		g.saveSettingsSoon()
		showNextStart()
	}
	pick := widget.NewButtonWithIcon(T("action.choose"), theme.FolderOpenIcon(), func() {
		g.chooseFile(fileChoice{title: T("files.chooseFolder"), folder: true, start: dataDir.Text}, dataDir.SetText)
	})
	backupMsg := wrapped("")
	backup := widget.NewButtonWithIcon(T("settings.backup"), theme.DocumentSaveIcon(), func() { g.chooseBackup(backupMsg) })
	data := container.NewVBox(wrapped(T("settings.dataHint")), container.NewBorder(nil, nil, nil, pick, dataDir), nextStart)
	if g.opts.DataDir != "" {
		// --data-dir or $QOLTANBA_DATA_DIR chose the folder for this run;
		// say so, or the field would seem to contradict the saved choice.
		data.Add(wrapped(T("settings.dataOverride")))
	}
	data.Add(container.NewVBox(
		wrapped(T("settings.backupHint")), container.NewHBox(backup), backupMsg))
	return data
}

// trustSetting imports a root certificate the user chose into the core's
// trust store.
func (g *App) trustSetting() fyne.CanvasObject {
	trustMsg := wrapped("")
	importBtn := widget.NewButtonWithIcon(T("settings.importRoot"), theme.ContentAddIcon(), func() {
		g.chooseFile(fileChoice{title: T("files.openCertificate"), exts: []string{".cer", ".crt", ".pem", ".der"}}, func(path string) {
			certs, err := g.core.ImportRoot(path)
			if err != nil {
				trustMsg.SetText(T("settings.importFailed", map[string]any{"Error": err.Error()}))
				return
			}
			trustMsg.SetText(T("settings.imported", map[string]any{"Count": len(certs)}))
		})
	})
	return container.NewVBox(wrapped(T("settings.trustHint")), container.NewHBox(importBtn), trustMsg)
}

// chooseBackup writes a consistent copy of the open database (a bbolt read
// transaction, so signing and verifying go on meanwhile): this is how to back
// up while the window runs, since the CLI cannot open a database it holds.
func (g *App) chooseBackup(msg *widget.Label) {
	st := g.store
	if st == nil {
		msg.SetText(T("settings.backupNoStore"))
		return
	}
	g.askSavePath(store.DefaultBackupName(), func(path string) {
		w, err := os.Create(path)
		if err != nil {
			msg.SetText(T("settings.backupFailed", map[string]any{"Error": err.Error()}))
			return
		}
		g.backupTo(st, w, path, msg)
	})
}

// backupTo writes the backup on a worker and reports on msg.
func (g *App) backupTo(st store.Store, w io.WriteCloser, path string, msg *widget.Label) {
	msg.SetText(T("settings.backupRunning"))
	go func() {
		err := st.Backup(context.Background(), w)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		runOnUI(func() {
			if err != nil {
				msg.SetText(T("settings.backupFailed", map[string]any{"Error": err.Error()}))
				return
			}
			msg.SetText(T("settings.backupDone", map[string]any{"Path": path}))
		})
	}()
}

// SetLanguage switches the GUI's language live: "kk", "ru", "en" or "" for
// the system's. Every screen is built anew with the new words.
func (g *App) SetLanguage(code string) {
	g.settings.Language = code
	SetLanguage(code)
	g.clearBanners()
	g.rebuild()
}

// clearBanners forgets the messages that told of a moment now past (a key
// created, a signing done, an export written): they were written in the
// language of their moment, and a new language starts without them.
func (g *App) clearBanners() {
	g.clearSignResult()
	g.keysUI.notice = ""
	g.welcome.message = ""
	g.docs.notice = ""
}

func joinLines(lines []string) string {
	out := ""
	for i, l := range lines {
		if i > 0 {
			out += "\n"
		}
		out += l
	}
	return out
}
