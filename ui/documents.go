package ui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"time"

	"github.com/qoltanba/qoltanba/internal/core"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/sync/store"
)

// docsPageSize is how many documents one page of the list shows.
const docsPageSize = 25

// docsState is the Documents screen's state across rebuilds. Listing and
// loading run on workers; gen drops results of a query the user has since
// changed.
type docsState struct {
	text  string
	state store.State
	kind  store.Kind
	// portal filters by the portal side: a direction (incoming,
	// outgoing) or a sync state (waiting, receipt, conflict).
	portal string
	after  store.ID   // the page shown starts after this id (zero: first)
	back   []store.ID // the starts of the pages before, for "previous"

	page    store.Page
	loaded  bool
	listErr string
	gen     int // the last listing started
	shown   int // the last listing shown

	pendingOpen string // Options.Open: open this document once listed
	selected    store.ID
	detailSeq   int // the last document load started
	detailAt    int // the last document load shown
	detail      *docDetail
	detailErr   string
	notice      string
	noticeLvl   level
	busy        bool

	list      *widget.List
	pager     *widget.Label
	prev      *widget.Button
	next      *widget.Button
	detailBox *fyne.Container
	noticeBox *fyne.Container
	// signDialog is the key choice on screen (tests confirm it).
	signDialog *dialog.ConfirmDialog
}

// documentsScreen: search and filters on top, the list on the left, the
// document opened on the right.
func (g *App) documentsScreen() fyne.CanvasObject {
	s := &g.docs
	if title, text := g.storeProblem(); title != "" {
		lvl := levelBad
		if g.storeState == storeOpening {
			lvl = levelNone
		}
		return page(T("documents.title"), T("documents.subtitle"), banner(lvl, title, text))
	}

	search := widget.NewEntry()
	search.SetPlaceHolder(T("documents.search"))
	search.SetText(s.text)
	search.OnChanged = func(v string) {
		s.text = v
		g.resetDocsPaging()
		g.loadDocs()
	}
	stateSel := g.enumSelect(T("documents.allStates"), stateNames(), func(v string) string { return stateName(store.State(v)) }, string(s.state), func(v string) {
		s.state = store.State(v)
		g.resetDocsPaging()
		g.loadDocs()
	})
	kindSel := g.enumSelect(T("documents.allKinds"), kindNames(), func(v string) string { return kindText(store.Kind(v)) }, string(s.kind), func(v string) {
		s.kind = store.Kind(v)
		g.resetDocsPaging()
		g.loadDocs()
	})
	portalSel := g.enumSelect(T("documents.portalAll"), portalFilters, portalFilterText, s.portal, func(v string) {
		s.portal = v
		g.resetDocsPaging()
		g.loadDocs()
	})
	add := widget.NewButtonWithIcon(T("documents.add"), theme.ContentAddIcon(), g.chooseDocument)
	add.Importance = widget.HighImportance
	// The drop-downs are as wide as their longest word in the language
	// shown; the bar wraps to two rows when one does not hold them all.
	filters := newFilterBar(search, []*widget.Select{stateSel, kindSel, portalSel}, add)

	s.list = widget.NewList(
		func() int { return len(s.page.Documents) },
		func() fyne.CanvasObject {
			name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			name.Truncation = fyne.TextTruncateEllipsis
			sub := widget.NewLabel("")
			sub.Truncation = fyne.TextTruncateEllipsis
			// The title has the row's whole width; the state's badge sits
			// beside the short line below (kind and time), so a long badge
			// such as "ҚОЛ ҚОЙЫЛҒАН" does not cut the name.
			bottom := container.NewBorder(nil, nil, nil, container.NewHBox(), sub)
			return container.NewBorder(nil, nil, widget.NewIcon(theme.FileIcon()), nil, container.NewVBox(name, bottom))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(s.page.Documents) {
				return
			}
			d := s.page.Documents[i]
			c := o.(*fyne.Container)
			text := c.Objects[0].(*fyne.Container)
			text.Objects[0].(*widget.Label).SetText(d.Title)
			bottom := text.Objects[1].(*fyne.Container)
			// The size is in the opened document; the list keeps what tells
			// documents apart at a glance.
			bottom.Objects[0].(*widget.Label).SetText(kindText(d.Kind) + " · " + listTime(d.Modified, time.Now()))
			badges := bottom.Objects[1].(*fyne.Container)
			badges.Objects = []fyne.CanvasObject{stateBadge(d.State)}
			badges.Refresh()
		},
	)
	s.list.OnSelected = func(i widget.ListItemID) {
		if i < len(s.page.Documents) && s.page.Documents[i].ID != s.selected {
			g.openDocument(s.page.Documents[i].ID)
		}
	}
	s.prev = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() {
		if n := len(s.back); n > 0 {
			s.after, s.back = s.back[n-1], s.back[:n-1]
			g.loadDocs()
		}
	})
	s.next = widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() {
		if !s.page.Next.IsZero() {
			s.back = append(s.back, s.after)
			s.after = s.page.Next
			g.loadDocs()
		}
	})
	s.pager = widget.NewLabel("")
	pager := container.NewBorder(nil, nil, s.prev, s.next, container.NewCenter(s.pager))
	batch := widget.NewButtonWithIcon(T("batch.button"), theme.DocumentCreateIcon(), g.batchDialog)
	left := container.NewBorder(nil, container.NewVBox(batch, pager), nil, nil, s.list)

	s.detailBox = container.NewStack()
	s.noticeBox = container.NewVBox()
	g.fillDocsList()
	g.fillDetail()
	g.fillNotice()

	split := listAndDetail(left, container.NewVScroll(container.NewPadded(s.detailBox)))
	body := container.NewBorder(container.NewVBox(filters, s.noticeBox), nil, nil, nil, split)

	t := widget.NewLabelWithStyle(T("documents.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.SizeName = theme.SizeNameHeadingText
	sub := wrapped(T("documents.subtitle"))
	head := container.NewVBox(t, sub, widget.NewSeparator())
	if !s.loaded {
		g.loadDocs()
	}
	return container.NewBorder(container.NewPadded(head), nil, nil, nil, container.NewPadded(body))
}

// enumSelect is a drop-down over a store enumeration with an "all" entry
// first; onChange receives the raw value ("" for all).
//
// all == "" leaves out the "all" choice.
func (g *App) enumSelect(all string, values []string, text func(string) string, current string, onChange func(string)) *widget.Select {
	options := []string{all}
	raw := append([]string{""}, values...)
	if all == "" {
		options, raw = nil, values
	}
	for _, v := range values {
		options = append(options, text(v))
	}
	sel := widget.NewSelect(options, nil)
	for i, r := range raw {
		if r == current {
			sel.SetSelectedIndex(i)
		}
	}
	sel.OnChanged = func(string) {
		if i := sel.SelectedIndex(); i >= 0 {
			onChange(raw[i])
		}
	}
	return sel
}

func (g *App) resetDocsPaging() {
	g.docs.after, g.docs.back = store.ID{}, nil
}

// storeChanged reloads what the window shows of the store once the
// core changed it; UI goroutine.
func (g *App) storeChanged(c core.Change) {
	if g.closed || g.store == nil {
		return
	}
	g.registerChanged()
	if !g.docs.loaded {
		return
	}
	g.loadDocs()
	if det := g.docs.detail; det != nil && det.doc.ID == c.Document && !g.docs.busy {
		g.loadDetail(c.Document)
	}
}

// loadDocs lists the current page on a worker and fills the list.
func (g *App) loadDocs() {
	s := &g.docs
	st := g.store
	if st == nil {
		return
	}
	s.gen++
	gen := s.gen
	q := store.Query{State: s.state, Kind: s.kind, Text: s.text, Limit: docsPageSize, After: s.after}
	portal := s.portal
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		defer cancel()
		var p store.Page
		var err error
		if portal != "" {
			p, err = listByPortal(ctx, st, q, portal)
		} else {
			p, err = st.List(ctx, q)
		}
		runOnUI(func() {
			if gen != s.gen {
				return
			}
			s.loaded = true
			s.page, s.listErr = p, ""
			if err != nil {
				s.page, s.listErr = store.Page{}, err.Error()
			}
			g.fillDocsList()
			s.shown = gen
			if want := s.pendingOpen; want != "" {
				s.pendingOpen = ""
				for _, d := range s.page.Documents {
					if d.ID.String() == want || d.Name == filepath.Base(want) {
						g.openDocument(d.ID)
						g.fillDocsList()
						break
					}
				}
			}
		})
	}()
}

// fillDocsList shows the loaded page in the list widgets.
func (g *App) fillDocsList() {
	s := &g.docs
	if s.list == nil {
		return
	}
	s.list.UnselectAll()
	for i, d := range s.page.Documents {
		if d.ID == s.selected {
			s.list.Select(i)
		}
	}
	s.list.Refresh()
	n := len(s.back) + 1
	switch {
	case s.listErr != "":
		s.pager.SetText(T("documents.listFailed", map[string]any{"Error": s.listErr}))
	case !s.loaded:
		s.pager.SetText("")
	case len(s.page.Documents) == 0 && n == 1:
		s.pager.SetText(T("documents.none"))
	default:
		s.pager.SetText(T("documents.page", map[string]any{"N": n, "Count": len(s.page.Documents)}))
	}
	if len(s.back) == 0 {
		s.prev.Disable()
	} else {
		s.prev.Enable()
	}
	if s.page.Next.IsZero() {
		s.next.Disable()
	} else {
		s.next.Enable()
	}
}

// setDocsNotice shows a message over the list (added, signed, exported, or
// why not) and redraws it.
func (g *App) setDocsNotice(lvl level, text string) {
	g.docs.notice, g.docs.noticeLvl = text, lvl
	g.fillNotice()
}

func (g *App) fillNotice() {
	s := &g.docs
	if s.noticeBox == nil {
		return
	}
	s.noticeBox.Objects = nil
	if s.notice != "" {
		s.noticeBox.Add(banner(s.noticeLvl, s.notice, ""))
	}
	s.noticeBox.Refresh()
}

// chooseDocument asks for a file to add to the store.
func (g *App) chooseDocument() {
	g.chooseFile(fileChoice{title: T("files.openDocument")}, g.addDocument)
}

// addDocument imports a file as a new document on a worker, then opens it.
func (g *App) addDocument(path string) {
	if g.store == nil {
		g.setDocsNotice(levelBad, T("documents.noStore"))
		return
	}
	g.setDocsNotice(levelNone, T("documents.adding", map[string]any{"Name": filepath.Base(path)}))
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		defer cancel()
		d, err := g.core.ImportFile(ctx, path, store.NewDocument{})
		runOnUI(func() {
			if err != nil {
				g.setDocsNotice(levelBad, addErrorText(path, err))
				return
			}
			g.setDocsNotice(levelOK, T("documents.added", map[string]any{"Name": d.Title}))
			g.docs.text, g.docs.state, g.docs.kind = "", "", ""
			g.resetDocsPaging()
			g.docs.selected = d.ID
			if g.current == "documents" {
				g.show("documents")
			}
			g.loadDocs()
			g.openDocument(d.ID)
		})
	}()
}

func addErrorText(path string, err error) string {
	args := map[string]any{"Name": filepath.Base(path)}
	switch {
	case errors.Is(err, store.ErrTooLarge):
		args["Limit"] = humanSize(store.DefaultMaxContentSize)
		return T("documents.tooLarge", args)
	case errors.Is(err, store.ErrForbiddenType):
		return T("documents.forbidden", args)
	case errors.Is(err, store.ErrTypeMismatch):
		return T("documents.mismatch", args)
	case errors.Is(err, store.ErrEmpty):
		return T("documents.empty", args)
	}
	if text := diskErrorText(err); text != "" {
		return text
	}
	args["Error"] = err.Error()
	return T("documents.addFailed", args)
}

// stateName and kindText are the store's enumerations in the user's words,
// as the drop-downs and the journal's sentences say them.
func stateName(s store.State) string { return T("state." + string(s)) }
func kindText(k store.Kind) string   { return T("kind." + string(k)) }

// stateBadge is a state as its badge shows it: in capitals, which the
// translations leave to the code (strings.ToUpper knows Ә, Ғ, Қ, Ң, Ө, Ұ,
// Ү, Һ and І), so a drop-down does not shout.
func stateBadge(s store.State) fyne.CanvasObject {
	return badge(strings.ToUpper(stateName(s)), stateLevel(s).colorName())
}

func stateNames() []string {
	out := make([]string, len(store.States))
	for i, s := range store.States {
		out[i] = string(s)
	}
	return out
}

func kindNames() []string {
	out := make([]string, len(store.Kinds))
	for i, k := range store.Kinds {
		out[i] = string(k)
	}
	return out
}

// stateLevel colours a state: signed and acknowledged green, rejected and
// revoked red, the rest neutral or in flight.
func stateLevel(s store.State) level {
	switch s {
	case store.StateSigned, store.StateAcknowledged:
		return levelOK
	case store.StateQueued, store.StateSent:
		return levelWarn
	case store.StateRejected, store.StateRevoked:
		return levelBad
	}
	return levelNone
}

func shortTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

// listTime is a list row's time: the hour today, the date before, as mail
// programs do, so that a narrow list still shows it whole.
func listTime(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04")
	}
	return t.Format("2006-01-02")
}
