package ui

import (
	"context"
	"fmt"
	"io"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/internal/atomicfile"
	"github.com/qoltanba/qoltanba/sync/register"
	"github.com/qoltanba/qoltanba/sync/store"
)

// The Registers screen: the registers of incoming and outgoing documents
// for a period, from the journal (sync/register), saved as CSV or as text
// to print — what `qoltanba register` writes.

// registersState is the screen's state across rebuilds.
type registersState struct {
	direction register.Direction
	period    string // one of registerPeriods
	reg       *register.Register
	err       string
	busy      bool
	stale     bool // the store changed while the register was read
	notice    string
	level     level
}

// registerPeriods are the periods offered, each as [from, to) around now.
var registerPeriods = []string{"thisMonth", "lastMonth", "thisQuarter", "lastQuarter", "thisYear", "lastYear"}

// periodBounds is a period's [from, to) in local time.
func periodBounds(period string, now time.Time) (time.Time, time.Time) {
	y, m, _ := now.Date()
	month := time.Date(y, m, 1, 0, 0, 0, 0, time.Local)
	quarter := time.Date(y, m-(m-1)%3, 1, 0, 0, 0, 0, time.Local)
	year := time.Date(y, 1, 1, 0, 0, 0, 0, time.Local)
	switch period {
	case "lastMonth":
		return month.AddDate(0, -1, 0), month
	case "thisQuarter":
		return quarter, quarter.AddDate(0, 3, 0)
	case "lastQuarter":
		return quarter.AddDate(0, -3, 0), quarter
	case "thisYear":
		return year, year.AddDate(1, 0, 0)
	case "lastYear":
		return year.AddDate(-1, 0, 0), year
	}
	return month, month.AddDate(0, 1, 0)
}

func (g *App) registersScreen() fyne.CanvasObject {
	s := &g.registers
	if title, text := g.storeProblem(); title != "" {
		return page(T("registers.title"), T("registers.subtitle"), banner(levelNone, title, text))
	}
	if s.direction == "" {
		s.direction, s.period = register.Outgoing, "thisMonth"
	}
	dirs := []string{string(register.Incoming), string(register.Outgoing)}
	dirSel := g.enumSelect("", dirs, func(v string) string { return T("registers." + v) }, string(s.direction), func(v string) {
		s.direction = register.Direction(v)
		g.loadRegister()
	})
	periodSel := g.enumSelect("", registerPeriods, func(v string) string { return T("registers.period." + v) }, s.period, func(v string) {
		s.period = v
		g.loadRegister()
	})
	csvButton := widget.NewButtonWithIcon(T("registers.saveCSV"), theme.DocumentSaveIcon(), func() { g.saveRegister("csv") })
	textButton := widget.NewButtonWithIcon(T("registers.saveText"), theme.DocumentPrintIcon(), func() { g.saveRegister("txt") })
	if s.reg == nil || s.busy {
		csvButton.Disable()
		textButton.Disable()
	}
	// The drop-downs as wide as their words, the buttons at the right.
	bar := container.NewBorder(nil, nil, nil, container.NewHBox(csvButton, textButton),
		container.New(&contentWidthRow{selects: []*widget.Select{dirSel, periodSel}}, dirSel, periodSel))
	var body fyne.CanvasObject
	switch {
	case s.err != "":
		body = banner(levelBad, T("registers.failed"), s.err)
	case s.reg == nil:
		body = loading()
		if !s.busy {
			g.loadRegister()
		}
	case len(s.reg.Rows) == 0:
		body = wrapped(T("registers.empty"))
	default:
		body = g.registerList()
	}
	top := container.NewVBox(bar)
	if s.reg != nil {
		top.Add(wrapped(T("registers.summary", map[string]any{"Count": len(s.reg.Rows),
			"From": s.reg.From.Format(time.DateOnly), "To": s.reg.To.AddDate(0, 0, -1).Format(time.DateOnly)})))
	}
	if s.notice != "" {
		top.Add(banner(s.level, s.notice, ""))
	}
	t := widget.NewLabelWithStyle(T("registers.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.SizeName = theme.SizeNameHeadingText
	head := container.NewVBox(t, wrapped(T("registers.subtitle")), widget.NewSeparator(), top)
	return container.NewBorder(container.NewPadded(head), nil, nil, nil, container.NewPadded(body))
}

// registerList shows the rows, newest last as in the journal.
func (g *App) registerList() fyne.CanvasObject {
	rows := g.registers.reg.Rows
	lang := Language()
	list := widget.NewList(func() int { return len(rows) },
		func() fyne.CanvasObject {
			head := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			detail := widget.NewLabel("")
			detail.Truncation = fyne.TextTruncateEllipsis
			return container.NewVBox(head, detail)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			r := rows[i]
			box := o.(*fyne.Container)
			title := fmt.Sprintf("%d. %s  %s — %q", r.No, shortTime(r.Time), register.EventName(lang, r.Event), r.Title)
			if r.Counterparty != "" {
				title += " (" + r.Counterparty + ")"
			}
			box.Objects[0].(*widget.Label).SetText(title)
			box.Objects[1].(*widget.Label).SetText(registerDetail(r))
		})
	list.OnSelected = func(i widget.ListItemID) {
		list.UnselectAll()
		if id := rows[i].Document; !id.IsZero() {
			if _, err := g.store.Document(context.Background(), id); err == nil {
				g.openDocument(id)
			}
		}
	}
	return list
}

// loadRegister builds the register on a worker.
func (g *App) loadRegister() {
	s, st := &g.registers, g.store
	if st == nil || s.busy {
		return
	}
	s.busy, s.err, s.notice = true, "", ""
	dir, period := s.direction, s.period
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		now := time.Now()
		from, to := periodBounds(period, now)
		r, err := register.Build(ctx, st, dir, from, to, now)
		runOnUI(func() {
			s.busy, s.reg = false, r
			if err != nil {
				s.err = err.Error()
			}
			if s.direction != dir || s.period != period || s.stale {
				s.reg, s.stale = nil, false // changed meanwhile: load again
			}
			g.refreshIfShown("registers")
		})
	}()
}

// saveRegister asks where to write the register shown, as CSV or as text
// to print, in the window's language.
func (g *App) saveRegister(format string) {
	s := &g.registers
	r := s.reg
	if r == nil {
		return
	}
	style := register.Style{Lang: Language(), Detail: registerDetail}
	g.askSavePath(fmt.Sprintf("register-%s-%s.%s", r.Direction, r.From.Format("2006-01"), format), func(path string) {
		err := atomicfile.WriteWith(path, 0o600, func(out io.Writer) error {
			if format == "csv" {
				return r.WriteCSV(out, style)
			}
			return r.WriteText(out, style)
		})
		if err != nil {
			s.notice, s.level = T("registers.saveFailed", map[string]any{"Error": err.Error()}), levelBad
		} else {
			s.notice, s.level = T("registers.saved", map[string]any{"Path": path}), levelOK
		}
		g.refreshIfShown("registers")
	})
}

// refreshIfShown rebuilds a screen when it is the one shown.
func (g *App) refreshIfShown(id string) {
	if g.current == id {
		g.show(id)
	}
}

// registerDetail says a register row's journal line in the window's language.
func registerDetail(r register.Row) string {
	return journalDetail(store.Entry{Action: r.Action, Detail: r.Detail})
}

// registerChanged follows the store: the register on screen is read
// again, one not on screen when it is next shown.
func (g *App) registerChanged() {
	s := &g.registers
	switch {
	case s.busy:
		s.stale = true
	case s.reg == nil:
	case g.current == "registers":
		g.loadRegister()
	default:
		s.reg = nil
	}
}
