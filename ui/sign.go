package ui

import (
	"cmp"
	"path/filepath"
	"strings"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/internal/units"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/pdf"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// signState is the Sign screen's state across rebuilds.
type signState struct {
	file      string
	format    string // "xml", "pdf" or "cms"
	stamp     bool   // pdf: a visible stamp on the first page
	detached  bool
	timestamp bool
	keyURI    string
	outDir    string // "" saves next to the original

	busy     bool
	stage    string
	progress float64
	result   string // the file written
	errText  string
	warning  string
	recorded string // what became of the signing in the store and journal
	signedBy string // who signed: name, IIN, organisation

	// ask is the open question about a signature already at the output.
	ask *existingChoice

	bar        *widget.ProgressBar
	stageLabel *widget.Label
	signBtn    *widget.Button
}

// setSignFile chooses the file to sign and the format that suits it:
// XML documents get an XML signature, PDFs one inside (PAdES), anything
// else a CMS.
func (g *App) setSignFile(path string) {
	g.sign.file = path
	g.sign.format = formatFor(path)
	g.clearSignResult()
}

// setSignKey chooses the signing key; the result of a signing with another
// key goes (it would look as if this key had signed).
func (g *App) setSignKey(uri string) {
	if g.sign.keyURI != uri {
		g.clearSignResult()
	}
	g.sign.keyURI = uri
}

// clearSignResult forgets the last signing's banners.
func (g *App) clearSignResult() {
	g.sign.result, g.sign.errText, g.sign.warning, g.sign.recorded, g.sign.signedBy = "", "", "", "", ""
}

func formatFor(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xml":
		return "xml"
	case ".pdf":
		return "pdf"
	}
	return "cms"
}

// signScreen: the file, how to sign it, the key, where to save; then Sign.
func (g *App) signScreen() fyne.CanvasObject {
	s := &g.sign
	body := container.NewVBox(g.signFileCard())
	if s.file != "" {
		body.Add(g.signHowCard())
	}
	body.Add(g.signKeyCard())
	body.Add(g.signSaveCard())

	s.signBtn = widget.NewButtonWithIcon(T("sign.button"), theme.DocumentCreateIcon(), g.startSign)
	s.signBtn.Importance = widget.HighImportance
	if s.busy || s.file == "" || g.keyByURI(s.keyURI) == nil {
		s.signBtn.Disable()
	}
	s.bar = widget.NewProgressBar()
	s.bar.SetValue(s.progress)
	s.stageLabel = widget.NewLabel(s.stage)
	progress := container.NewVBox(s.stageLabel, s.bar)
	if !s.busy {
		progress.Hide()
	}
	switch {
	case s.errText != "":
		body.Add(banner(levelBad, T("sign.failed"), s.errText))
	case s.result != "":
		body.Add(g.signResult())
	}
	// The Sign button and the progress stay in view below the cards, at
	// any window height.
	footer := container.NewBorder(nil, nil, container.NewHBox(s.signBtn), nil, progress)
	return pageWithFooter(T("sign.title"), T("sign.subtitle"), body, footer)
}

// signDialogFolder is where the Sign screen's file dialog opens: the
// folder of the file on screen, else where the last document was chosen
// (never the key file's folder: key dialogs are not remembered).
func (g *App) signDialogFolder() string {
	if g.sign.file != "" {
		return filepath.Dir(g.sign.file)
	}
	return g.lastFolder()
}

func (g *App) signFileCard() fyne.CanvasObject {
	s := &g.sign
	choose := widget.NewButtonWithIcon(T("sign.chooseFile"), theme.FolderOpenIcon(), func() {
		g.chooseFile(fileChoice{title: T("files.openDocument"), start: g.signDialogFolder()}, func(path string) {
			g.setSignFile(path)
			g.show("sign")
		})
	})
	if s.busy {
		choose.Disable()
	}
	if s.file == "" {
		choose.Importance = widget.HighImportance
		drop := wrapped(T("sign.dropHere"))
		drop.Alignment = fyne.TextAlignCenter
		icon := widget.NewIcon(theme.UploadIcon())
		zone := container.NewVBox(container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(48), icon)), drop, container.NewCenter(choose))
		return card(T("sign.document"), zone)
	}
	name := bold(filepath.Base(s.file))
	info := widget.NewLabel(humanSize(fileSize(s.file)) + " · " + filepath.Dir(s.file))
	info.Truncation = fyne.TextTruncateEllipsis
	choose.SetText(T("sign.otherFile"))
	icon := widget.NewIcon(theme.FileIcon())
	return card(T("sign.document"), container.NewBorder(nil, nil, icon, container.NewCenter(choose), container.NewVBox(name, info)))
}

func (g *App) signHowCard() fyne.CanvasObject {
	s := &g.sign
	// The file's own format (XML or PDF, signed inside) or a CMS beside it.
	own := formatFor(s.file)
	codes := []string{own, "cms"}
	if own == "cms" {
		codes = []string{"xml", "cms"}
	}
	names := map[string]string{"xml": T("sign.formatXML"), "pdf": T("sign.formatPDF"), "cms": T("sign.formatCMS")}
	formats := []string{names[codes[0]], names[codes[1]]}
	format := widget.NewRadioGroup(formats, nil)
	format.Horizontal = true
	format.SetSelected(names[s.format])
	format.OnChanged = func(v string) {
		for _, c := range codes {
			if names[c] == v {
				s.format = c
			}
		}
		g.show("sign")
	}
	if own == "cms" {
		format.Disable() // only XML documents carry an XML signature, only PDFs one inside
	}
	box := container.NewVBox(format)
	timestamp := func() fyne.CanvasObject {
		ts := widget.NewCheck(T("sign.timestamp", map[string]any{"URL": g.settings.TSA}), func(on bool) {
			s.timestamp = on
			g.updateSettings(func(c *core.Settings) { c.SignTimestamp = on })
		})
		ts.SetChecked(s.timestamp)
		if g.settings.Offline || g.settings.TSA == "" {
			ts.SetChecked(false)
			ts.Disable()
			ts.SetText(T("sign.timestampOffline"))
		}
		return ts
	}
	if s.format == "pdf" {
		place := g.stampPlace()
		stamp := widget.NewCheck(T("sign.stamp"), func(on bool) {
			s.stamp = on
			enable(place, on)
		})
		stamp.SetChecked(s.stamp)
		enable(place, s.stamp)
		box.Add(stamp)
		box.Add(place)
		box.Add(timestamp())
		box.Add(wrapped(T("sign.pdfNote")))
	} else if s.format == "cms" {
		kinds := []string{T("sign.attached"), T("sign.detached")}
		kind := widget.NewRadioGroup(kinds, nil)
		if s.detached {
			kind.SetSelected(kinds[1])
		} else {
			kind.SetSelected(kinds[0])
		}
		kind.OnChanged = func(v string) {
			s.detached = v == kinds[1]
			detached := s.detached
			g.updateSettings(func(c *core.Settings) { c.SignDetached = detached })
		}
		box.Add(kind)
		box.Add(timestamp())
	} else {
		box.Add(wrapped(T("sign.xmlNote")))
	}
	if s.busy {
		format.Disable()
	}
	return card(T("sign.how"), box)
}

// keyOption is how the key list names a key in the Sign screen.
func (g *App) keyOption(k *keyItem) string {
	text := k.name()
	if k.Certificate != nil {
		id := pkiIdentity(k.Certificate)
		if id.IIN != "" {
			text += " · " + T("field.iin") + " " + id.IIN
		}
		if id.Organization != "" {
			text += " · " + id.Organization
		}
	} else {
		text += " · " + k.Label
	}
	if k.Test {
		text = "[" + T("badge.test") + "] " + text
	}
	return text
}

func (g *App) signKeyCard() fyne.CanvasObject {
	s := &g.sign
	if len(g.keys) == 0 {
		add := widget.NewButtonWithIcon(T("sign.addKey"), theme.AccountIcon(), func() { g.show("keys") })
		return card(T("sign.key"), container.NewVBox(wrapped(T("sign.noKeys")), container.NewHBox(add)))
	}
	if g.keyByURI(s.keyURI) == nil {
		s.keyURI = g.keys[0].URI
	}
	options := make([]string, len(g.keys))
	for i, k := range g.keys {
		options[i] = g.keyOption(k)
	}
	sel := widget.NewSelect(options, nil)
	for i, k := range g.keys {
		if k.URI == s.keyURI {
			sel.SetSelectedIndex(i)
		}
	}
	sel.OnChanged = func(string) {
		if i := sel.SelectedIndex(); i >= 0 && g.keys[i].URI != s.keyURI {
			g.setSignKey(g.keys[i].URI)
			g.show("sign")
		}
	}
	box := container.NewVBox(sel)
	if k := g.keyByURI(s.keyURI); k != nil && k.Certificate != nil {
		v, days := validityOf(k.Certificate, now())
		if v != validOK {
			l := wrapped(v.text(k.Certificate, days))
			l.Importance = widget.WarningImportance
			if v.level() == levelBad {
				l.Importance = widget.DangerImportance
			}
			box.Add(l)
		}
	}
	if s.busy {
		sel.Disable()
	}
	return card(T("sign.key"), box)
}

func (g *App) signSaveCard() fyne.CanvasObject {
	s := &g.sign
	opts := []string{T("sign.saveNext"), T("sign.saveFolder")}
	where := widget.NewRadioGroup(opts, nil)
	if s.outDir == "" {
		where.SetSelected(opts[0])
	} else {
		where.SetSelected(opts[1])
	}
	where.OnChanged = func(v string) {
		if v == opts[0] {
			s.outDir = ""
			g.show("sign")
			return
		}
		g.chooseFile(fileChoice{title: T("files.chooseFolder"), folder: true, start: s.outDir,
			cancelled: func() { g.show("sign") }}, func(dir string) {
			s.outDir = dir
			g.show("sign")
		})
	}
	box := container.NewVBox(where)
	if s.file != "" {
		out := widget.NewLabel(T("sign.willSave", map[string]any{"Path": g.signOutputPath()}))
		out.Wrapping = fyne.TextWrapBreak
		box.Add(out)
	}
	if s.busy {
		where.Disable()
	}
	return card(T("sign.save"), box)
}

// signOutputPath is where the signature goes: next to the original (or in
// the chosen folder) under a name that never overwrites the original, as
// the CLI names it.
func (g *App) signOutputPath() string {
	s := &g.sign
	out := core.SignaturePath(s.file, signer.Format(s.format), false)
	if s.outDir != "" {
		out = filepath.Join(s.outDir, filepath.Base(out))
	}
	return out
}

func (g *App) signResult() fyne.CanvasObject {
	s := &g.sign
	text := T("sign.savedAs", map[string]any{"Path": s.result})
	if s.signedBy != "" {
		text = T("sign.signedBy", map[string]any{"Signer": s.signedBy}) + "\n" + text
	}
	if s.recorded != "" {
		text += "\n" + s.recorded
	}
	if s.warning != "" {
		text += "\n" + s.warning
	}
	lvl := levelOK
	if s.warning != "" {
		lvl = levelWarn
	}
	result := s.result
	verify := widget.NewButtonWithIcon(T("sign.verifyIt"), theme.ConfirmIcon(), func() {
		g.verify = verifyState{file: result}
		if g.sign.detached && g.sign.format == "cms" {
			g.verify.original = g.sign.file
		}
		g.show("verify")
		g.startVerify()
	})
	folder := widget.NewButtonWithIcon(T("sign.openFolder"), theme.FolderOpenIcon(), func() {
		if u, err := storage.ParseURI("file://" + filepath.ToSlash(filepath.Dir(result))); err == nil {
			if url, err := urlOf(u); err == nil {
				_ = g.fyne.OpenURL(url)
			}
		}
	})
	return container.NewVBox(banner(lvl, T("sign.done"), text), actionRow(verify, folder))
}

func humanSize(n int64) string {
	return units.SizeIn(n, units.Names{Bytes: T("unit.bytes"), KB: T("unit.kb"), MB: T("unit.mb"), GB: T("unit.gb")})
}

// stampPlace chooses where a PDF's visible signature goes: the first or
// the last page (acts and invoices are signed at their end), and the
// corner; remembered in the settings for the next time.
func (g *App) stampPlace() *fyne.Container {
	set := g.core.Settings()
	page := g.enumSelect("", []string{"first", "last"}, func(v string) string { return T("sign.stampPage." + v) },
		cmp.Or(set.StampPage, "first"), func(v string) { g.updateSettings(func(c *core.Settings) { c.StampPage = v }) })
	corners := make([]string, len(pdf.Corners))
	for i, c := range pdf.Corners {
		corners[i] = string(c)
	}
	corner := g.enumSelect("", corners, func(v string) string { return T("sign.stampCorner." + v) },
		cmp.Or(set.StampCorner, string(pdf.BottomRight)), func(v string) { g.updateSettings(func(c *core.Settings) { c.StampCorner = v }) })
	// The drop-downs as wide as their longest words.
	return container.NewBorder(nil, nil, widget.NewLabel(T("sign.stampWhere")), nil,
		container.New(&contentWidthRow{selects: []*widget.Select{page, corner}}, page, corner))
}

// pdfStamp is the visible signature as the settings place it, in the
// window's language.
func (g *App) pdfStamp() *core.PDFStamp {
	set := g.core.Settings()
	st := &core.PDFStamp{Page: 1, Corner: pdf.Corner(set.StampCorner), Language: Language()}
	if set.StampPage == "last" {
		st.Page = -1
	}
	return st
}
