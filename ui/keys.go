package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/pki"
)

// keysState is the Keys screen's state across rebuilds.
type keysState struct {
	selected  string // URI of the key shown
	notice    string // e.g. the TEST key was created
	unlockMsg string
	tokenMsg  string
	tokenLvl  level
	busy      bool
	pw        *widget.Entry // the unlock password entry on screen (tests)
}

// keysScreen lists the keys: files the user opened, files found in the
// usual folders, token keys. With none, the welcome stands in.
func (g *App) keysScreen() fyne.CanvasObject {
	if len(g.keys) == 0 {
		return g.welcomeScreen()
	}
	if g.keyByURI(g.keysUI.selected) == nil {
		g.keysUI.selected = g.keys[0].URI
	}
	list := widget.NewList(
		func() int { return len(g.keys) },
		func() fyne.CanvasObject {
			name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			name.Truncation = fyne.TextTruncateEllipsis
			sub := widget.NewLabel("")
			sub.Truncation = fyne.TextTruncateEllipsis
			// The badges sit beside the name, which is short, so that the
			// second line (organisation and role) has the row's whole width.
			badges := container.NewHBox()
			return container.NewBorder(nil, nil, widget.NewIcon(theme.AccountIcon()), nil,
				container.NewVBox(container.NewBorder(nil, nil, nil, badges, name), sub))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			k := g.keys[i]
			c := o.(*fyne.Container)
			text := c.Objects[0].(*fyne.Container)
			top := text.Objects[0].(*fyne.Container)
			top.Objects[0].(*widget.Label).SetText(k.name())
			text.Objects[1].(*widget.Label).SetText(g.keySubtitle(k))
			icon := c.Objects[1].(*widget.Icon)
			if k.Source == sourceToken {
				icon.SetResource(theme.StorageIcon())
			} else {
				icon.SetResource(theme.AccountIcon())
			}
			badges := top.Objects[1].(*fyne.Container)
			badges.Objects = nil
			if k.Test {
				badges.Add(testBadge())
			}
			v, _ := validityOf(k.Certificate, now())
			switch v {
			case validExpiring:
				badges.Add(badge(T("badge.expiring"), theme.ColorNameWarning))
			case validExpired, validNotYet:
				badges.Add(badge(T("badge.invalid"), theme.ColorNameError))
			case validUnknown:
				badges.Add(widget.NewIcon(theme.NewThemedResource(theme.VisibilityOffIcon())))
			}
			badges.Refresh()
		},
	)
	for i, k := range g.keys {
		if k.URI == g.keysUI.selected {
			list.Select(i)
		}
	}
	details := container.NewStack(g.keyDetails(g.keyByURI(g.keysUI.selected)))
	list.OnSelected = func(i widget.ListItemID) {
		if g.keys[i].URI != g.keysUI.selected {
			g.keysUI.selected = g.keys[i].URI
			g.keysUI.unlockMsg = ""
			details.Objects = []fyne.CanvasObject{g.keyDetails(g.keys[i])}
			details.Refresh()
		}
	}

	openBtn := widget.NewButtonWithIcon(T("keys.openFile"), theme.FolderOpenIcon(), g.openKeyFileDialog)
	tokenBtn := widget.NewButtonWithIcon(T("keys.lookTokens"), theme.StorageIcon(), nil)
	tokenBtn.OnTapped = func() {
		tokenBtn.Disable()
		g.lookForTokens(func(msg string, l level) {
			g.keysUI.tokenMsg, g.keysUI.tokenLvl = msg, l
			g.show("keys")
		})
	}
	top := container.NewVBox(container.NewHBox(openBtn, tokenBtn))
	if w := g.settingsWarning(); w != nil {
		top.Add(w)
	}
	if g.keysUI.notice != "" {
		top.Add(banner(levelOK, g.keysUI.notice, ""))
	}
	if g.keysUI.tokenMsg != "" {
		top.Add(banner(g.keysUI.tokenLvl, g.keysUI.tokenMsg, ""))
	}
	hint := wrapped(T("keys.dropHint"))
	// The list keeps room for a name and the badges beside it, whatever
	// the details panel holds.
	left := container.NewBorder(nil, hint, nil, nil, list)
	split := listAndDetail(left, container.NewVScroll(container.NewPadded(details)))

	title := widget.NewLabelWithStyle(T("keys.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	sub := wrapped(T("keys.subtitle"))
	head := container.NewPadded(container.NewVBox(title, sub, top, widget.NewSeparator()))
	return container.NewBorder(head, nil, nil, nil, split)
}

// keySubtitle is a key's second line: where it is and what it is.
func (g *App) keySubtitle(k *keyItem) string {
	switch {
	case k.Source == sourceToken:
		return T("keys.onToken", map[string]any{"Token": k.Token})
	case k.Certificate != nil:
		id := pki.IdentityOf(k.Certificate, now())
		parts := []string{}
		if id.Organization != "" {
			parts = append(parts, id.Organization)
		}
		if r := rolesText(id.Roles); r != "" {
			parts = append(parts, r)
		}
		if len(parts) == 0 {
			parts = append(parts, k.Label)
		}
		return strings.Join(parts, " · ")
	}
	return k.Label + " · " + T("keys.locked")
}

// keyDetails is the right-hand panel for one key.
func (g *App) keyDetails(k *keyItem) fyne.CanvasObject {
	if k == nil {
		return wrapped(T("keys.choose"))
	}
	name := widget.NewLabelWithStyle(k.name(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.SizeName = theme.SizeNameSubHeadingText
	name.Wrapping = fyne.TextWrapWord
	var head fyne.CanvasObject = name
	if k.Test {
		head = container.NewBorder(nil, nil, nil, testBadge(), name)
	}
	box := container.NewVBox(head)
	switch {
	case k.Generated && g.opts.Test != nil:
		box.Add(wrapped(T("keys.testNote", map[string]any{"Password": g.opts.Test.Password})))
	case k.Test:
		box.Add(wrapped(T("keys.testIssuer")))
	}

	var identity fyne.CanvasObject // below the actions, which stay in view
	if k.Certificate == nil {
		box.Add(g.unlockPanel(k))
	} else {
		id := pki.IdentityOf(k.Certificate, now())
		v, days := validityOf(k.Certificate, now())
		box.Add(banner(v.level(), v.text(k.Certificate, days), expiryAdvice(v)))
		identity = identityFields(id, k)
	}

	signBtn := widget.NewButtonWithIcon(T("keys.signWith"), theme.DocumentCreateIcon(), func() {
		g.setSignKey(k.URI)
		g.show("sign")
	})
	signBtn.Importance = widget.HighImportance
	// One row, wrapped where the words do not fit beside the list.
	actions := actionRow(signBtn)
	if k.Certificate != nil {
		cert := k
		actions.Add(widget.NewButtonWithIcon(T("keys.details"), theme.InfoIcon(), func() { g.showCertificate(cert) }))
	}
	if k.Certificate != nil {
		if since, ok := g.core.Compromised(k.Certificate); ok {
			box.Add(banner(levelBad, T("compromise.marked", map[string]any{"Date": shortTime(since)}), T("compromise.revoke")))
			signBtn.Disable()
		} else {
			cert := k.Certificate
			report := widget.NewButtonWithIcon(T("compromise.button"), theme.WarningIcon(), func() { g.compromiseDialog(cert) })
			report.Importance = widget.DangerImportance
			actions.Add(report)
		}
	}
	if k.Source == sourceOpened {
		uri := k.URI
		actions.Add(widget.NewButtonWithIcon(T("keys.forget"), theme.DeleteIcon(), func() {
			g.forgetKey(uri)
			g.show("keys")
		}))
	}
	box.Add(actions)
	if identity != nil {
		box.Add(identity)
	}
	return box
}

// expiryAdvice says what to do about a key near or past its end.
func expiryAdvice(v validity) string {
	switch v {
	case validExpiring:
		return T("validity.renewSoon")
	case validExpired:
		return T("validity.renewNow")
	}
	return ""
}

// identityFields are the facts an accountant checks on a key.
func identityFields(id pki.Identity, k *keyItem) fyne.CanvasObject {
	where := ""
	if k != nil {
		where = k.URI
		if k.Source == sourceToken {
			where = k.Token
		}
	}
	return fields(
		[2]string{T("field.iin"), id.IIN},
		[2]string{T("field.bin"), id.BIN},
		[2]string{T("field.organization"), id.Organization},
		[2]string{T("field.role"), rolesText(id.Roles)},
		[2]string{T("field.purpose"), purposeText(id.Purpose)},
		[2]string{T("field.algorithm"), algorithmText(id.Algorithm)},
		[2]string{T("field.validFrom"), id.NotBefore.Format(time.DateOnly)},
		[2]string{T("field.validTo"), id.NotAfter.Format(time.DateOnly)},
		[2]string{T("field.issuer"), id.Issuer},
		[2]string{T("field.location"), where},
	)
}

// unlockPanel asks for a key file's password once per session to read its
// certificate (PKCS#12 files keep it encrypted).
func (g *App) unlockPanel(k *keyItem) fyne.CanvasObject {
	info := wrapped(T("keys.unlockHint"))
	pw := widget.NewPasswordEntry()
	pw.SetPlaceHolder(T("keys.password"))
	g.keysUI.pw = pw
	msg := wrapped(g.keysUI.unlockMsg)
	msg.Importance = widget.DangerImportance
	// Not the eye: the password entry has its own, to reveal what is typed.
	btn := widget.NewButtonWithIcon(T("keys.unlock"), theme.AccountIcon(), nil)
	uri := k.URI
	unlock := func() {
		if g.keysUI.busy {
			return
		}
		password := []byte(pw.Text)
		pw.SetText("")
		g.keysUI.busy = true
		btn.Disable()
		msg.Importance = widget.MediumImportance
		msg.SetText(T("keys.opening"))
		go func() {
			key, err := g.core.Keys.OpenWith(context.Background(), uri, password)
			signer.Zero(password)
			runOnUI(func() {
				g.keysUI.busy = false
				if err != nil {
					g.keysUI.unlockMsg = keyErrorText(err)
					g.show("keys")
					return
				}
				g.learnCertificate(uri, key.Certificate)
				key.Close()
				g.keysUI.unlockMsg = ""
				g.show("keys")
			})
		}()
	}
	pw.OnSubmitted = func(string) { unlock() }
	btn.OnTapped = unlock
	if k.Source == sourceToken {
		return wrapped(T("keys.tokenNoCert"))
	}
	return card("", container.NewVBox(info, container.NewBorder(nil, nil, nil, btn, pw), msg))
}

// keyErrorText is a plain message for a key that would not open. A locked
// PIN comes first: the wrong PIN that locked a token carries both errors,
// and "locked" is what the user must act on.
func keyErrorText(err error) string {
	switch {
	case errors.Is(err, signer.ErrPINLocked):
		return T("error.pinLocked")
	case errors.Is(err, signer.ErrWrongPassword):
		return T("error.wrongPassword")
	case errors.Is(err, signer.ErrCancelled):
		return T("error.cancelled")
	case errors.Is(err, signer.ErrNoKey):
		return T("error.noKey")
	}
	return T("error.keyOpen", map[string]any{"Error": err.Error()})
}

// showCertificate is the certificate details view.
func (g *App) showCertificate(k *keyItem) {
	id := pki.IdentityOf(k.Certificate, now())
	policies := strings.Join(id.Policies, ", ")
	body := container.NewVBox(
		identityFields(id, k),
		widget.NewSeparator(),
		fields(
			[2]string{T("field.subject"), id.SubjectDN},
			[2]string{T("field.issuerDN"), id.IssuerDN},
			[2]string{T("field.serial"), id.SerialNumber},
			[2]string{T("field.email"), id.Email},
			[2]string{T("field.ski"), id.SubjectKeyID},
			[2]string{T("field.fingerprint"), id.Fingerprint},
			[2]string{T("field.policies"), policies},
		),
	)
	scroll := container.NewVScroll(body)
	scroll.SetMinSize(fyne.NewSize(640, 420))
	d := dialog.NewCustom(T("keys.certTitle"), T("action.close"), scroll, g.win)
	d.Show()
}

// rolesText names the holder's roles in the user's language.
func rolesText(roles []pki.Role) string {
	var out []string
	for _, r := range roles {
		if r == pki.RoleLegal && len(roles) > 1 {
			continue // "legal" is implied by the more precise role that follows
		}
		out = append(out, T("role."+string(r)))
	}
	return strings.Join(out, ", ")
}

func purposeText(p pki.Purpose) string {
	switch p {
	case pki.PurposeSign:
		return T("purpose.sign")
	case pki.PurposeAuth:
		return T("purpose.auth")
	}
	return ""
}

// algorithmText spells an algorithm the way NCA's documents name it.
func algorithmText(a string) string {
	switch a {
	case pki.AlgorithmGOST2015_512:
		return "GOST 34.10-2015 (512)"
	case pki.AlgorithmGOST2015_256:
		return "GOST 34.10-2015 (256)"
	case pki.AlgorithmGOST2004:
		return "GOST 34.310-2004"
	}
	return a
}
