package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/internal/reportwords"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/xmldsig"
)

// verifyState is the Verify screen's state across rebuilds.
type verifyState struct {
	file, original string
	needOriginal   bool
	busy           bool
	report         *pki.Report
	errText        string
	details        map[int]bool
}

// verifyScreen: drop a signed file (and the original of a detached CMS),
// read the verdict in plain words.
func (g *App) verifyScreen() fyne.CanvasObject {
	v := &g.verify
	choose := func(label string, set func(string)) *widget.Button {
		b := widget.NewButtonWithIcon(label, theme.FolderOpenIcon(), func() {
			g.chooseFile(fileChoice{title: label}, func(path string) {
				set(path)
				g.startVerify()
			})
		})
		if v.busy {
			b.Disable()
		}
		return b
	}
	fileBtn := choose(T("verify.chooseSigned"), func(p string) { g.verify = verifyState{file: p} })
	var fileCard fyne.CanvasObject
	if v.file == "" {
		fileBtn.Importance = widget.HighImportance
		drop := wrapped(T("verify.dropHere"))
		drop.Alignment = fyne.TextAlignCenter
		icon := widget.NewIcon(theme.UploadIcon())
		fileCard = card(T("verify.signedFile"), container.NewVBox(container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(48), icon)), drop, container.NewCenter(fileBtn)))
	} else {
		fileBtn.SetText(T("verify.otherFile"))
		rows := container.NewVBox(container.NewBorder(nil, nil, widget.NewIcon(theme.FileIcon()), container.NewCenter(fileBtn), bold(filepath.Base(v.file))))
		if v.original != "" || v.needOriginal {
			origBtn := choose(T("verify.chooseOriginal"), func(p string) { g.verify.original = p })
			text := T("verify.originalMissing")
			if v.original != "" {
				text = T("verify.original", map[string]any{"Name": filepath.Base(v.original)})
			}
			if v.needOriginal {
				origBtn.Importance = widget.HighImportance
			}
			rows.Add(container.NewBorder(nil, nil, nil, origBtn, wrapped(text)))
		}
		fileCard = card(T("verify.signedFile"), rows)
	}
	body := container.NewVBox(fileCard)
	switch {
	case v.busy:
		body.Add(container.NewVBox(widget.NewLabel(T("verify.checking")), widget.NewProgressBarInfinite()))
	case v.needOriginal:
		body.Add(banner(levelWarn, T("verify.needOriginal"), T("verify.needOriginalHint")))
	case v.errText != "":
		body.Add(banner(levelBad, T("verify.cannot"), v.errText))
	case v.report != nil:
		body.Add(g.reportView(v.report))
	}
	return page(T("verify.title"), T("verify.subtitle"), body)
}

// startVerify runs the verification off the UI goroutine.
func (g *App) startVerify() {
	v := &g.verify
	if v.file == "" || v.busy {
		return
	}
	v.busy, v.report, v.errText, v.needOriginal = true, nil, "", false
	file, original := v.file, v.original
	verifier := g.newVerifier()
	st := g.store
	if g.current == "verify" {
		g.show("verify")
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		report, guessed, err := verifyFile(ctx, file, original, verifier)
		if err == nil {
			// Recorded in the journal: which file, the verdict, the report's digest.
			if rerr := core.RecordVerification(ctx, st, file, report); rerr != nil {
				fyne.LogError("journal the verification", rerr)
			}
		}
		runOnUI(func() {
			if g.verify.file != file {
				return // the user moved on to another file
			}
			v.busy = false
			switch {
			case errors.Is(err, core.ErrNeedOriginal):
				v.needOriginal = true
			case err != nil:
				v.errText = verifyErrorText(err)
			default:
				v.report, v.details = report, map[int]bool{}
				if guessed != "" {
					v.original = guessed
				}
			}
			if g.current == "verify" {
				g.show("verify")
			}
		})
	}()
}

// verifyFile has the core examine the signed file (a detached CMS without
// an original is checked against the same-named file next to it, which
// guessed names) and v judge it.
func verifyFile(ctx context.Context, file, original string, v *pki.Verifier) (report *pki.Report, guessed string, err error) {
	x, err := core.ExamineFile(file, original)
	if err != nil {
		return nil, "", err
	}
	if x.Guessed {
		guessed = x.Original
	}
	return v.Verify(ctx, x.Evidence), guessed, nil
}

func verifyErrorText(err error) string {
	switch {
	case errors.Is(err, core.ErrNotSignature), errors.Is(err, xmldsig.ErrNotXML):
		return T("error.notSignature")
	case errors.Is(err, core.ErrTooLarge):
		return T("error.tooLarge")
	}
	return T("error.verifyFailed", map[string]any{"Error": err.Error()})
}

// reportView shows each signature: the verdict first, then who, when and
// on what the verdict rests; details and export on demand.
func (g *App) reportView(r *pki.Report) fyne.CanvasObject {
	box := container.NewVBox()
	if len(r.Signatures) == 0 {
		box.Add(banner(levelBad, T("verify.noSignatures"), ""))
	}
	for i := range r.Signatures {
		box.Add(g.signatureView(r, i))
	}
	if r.Offline {
		l := wrapped(T("verify.offline"))
		l.Importance = widget.WarningImportance
		box.Add(l)
	}
	saveText := widget.NewButtonWithIcon(T("verify.exportText"), theme.DocumentSaveIcon(), func() { g.exportReport(r, "txt") })
	saveJSON := widget.NewButtonWithIcon(T("verify.exportJSON"), theme.DocumentSaveIcon(), func() { g.exportReport(r, "json") })
	box.Add(actionRow(saveText, saveJSON))
	return box
}

// indicationLevel maps the ETSI verdict to the traffic light.
func indicationLevel(i pki.Indication) level {
	switch i {
	case pki.TotalPassed:
		return levelOK
	case pki.Indeterminate:
		return levelWarn
	}
	return levelBad
}

func (g *App) signatureView(r *pki.Report, i int) fyne.CanvasObject {
	s := &r.Signatures[i]
	lvl := indicationLevel(s.Indication)
	title := T("verdict." + string(s.Indication))
	reason := ""
	if s.SubIndication != "" {
		reason = T("sub." + string(s.SubIndication))
	}
	if len(r.Signatures) > 1 {
		title = T("verify.signatureN", map[string]any{"N": i + 1, "Total": len(r.Signatures)}) + ": " + title
	}
	box := container.NewVBox(banner(lvl, title, reason))

	id := s.Signer
	who := id.CommonName
	if who == "" {
		who = T("verify.unknownSigner")
	}
	name := bold(who)
	name.SizeName = theme.SizeNameSubHeadingText
	head := fyne.CanvasObject(name)
	if s.Test {
		head = container.NewBorder(nil, nil, nil, testBadge(), name)
	}
	validity := ""
	if !id.NotAfter.IsZero() {
		validity = T("verify.validRange", map[string]any{"From": id.NotBefore.Format(time.DateOnly), "To": id.NotAfter.Format(time.DateOnly)})
	}
	anchor := T("verify.notTrusted")
	switch {
	case s.Anchor != "":
		anchor = T("verify.trustedBy", map[string]any{"Anchor": s.Anchor})
	case s.SubIndication == pki.HashFailure, s.SubIndication == pki.SigCryptoFailure, s.SubIndication == pki.FormatFailure:
		// The verifier stops at a signature that does not hold: the chain
		// was never looked at, so it is not "missing" (issue 17, point 5).
		anchor = T("verify.chainNotChecked")
	}
	box.Add(card(T("verify.whoSigned"), container.NewVBox(head, fields(
		[2]string{T("field.iin"), id.IIN},
		[2]string{T("field.bin"), id.BIN},
		[2]string{T("field.organization"), id.Organization},
		[2]string{T("field.role"), rolesText(id.Roles)},
		[2]string{T("verify.when"), signingTimeText(s)},
		[2]string{T("verify.certificate"), validity},
		[2]string{T("verify.statusAtSigning"), statusText(s.StatusAtSigning)},
		[2]string{T("verify.statusNow"), statusText(s.StatusNow)},
		[2]string{T("verify.chain"), anchor},
		[2]string{T("verify.scope"), scopeText(s.Scope)},
		[2]string{T("field.algorithm"), algorithmText(s.SignatureAlgorithm)},
	))))
	for _, m := range s.Errors {
		l := wrapped(messageText(m))
		l.Importance = widget.DangerImportance
		box.Add(l)
	}
	for _, m := range append(append([]pki.Message{}, s.Warnings...), s.Notes...) {
		l := wrapped(messageText(m))
		l.Importance = widget.WarningImportance
		box.Add(l)
	}

	detailsOn := g.verify.details[i]
	toggle := widget.NewButtonWithIcon(T("verify.showDetails"), theme.MoreVerticalIcon(), func() {
		if g.verify.details == nil {
			g.verify.details = map[int]bool{}
		}
		g.verify.details[i] = !g.verify.details[i]
		g.show("verify")
	})
	if detailsOn {
		toggle.SetText(T("verify.hideDetails"))
	}
	box.Add(container.NewHBox(toggle))
	if detailsOn {
		one := &pki.Report{VerifiedAt: r.VerifiedAt, Offline: r.Offline, Signatures: []pki.SignatureReport{*s}}
		var b strings.Builder
		_ = one.TextWith(&b, reportLabels())
		text := widget.NewLabel(b.String())
		text.TextStyle.Monospace = true
		text.Wrapping = fyne.TextWrapBreak
		text.Selectable = true
		box.Add(card("", text))
	}
	return box
}

func signingTimeText(s *pki.SignatureReport) string {
	if s.SigningTime.IsZero() {
		return ""
	}
	t := s.SigningTime.Local().Format("2006-01-02 15:04:05")
	switch s.SigningTimeSource {
	case "timestamp":
		return t + " (" + T("verify.byTimestamp") + ")"
	case "claimed":
		return t + " (" + T("verify.byClaim") + ")"
	}
	return t + " (" + T("verify.noTime") + ")"
}

func statusText(c pki.CertStatusReport) string {
	if c.Status == "" {
		return ""
	}
	text := T("status." + string(c.Status))
	if !c.RevokedAt.IsZero() {
		text += " " + T("verify.revokedAt", map[string]any{"Date": c.RevokedAt.Local().Format("2006-01-02 15:04")})
	}
	if c.Source != "" && c.Source != "unknown" {
		src := c.Source
		if src == "cache" {
			src = T("report.sourceCache")
		}
		if c.Via != "" {
			src += " (" + c.Via + ")"
		}
		text += " · " + T("verify.source", map[string]any{"Source": src})
	}
	return text
}

// scopeText says in the user's language what a signature covers.
func scopeText(scope string) string { return reportwords.Scope(Language(), scope) }

// messageText says a report message in the user's language.
func messageText(m pki.Message) string { return reportwords.MessageText(Language(), m) }

// reportLabels are pki.TextLabels in the user's language, for the details
// view and the text export.
func reportLabels() pki.TextLabels { return reportwords.Labels(Language()) }

// reportBytes is the report as text (in the user's language) or JSON.
func reportBytes(r *pki.Report, kind string) ([]byte, error) {
	if kind == "json" {
		data, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("encode report: %w", err)
		}
		return append(data, '\n'), nil
	}
	var b bytes.Buffer
	if err := r.TextWith(&b, reportLabels()); err != nil {
		return nil, fmt.Errorf("write report: %w", err)
	}
	return b.Bytes(), nil
}

// exportReport saves the report where the user says.
func (g *App) exportReport(r *pki.Report, kind string) {
	data, err := reportBytes(r, kind)
	if err != nil {
		dialog.ShowError(err, g.win)
		return
	}
	g.askSavePath(filepath.Base(g.verify.file)+".report."+kind, func(path string) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			dialog.ShowError(err, g.win)
		}
	})
}
