package ui

import (
	"context"
	"slices"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/signer"
)

// dialogUI is the GUI's signer.UI: the same questions the CLI asks, as Fyne
// dialogs. Its methods block, so they are for worker goroutines only: each
// posts its dialog with fyne.Do and waits for the answer (or ctx).
//
// Summary is what the operation is about — the document and the key — and
// heads every password dialog, so nothing is signed blind: a PIN prompt from
// signer/pkcs11 shows it too.
type dialogUI struct {
	g       *App
	Summary [][2]string
	Test    bool // the key is a TEST key

	mu     sync.Mutex
	notice string // DisplayMessage text, shown in the next dialog
	failed string // why the last secret was refused (wrong password)
}

var _ signer.UI = (*dialogUI)(nil)

// secretDialog is the password dialog on screen; tests reach it via App.secret.
type secretDialog struct {
	summary [][2]string
	entry   *widget.Entry
	errMsg  *widget.Label
	dialog  *dialog.ConfirmDialog
	submit  func()
	cancel  func()
}

type secretAnswer struct {
	secret []byte
	ok     bool
}

// refuse makes the next RequestSecret show why the last secret failed.
func (u *dialogUI) refuse(reason string) {
	u.mu.Lock()
	u.failed = reason
	u.mu.Unlock()
}

func (u *dialogUI) RequestSecret(ctx context.Context, prompt string) ([]byte, error) {
	return u.requestSecret(ctx, prompt, T("secret.placeholder"))
}

// requestPIN is RequestSecret for a token's PIN: the entry says PIN, not
// password (tokenpin.go routes signer/pkcs11's prompt here).
func (u *dialogUI) requestPIN(ctx context.Context, prompt string) ([]byte, error) {
	return u.requestSecret(ctx, prompt, T("secret.placeholderPIN"))
}

func (u *dialogUI) requestSecret(ctx context.Context, prompt, placeholder string) ([]byte, error) {
	u.mu.Lock()
	notice, failed := u.notice, u.failed
	u.notice, u.failed = "", ""
	u.mu.Unlock()
	answer := make(chan secretAnswer, 1)
	summary, test := u.Summary, u.Test
	runOnUI(func() { u.g.showSecret(summary, test, prompt, placeholder, notice, failed, answer) })
	select {
	case a := <-answer:
		if !a.ok {
			return nil, signer.ErrCancelled
		}
		return a.secret, nil
	case <-ctx.Done():
		runOnUI(func() {
			if u.g.secret != nil {
				u.g.secret.cancel()
			}
		})
		return nil, ctx.Err()
	}
}

func (u *dialogUI) Confirm(ctx context.Context, prompt, yes, no string) (bool, error) {
	answer := make(chan bool, 1)
	runOnUI(func() {
		d := dialog.NewConfirm(T("confirm.title"), prompt, func(ok bool) { answer <- ok }, u.g.win)
		d.SetConfirmText(yes)
		d.SetDismissText(no)
		d.Show()
	})
	select {
	case ok := <-answer:
		return ok, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// DisplayMessage keeps the message (the PIN attempts left, say) for the next
// password dialog, where the user is looking.
func (u *dialogUI) DisplayMessage(_ context.Context, message string) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	// A token states its PIN state after a wrong PIN and again before the
	// next prompt: say it once.
	if slices.Contains(strings.Split(u.notice, "\n"), message) {
		return nil
	}
	if u.notice != "" {
		u.notice += "\n"
	}
	u.notice += message
	return nil
}

// showSecret shows the password dialog: what is signed and with which key
// first, then the masked entry (paste works; copying out does not).
func (g *App) showSecret(summary [][2]string, test bool, prompt, placeholder, notice, failed string, answer chan<- secretAnswer) {
	entry := widget.NewPasswordEntry()
	entry.SetPlaceHolder(placeholder)
	errMsg := wrapped(failed)
	errMsg.Importance = widget.DangerImportance
	if failed == "" {
		errMsg.Hide()
	}
	what := container.NewVBox()
	if test {
		what.Add(container.NewHBox(testBadge()))
	}
	what.Add(fields(summary...))
	body := container.NewVBox(card(T("secret.what"), what))
	if notice != "" {
		n := wrapped(notice)
		n.Importance = widget.WarningImportance
		body.Add(n)
	}
	body.Add(bold(prompt))
	body.Add(entry)
	body.Add(errMsg)

	var once sync.Once
	reply := func(a secretAnswer) {
		once.Do(func() {
			g.secret = nil
			answer <- a
		})
	}
	d := dialog.NewCustomConfirm(T("secret.title"), T("secret.confirm"), T("action.cancel"), body, func(ok bool) {
		if !ok {
			entry.SetText("")
			reply(secretAnswer{})
			return
		}
		secret := []byte(entry.Text)
		entry.SetText("")
		reply(secretAnswer{secret: secret, ok: true})
	}, g.win)
	d.SetConfirmImportance(widget.HighImportance)
	sd := &secretDialog{summary: summary, entry: entry, errMsg: errMsg, dialog: d}
	sd.submit = d.Confirm
	sd.cancel = func() { d.Dismiss(); entry.SetText(""); reply(secretAnswer{}) }
	entry.OnSubmitted = func(string) { d.Confirm() }
	g.secret = sd
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
	g.win.Canvas().Focus(entry)
}
