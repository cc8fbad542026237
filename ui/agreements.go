package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/internal/textdiff"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/sync/api"
	"github.com/qoltanba/qoltanba/sync/evidence"
	"github.com/qoltanba/qoltanba/sync/store"
)

// The Agreements screen: a portal's agreements, each read in the user's
// language (or the one available, said so) and accepted by signing once
// the end of the text was reached.

// agreementsState is the screen's state across rebuilds.
type agreementsState struct {
	account  store.Account
	list     []api.Agreement
	loaded   bool
	err      string
	selected string // agreement id
	language string
	text     string
	textErr  string
	textFor  string        // id/version/language the text is of
	readEnd  bool          // the end of the text was reached
	offset   fyne.Position // where the reader was in the text (kept across rebuilds)
	size     int           // the reader's text size: an index of readerSizes
	query    string        // the search in the text, and which match is shown
	hit      int
	busy     bool
	notice   string
	level    level

	listBox *fyne.Container
	view    *fyne.Container
	scroll  *container.Scroll
	reader  *reader
	found   *widget.Label
	accept  *widget.Button
}

func (g *App) agreementsScreen() fyne.CanvasObject {
	s := &g.agreements
	head := container.NewVBox(heading(T("agreements.title")), wrapped(T("agreements.subtitle")), widget.NewSeparator())
	s.listBox = container.NewVBox()
	s.view = container.NewStack()
	g.fillAgreements()
	if !s.loaded && !s.busy {
		g.loadAgreements()
	}
	split := listAndDetail(container.NewVScroll(s.listBox), s.view)
	return container.NewBorder(container.NewPadded(head), nil, nil, nil, container.NewPadded(split))
}

// readerSizes are the reader's text sizes, smallest first; the start is
// the window's usual size.
var readerSizes = []fyne.ThemeSizeName{theme.SizeNameCaptionText, theme.SizeNameText, theme.SizeNameSubHeadingText, theme.SizeNameHeadingText}

func heading(text string) *widget.Label {
	t := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.SizeName = theme.SizeNameHeadingText
	return t
}

// loadAgreements asks the (first logged-in) portal for its agreements.
func (g *App) loadAgreements() {
	s := &g.agreements
	e, st := g.portal.engine, g.store
	if e == nil || st == nil {
		return
	}
	s.busy = true
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		var acc store.Account
		var list []api.Agreement
		err := errors.New(T("agreements.noPortal"))
		if accounts, aerr := st.Accounts(ctx); aerr == nil {
			for _, a := range accounts {
				if a.Session != "" && time.Now().Before(a.SessionExpires) {
					acc, list, err = e.Agreements(ctx, a.Name)
					break
				}
			}
		}
		runOnUI(func() {
			s.busy, s.loaded = false, true
			s.account, s.list, s.err = acc, list, ""
			if err != nil {
				s.err = err.Error()
			}
			g.fillAgreements()
			if s.selected == "" {
				g.openFirstAsking()
			}
		})
	}()
}

// openFirstAsking opens the first agreement whose current version the
// user has not accepted: what the screen is there for.
func (g *App) openFirstAsking() {
	for _, a := range g.agreements.list {
		if a.Accepted.Version != a.Version {
			g.openAgreement(a.Id)
			return
		}
	}
}

func (g *App) fillAgreements() {
	s := &g.agreements
	if s.listBox == nil {
		return
	}
	s.listBox.Objects = nil
	switch {
	case !s.loaded && g.storeState == storeOpening, s.busy && !s.loaded:
		s.listBox.Add(widget.NewProgressBarInfinite())
	case !s.loaded && g.store == nil:
		title, text := g.storeProblem()
		s.listBox.Add(banner(levelWarn, title, text))
	case s.err != "":
		s.listBox.Add(banner(levelWarn, T("agreements.unavailable"), s.err))
	case len(s.list) == 0:
		s.listBox.Add(wrapped(T("agreements.none")))
	}
	for _, a := range s.list {
		id := a.Id
		// A button behind a wrapped title: a long title takes lines, not
		// the reader's width.
		b := widget.NewButton("", func() { g.openAgreement(id) })
		b.Importance = widget.LowImportance
		if id == s.selected {
			b.Importance = widget.HighImportance
		}
		s.listBox.Add(container.NewStack(b, container.NewVBox(bold(a.Title), agreementBadge(a))))
	}
	s.listBox.Refresh()
	g.fillAgreementView()
}

// agreementBadge says where the user stands with an agreement.
func agreementBadge(a api.Agreement) fyne.CanvasObject {
	var l *widget.Label
	switch {
	case a.Accepted.Version == a.Version:
		l = widget.NewLabel(T("agreements.accepted", map[string]any{"Version": a.Version, "Date": shortTime(a.Accepted.At)}))
		l.Importance = widget.SuccessImportance
	case a.Accepted.Version > 0:
		l = widget.NewLabel(T("agreements.newVersion", map[string]any{"Version": a.Version, "Old": a.Accepted.Version}))
		l.Importance = widget.WarningImportance
	default:
		l = widget.NewLabel(T("agreements.notAccepted", map[string]any{"Version": a.Version}))
		l.Importance = widget.WarningImportance
	}
	l.Wrapping = fyne.TextWrapWord
	return l
}

func (g *App) agreementByID(id string) *api.Agreement {
	for i := range g.agreements.list {
		if g.agreements.list[i].Id == id {
			return &g.agreements.list[i]
		}
	}
	return nil
}

// openAgreement shows an agreement in the user's language, or the first
// one it has.
func (g *App) openAgreement(id string) {
	s := &g.agreements
	a := g.agreementByID(id)
	if a == nil {
		return
	}
	s.selected, s.notice, s.query, s.hit = id, "", "", 0
	if s.size == 0 {
		s.size = 1 // the usual size
	}
	s.language = ""
	for _, t := range a.Texts {
		if string(t.Language) == Language() {
			s.language = Language()
		}
	}
	if s.language == "" && len(a.Texts) > 0 {
		s.language = string(a.Texts[0].Language)
	}
	g.loadAgreementText()
	g.fillAgreements()
}

func (g *App) loadAgreementText() {
	s := &g.agreements
	a := g.agreementByID(s.selected)
	e := g.portal.engine
	if a == nil || e == nil {
		return
	}
	want := fmt.Sprintf("%s/%d/%s", a.Id, a.Version, s.language)
	s.text, s.textErr, s.textFor, s.readEnd, s.offset = "", "", want, false, fyne.Position{}
	acc, ag, lang := s.account, *a, s.language
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		text, err := e.AgreementText(ctx, acc, ag, lang)
		runOnUI(func() {
			if s.textFor != want {
				return
			}
			s.text = string(text)
			if err != nil {
				s.textErr = err.Error()
			}
			g.fillAgreementView()
		})
	}()
}

// fillAgreementView shows the opened agreement: its language, the text
// to read, and the accept button, enabled once the end was reached.
func (g *App) fillAgreementView() {
	s := &g.agreements
	if s.view == nil {
		return
	}
	a := g.agreementByID(s.selected)
	if a == nil {
		s.view.Objects = []fyne.CanvasObject{container.NewPadded(container.NewVBox(wrapped(T("agreements.pick"))))}
		s.view.Refresh()
		return
	}
	var names []string
	codes := map[string]string{}
	for _, t := range a.Texts {
		names = append(names, languageName(string(t.Language)))
		codes[languageName(string(t.Language))] = string(t.Language)
	}
	langSel := widget.NewSelect(names, nil)
	langSel.SetSelected(languageName(s.language))
	langSel.OnChanged = func(v string) {
		if codes[v] != s.language {
			s.language = codes[v]
			g.loadAgreementText()
			g.fillAgreementView()
		}
	}
	smaller := widget.NewButton("A−", func() { s.size = max(s.size-1, 0); g.fillAgreementView() })
	larger := widget.NewButton("A+", func() { s.size = min(s.size+1, len(readerSizes)-1); g.fillAgreementView() })
	top := container.NewVBox(bold(a.Title), container.NewHBox(widget.NewLabel(T("agreements.language")), langSel,
		widget.NewLabel(T("agreements.version", map[string]any{"Version": a.Version})), smaller, larger))
	if s.language != Language() {
		top.Add(banner(levelNone, T("agreements.otherLanguage", map[string]any{"Language": languageName(s.language)}), ""))
	}
	if a.Accepted.Version > 0 && a.Accepted.Version < a.Version {
		old := a.Accepted
		changed := widget.NewButton(T("agreements.whatChanged", map[string]any{"Version": old.Version}), func() {
			g.showAgreementDiff(*a, old.Version, string(old.Language))
		})
		top.Add(container.NewHBox(changed))
	}
	if a.Accepted.Version > 0 {
		top.Add(container.NewHBox(widget.NewButtonWithIcon(T("agreements.export"), theme.DocumentSaveIcon(), func() { g.chooseAgreementExport(*a) })))
	}
	if s.notice != "" {
		top.Add(banner(s.level, s.notice, ""))
	}
	var body fyne.CanvasObject
	switch {
	case s.textErr != "":
		body = banner(levelBad, T("agreements.textFailed"), s.textErr)
	case s.text == "":
		body = loading()
	default:
		s.reader = newReader(s.text, readerSizes[s.size])
		s.scroll = s.reader.scroll
		s.scroll.Offset = s.offset
		s.scroll.OnScrolled = func(p fyne.Position) {
			s.offset = p
			g.checkReadEnd()
		}
		body = container.NewBorder(g.agreementSearch(), nil, nil, nil, s.scroll)
		// A text that fits without scrolling is read once it is laid out.
		go func() {
			time.Sleep(300 * time.Millisecond)
			runOnUI(g.checkReadEnd)
		}()
	}
	s.accept = widget.NewButtonWithIcon(T("agreements.accept"), theme.ConfirmIcon(), func() { g.acceptDialog() })
	s.accept.Importance = widget.HighImportance
	hint := wrapped(T("agreements.readToEnd"))
	bottom := container.NewVBox(hint, container.NewHBox(s.accept))
	g.updateAcceptButton()
	s.view.Objects = []fyne.CanvasObject{container.NewBorder(top, bottom, nil, nil, body)}
	s.view.Refresh()
}

// agreementSearch is the reader's search row: what to find, which match
// of how many, previous and next.
func (g *App) agreementSearch() fyne.CanvasObject {
	s := &g.agreements
	s.found = widget.NewLabel("")
	var row *fyne.Container
	say := func(text string) {
		s.found.SetText(text)
		if row != nil {
			row.Refresh() // the label's width changed
		}
	}
	step := func(d int) {
		hits := s.reader.find(s.query)
		if len(hits) == 0 {
			s.reader.show(-1)
			say(map[bool]string{true: "", false: T("agreements.notFound")}[s.query == ""])
			return
		}
		s.hit = (s.hit + d + len(hits)) % len(hits)
		s.reader.show(hits[s.hit])
		say(T("agreements.found", map[string]any{"N": s.hit + 1, "Count": len(hits)}))
	}
	find := widget.NewEntry()
	find.SetPlaceHolder(T("agreements.find"))
	find.SetText(s.query)
	find.OnChanged = func(q string) { s.query, s.hit = q, 0; step(0) }
	find.OnSubmitted = func(string) { step(1) }
	prev := widget.NewButtonWithIcon("", theme.MoveUpIcon(), func() { step(-1) })
	next := widget.NewButtonWithIcon("", theme.MoveDownIcon(), func() { step(1) })
	if hits := s.reader.find(s.query); s.hit < len(hits) {
		s.reader.mark(hits[s.hit]) // after A−/A+: the match stays marked where the reader was
		s.found.SetText(T("agreements.found", map[string]any{"N": s.hit + 1, "Count": len(hits)}))
	}
	row = container.NewBorder(nil, nil, widget.NewIcon(theme.SearchIcon()), container.NewHBox(s.found, prev, next), find)
	return row
}

// checkReadEnd notes that the end of the text is on screen.
func (g *App) checkReadEnd() {
	s := &g.agreements
	sc := s.scroll
	if s.readEnd || sc == nil || sc.Size().Height <= 0 {
		return
	}
	if sc.Offset.Y+sc.Size().Height >= sc.Content.MinSize().Height-8 {
		s.readEnd = true
		g.updateAcceptButton()
	}
}

func (g *App) updateAcceptButton() {
	s := &g.agreements
	a := g.agreementByID(s.selected)
	if s.accept == nil || a == nil {
		return
	}
	if s.readEnd && !s.busy && s.text != "" && a.Accepted.Version != a.Version {
		s.accept.Enable()
	} else {
		s.accept.Disable()
	}
}

// acceptDialog chooses the signing key and accepts: the password dialog
// that follows shows the statement being signed.
func (g *App) acceptDialog() {
	s := &g.agreements
	a := g.agreementByID(s.selected)
	if a == nil || len(g.keys) == 0 {
		return
	}
	var keyURI string
	sel := g.keySelect(&keyURI, false)
	box := container.NewVBox(wrapped(T("agreements.acceptHint", map[string]any{"Title": a.Title, "Version": a.Version,
		"Language": languageName(s.language)})), widget.NewLabel(T("sign.key")), sel)
	d := dialog.NewCustomConfirm(T("agreements.accept"), T("agreements.acceptButton"), T("action.cancel"), box, func(ok bool) {
		if ok {
			g.runAccept(a.Id, s.language, keyURI)
		}
	}, g.win)
	d.Resize(fyne.NewSize(560, 0))
	g.portal.dialog = d
	d.Show()
}

func (g *App) runAccept(id, language, keyURI string) {
	s := &g.agreements
	e, k := g.portal.engine, g.keyByURI(keyURI)
	if e == nil || k == nil || s.busy {
		return
	}
	ui := &dialogUI{g: g, Test: k.Test}
	account := s.account.Name
	s.busy = true
	g.updateAcceptButton()
	offline := g.settings.Offline
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		acc, err := e.Accept(ctx, account, id, language, keyURI, ui, offline)
		runOnUI(func() {
			s.busy = false
			switch {
			case errors.Is(err, signer.ErrCancelled):
			case err != nil:
				s.notice, s.level = docSignErrorText(err), levelBad
			case acc.Sent:
				s.notice, s.level = T("agreements.done"), levelOK
			default:
				s.notice, s.level = T("portal.queued", map[string]any{"Why": fmt.Sprint(acc.Err)}), levelWarn
			}
			g.fillAgreementView()
			g.loadAgreements()
			g.kickPortal()
		})
	}()
}

// showAgreementDiff shows what a new version changed against the one
// accepted (the text kept at the acceptance), in the accepted language.
func (g *App) showAgreementDiff(a api.Agreement, oldVersion int, language string) {
	e, acc := g.portal.engine, g.agreements.account
	if e == nil {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		old, err := e.AcceptedText(ctx, acc.Name, a.Id, oldVersion, language)
		var text []byte
		if err == nil {
			text, err = e.AgreementText(ctx, acc, a, language)
		}
		runOnUI(func() {
			if err != nil {
				dialog.ShowError(err, g.win)
				return
			}
			rows := container.NewVBox()
			for _, l := range textdiff.Changes(textdiff.Lines(string(old), string(text)), 2) {
				lbl := widget.NewLabel(string(l.Op) + " " + l.Text)
				lbl.Wrapping = fyne.TextWrapWord
				switch l.Op {
				case textdiff.Removed:
					lbl.Importance = widget.DangerImportance
				case textdiff.Added:
					lbl.Importance = widget.SuccessImportance
				}
				rows.Add(lbl)
			}
			scroll := container.NewVScroll(rows)
			scroll.SetMinSize(fyne.NewSize(620, 360))
			d := dialog.NewCustom(T("agreements.diffTitle", map[string]any{"Old": oldVersion, "New": a.Version}), T("action.close"), scroll, g.win)
			d.Show()
		})
	}()
}

// chooseAgreementExport asks where to save the proof of the latest
// acceptance of an agreement: its acceptance's evidence package, which
// carries the text accepted.
func (g *App) chooseAgreementExport(a api.Agreement) {
	s, e := &g.agreements, g.portal.engine
	if e == nil {
		return
	}
	statement, _, err := e.Acceptance(context.Background(), s.account.Name, a.Id, 0)
	if err != nil {
		s.notice, s.level = T("agreements.exportFailed", map[string]any{"Error": err.Error()}), levelBad
		g.fillAgreementView()
		return
	}
	name := fmt.Sprintf("agreement-%s-v%d.evidence.zip", evidence.SafeName(a.Id), a.Accepted.Version)
	g.askSavePath(name, func(path string) {
		g.writeEvidence(statement.Document, path, func(_ int, err error) {
			if err != nil {
				s.notice, s.level = T("agreements.exportFailed", map[string]any{"Error": err.Error()}), levelBad
			} else {
				s.notice, s.level = T("agreements.exported", map[string]any{"Path": path}), levelOK
			}
			g.fillAgreementView()
		})
	})
}
