package ui

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/signer"
)

// dialogUI is the GUI's signer.UI: the same typed questions the CLI and
// the bridge answer, as Fyne dialogs. Its methods block, so they are for
// worker goroutines only: each posts its dialog with fyne.Do and waits for
// the answer (or ctx).
//
// Consent keeps what the operation is about — the document and the key —
// and it heads every password or PIN dialog, so nothing is signed blind:
// the dialog's Sign button is the consent, Cancel declines.
type dialogUI struct {
	g *App
	// Summary heads the secret dialog; Consent fills it from the core's
	// consent unless a screen set it first.
	Summary [][2]string
	Test    bool // the key is a TEST key

	mu sync.Mutex
}

var _ signer.UI = (*dialogUI)(nil)

// secretDialog is the password dialog on screen; tests reach it via App.secret.
type secretDialog struct {
	summary [][2]string
	entry   *keyEntry
	errMsg  *widget.Label
	dialog  *dialog.ConfirmDialog
	submit  func()
	cancel  func()
}

type secretAnswer struct {
	secret []byte
	ok     bool
}

// Consent keeps the rows the secret dialog shows: what, how big, its
// digest, the format, the key and the timestamp service.
func (u *dialogUI) Consent(_ context.Context, c signer.Consent) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.Test = u.Test || c.Test
	if u.Summary == nil {
		u.Summary = consentRows(c)
	}
	return nil
}

// RequestSecret shows the secret dialog: the summary, the token's PIN state
// and, on a retry, why the last secret was refused.
func (u *dialogUI) RequestSecret(ctx context.Context, req signer.SecretRequest) ([]byte, error) {
	prompt, placeholder := T("secret.promptFile"), T("secret.placeholder")
	if req.Kind != signer.SecretPassword {
		prompt, placeholder = T("secret.promptPIN", map[string]any{"Token": req.Key.Token}), T("secret.placeholderPIN")
	}
	notice := pinNotice(req)
	failed := ""
	if req.Retry() {
		failed = T("error.wrongPassword")
		if req.Kind != signer.SecretPassword {
			failed = T("error.wrongPIN")
		}
	}
	answer := make(chan secretAnswer, 1)
	u.mu.Lock()
	summary, test := u.Summary, u.Test
	u.mu.Unlock()
	runOnUI(func() { u.g.showSecret(summary, test, prompt, placeholder, notice, failed, answer) })
	select {
	case a := <-answer:
		if !a.ok {
			return nil, signer.ErrCancelled
		}
		if req.Kind == signer.SecretKeypad {
			signer.Zero(a.secret)
			return nil, nil
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

// pinNotice is the token's PIN state in the user's language, or "".
func pinNotice(req signer.SecretRequest) string {
	args := map[string]any{"Token": req.Key.Token}
	var notes []string
	switch req.PIN {
	case signer.PINCountLow:
		notes = append(notes, T("pin.countLow", args))
	case signer.PINFinalTry:
		notes = append(notes, T("pin.finalTry", args))
	case signer.PINMustChange:
		notes = append(notes, T("pin.mustChange", args))
	case signer.PINLocked:
		notes = append(notes, T("pin.locked", args))
	}
	if req.Kind == signer.SecretKeypad {
		notes = append(notes, T("pin.keypad"))
	}
	return strings.Join(notes, "\n")
}

// consentRows are a consent as the secret dialog shows it.
func consentRows(c signer.Consent) [][2]string {
	format := T("sign.formatXML")
	if c.Format == signer.FormatPDF {
		format = T("sign.formatPDF")
	}
	if c.Format == signer.FormatCMS {
		format = T("sign.formatCMS") + ", " + T("sign.attached")
		if c.Detached {
			format = T("sign.formatCMS") + ", " + T("sign.detached")
		}
	}
	keyText := c.Key.Label
	if cert := c.Key.Certificate; cert != nil {
		id := pkiIdentity(cert)
		keyText = id.CommonName
		if id.IIN != "" {
			keyText += ", " + T("field.iin") + " " + id.IIN
		}
		if id.Organization != "" {
			keyText += ", " + id.Organization
		}
	}
	var rows [][2]string
	web := c.Origin != "" && c.Origin != signer.LocalUser
	if web {
		rows = append(rows, [2]string{T("web.origin"), c.Origin})
		if c.Count > 1 {
			rows = append(rows, [2]string{T("web.count"), fmt.Sprint(c.Count)})
		}
	}
	for i, d := range c.Documents {
		if i == 3 {
			break
		}
		if d.Digest {
			rows = append(rows, [2]string{T("secret.document"), T("web.hashOnly")}, [2]string{T("web.hash"), hex.EncodeToString(d.SHA256)})
			continue
		}
		h := hex.EncodeToString(d.SHA256)
		if len(h) > 16 {
			h = h[:8] + "…" + h[len(h)-8:]
		}
		name := d.Name
		if d.Version > 0 {
			name = fmt.Sprintf("%s (%s, %s)", d.Name, T("documents.versionN", map[string]any{"N": d.Version}), d.FileName)
		}
		rows = append(rows, [2]string{T("secret.document"), name}, [2]string{T("secret.size"), humanSize(d.Size)}, [2]string{"SHA-256", h})
		if web && d.Preview != "" {
			rows = append(rows, [2]string{T("web.preview"), clipText(d.Preview, 300)})
		}
	}
	rows = append(rows, [2]string{T("secret.format"), format}, [2]string{T("secret.key"), keyText})
	if c.TSA != "" {
		rows = append(rows, [2]string{T("secret.tsa"), c.TSA})
	}
	return rows
}

// showSecret shows the password dialog: what is signed and with which key
// first, then the masked entry (paste works; copying out does not).
func (g *App) showSecret(summary [][2]string, test bool, prompt, placeholder, notice, failed string, answer chan<- secretAnswer) {
	// A password entry that passes Escape to the dialog: it cancels.
	entry := newKeyEntry()
	entry.Password, entry.Wrapping = true, fyne.TextWrap(fyne.TextTruncateClip)
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
	entry.onKey = func(k *fyne.KeyEvent) bool {
		if k.Name != fyne.KeyEscape {
			return false
		}
		sd.cancel()
		return true
	}
	g.secret = sd
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
	g.win.Canvas().Focus(entry)
}

// clipText shortens s to n characters, marking the cut.
func clipText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// askSavePath asks where to save a file the program then writes itself
// (whole, through a temporary file), proposing name; then runs with the
// path chosen (replacing a file there was confirmed by the user).
func (g *App) askSavePath(name string, then func(path string)) {
	g.chooseFile(fileChoice{title: T("files.saveTitle"), save: true, name: name}, then)
}
