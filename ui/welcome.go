package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// welcomeState is the first-run screen's progress (creating a test key).
type welcomeState struct {
	busy    bool
	message string
	level   level
}

// welcomeScreen is what a first run shows: no keys yet, three ways on.
func (g *App) welcomeScreen() fyne.CanvasObject {
	choice := func(icon fyne.Resource, title, text string, imp widget.Importance, tap func(), extra ...fyne.CanvasObject) fyne.CanvasObject {
		b := widget.NewButtonWithIcon(title, icon, tap)
		b.Importance = imp
		b.Alignment = widget.ButtonAlignLeading
		d := wrapped(text)
		var row fyne.CanvasObject = d
		if len(extra) > 0 {
			row = container.NewBorder(nil, nil, container.NewHBox(extra...), nil, d)
		}
		return card("", container.NewVBox(b, row))
	}
	open := choice(theme.FolderOpenIcon(), T("welcome.open"), T("welcome.openHint"), widget.HighImportance, g.openKeyFileDialog)
	tokenMsg := widget.NewLabel("")
	tokenMsg.Wrapping = fyne.TextWrapWord
	tokenMsg.Hide()
	tokens := choice(theme.StorageIcon(), T("welcome.tokens"), T("welcome.tokensHint"), widget.MediumImportance, func() {
		tokenMsg.SetText(T("tokens.looking"))
		tokenMsg.Show()
		g.lookForTokens(func(msg string, _ level) {
			if len(g.tokens) > 0 {
				g.show("keys")
				return
			}
			tokenMsg.SetText(msg)
		})
	})
	var test fyne.CanvasObject = layout.NewSpacer()
	if g.opts.Test != nil && g.opts.Test.CreateKey != nil {
		test = choice(theme.ContentAddIcon(), T("welcome.test"), T("welcome.testHint"), widget.MediumImportance, g.createTestKeyAction, testBadge())
	}

	var status fyne.CanvasObject = widget.NewLabel("")
	if g.welcome.busy {
		bar := widget.NewProgressBarInfinite()
		status = container.NewVBox(widget.NewLabel(T("welcome.creating")), bar)
	} else if g.welcome.message != "" {
		status = banner(g.welcome.level, g.welcome.message, "")
	}

	drop := wrapped(T("welcome.drop"))
	body := container.NewVBox(wrapped(T("welcome.intro")))
	if w := g.settingsWarning(); w != nil {
		body.Add(w)
	}
	for _, o := range []fyne.CanvasObject{open, container.NewVBox(tokens, tokenMsg), test, status, drop} {
		body.Add(o)
	}
	return page(T("welcome.title"), T("welcome.subtitle"), body)
}

// openKeyFileDialog lets the user pick a .p12 file and remembers it.
func (g *App) openKeyFileDialog() {
	g.chooseFile(fileChoice{title: T("files.openKey"), exts: []string{".p12", ".pfx"}, keyFile: true}, func(path string) {
		g.addKeyFile(path, false)
		g.show("keys")
	})
}

// createTestKeyAction generates the test PKI off the UI goroutine and adds
// its key, marked TEST.
func (g *App) createTestKeyAction() {
	if g.welcome.busy || g.opts.Test == nil || g.opts.Test.CreateKey == nil {
		return
	}
	g.welcome = welcomeState{busy: true}
	g.show(g.current)
	dataDir := g.dataDir
	create := g.opts.Test.CreateKey
	go func() {
		path, err := create(dataDir)
		runOnUI(func() {
			if err != nil {
				g.welcome = welcomeState{message: T("welcome.testFailed", map[string]any{"Error": err.Error()}), level: levelBad}
				g.show(g.current)
				return
			}
			g.welcome = welcomeState{}
			g.addKeyFile(path, true)
			g.keysUI.notice = T("welcome.testCreated", map[string]any{"Password": g.opts.Test.Password})
			g.show("keys")
		})
	}()
}
