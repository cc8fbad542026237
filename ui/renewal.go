package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/signer/pki"
)

// Certificate renewal: from pki.RenewBeforeDays before a key's certificate
// ends (the EDM agreement's 5.1.4.8: renew 30 days ahead), every screen
// says so above itself, with the steps at NCA RK, and the tray menu too.
// On the day it ends the key is expired: the core refuses to sign with it.

// expiring is a key to renew and the days it has left.
type expiring struct {
	key  *keyItem
	days int
}

// expiringKeys are the keys whose certificate is known and ends within
// pki.RenewBeforeDays (not yet expired).
func (g *App) expiringKeys() []expiring {
	var out []expiring
	for _, k := range g.keys {
		if k.Certificate == nil || k.Test && k.Generated {
			continue
		}
		days := pki.IdentityOf(k.Certificate, now()).DaysLeft
		if days >= 0 && pki.RenewSoon(days) {
			out = append(out, expiring{k, days})
		}
	}
	return out
}

// renewalBanner is the line above every screen while a key needs renewing
// (nil when none does).
func (g *App) renewalBanner() fyne.CanvasObject {
	keys := g.expiringKeys()
	if len(keys) == 0 {
		return nil
	}
	e := keys[0]
	text := T("renewal.banner", map[string]any{"Name": e.key.name(), "Days": e.days,
		"Date": e.key.Certificate.NotAfter.Local().Format("2006-01-02")})
	if len(keys) > 1 {
		text += " " + T("renewal.more", map[string]any{"Count": len(keys) - 1})
	}
	how := widget.NewButtonWithIcon(T("renewal.how"), theme.HelpIcon(), g.renewalSteps)
	return container.NewBorder(nil, nil, nil, how, banner(levelWarn, text, ""))
}

// renewalSteps says how a key is renewed at NCA RK.
func (g *App) renewalSteps() {
	d := dialog.NewCustom(T("renewal.title"), T("action.close"), wrapped(T("renewal.steps")), g.win)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
}

// renewalMenuItem is the tray's reminder (nil when nothing is to renew).
func (g *App) renewalMenuItem() *fyne.MenuItem {
	keys := g.expiringKeys()
	if len(keys) == 0 {
		return nil
	}
	return fyne.NewMenuItem(T("tray.renew", map[string]any{"Days": keys[0].days}), func() {
		g.win.Show()
		g.win.RequestFocus()
		g.show("keys")
		g.renewalSteps()
	})
}
