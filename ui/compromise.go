package ui

import (
	"context"
	"crypto/x509"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/sync/exchange"
)

// compromiseDialog confirms "this key is compromised" (it cannot be
// undone), marks it, tells the portals, and says to revoke it at NCA RK.
func (g *App) compromiseDialog(cert *x509.Certificate) {
	reason := widget.NewMultiLineEntry()
	reason.SetPlaceHolder(T("compromise.reasonHint"))
	box := container.NewVBox(wrapped(T("compromise.confirm")), reason)
	d := dialog.NewCustomConfirm(T("compromise.title"), T("compromise.yes"), T("action.cancel"), box, func(ok bool) {
		if ok {
			g.reportCompromise(cert, reason.Text)
		}
	}, g.win)
	d.Resize(fyne.NewSize(560, 0))
	g.portal.dialog = d
	d.Show()
}

func (g *App) reportCompromise(cert *x509.Certificate, reason string) {
	e := g.portal.engine
	if e == nil {
		e = &exchange.Engine{Core: g.core}
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		_, notified, err := e.ReportCompromise(ctx, cert, time.Time{}, reason)
		runOnUI(func() {
			if err != nil {
				dialog.ShowError(err, g.win)
				return
			}
			var lines []string
			for _, n := range notified {
				if n.Err != nil {
					lines = append(lines, T("compromise.notTold", map[string]any{"Portal": n.Account}))
				} else {
					lines = append(lines, T("compromise.told", map[string]any{"Portal": n.Account}))
				}
			}
			lines = append(lines, T("compromise.revoke"))
			dialog.ShowInformation(T("compromise.title"), strings.Join(lines, "\n"), g.win)
			g.show(g.current)
		})
	}()
}
