package ui

import (
	"context"
	"crypto/x509"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"fyne.io/fyne/v2"

	"github.com/qoltanba/qoltanba/internal/atomicfile"
	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/internal/diskerr"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/xmldsig"
	"github.com/qoltanba/qoltanba/sync/store"
)

// signJob is a snapshot of what the Sign screen asked for, handed to the
// worker so it never reads widgets or App fields.
type signJob struct {
	file, out, format string
	stamp             bool // pdf: a visible stamp
	detached          bool
	// cosign: out holds a signature of file made earlier; the new one is
	// added to it (CMS co-signature, one more XML signature).
	cosign bool
	tsa    string
	key    keyItem
	// st says the document store is open: the signing is recorded there
	// and in the journal (nil: nothing is recorded).
	st store.Store
}

// startSign runs the signing off the UI goroutine.
func (g *App) startSign() {
	s := &g.sign
	k := g.keyByURI(s.keyURI)
	if s.busy || s.file == "" || k == nil {
		return
	}
	g.syncCoreSettings()
	job := signJob{file: s.file, out: g.signOutputPath(), format: s.format, detached: s.detached, stamp: s.stamp, key: *k, st: g.store}
	if (s.format == "cms" || s.format == "pdf") && s.timestamp && !g.settings.Offline {
		job.tsa = g.settings.TSA
	}
	if core.Exists(job.out) {
		// A signature made before lies there: never replaced silently.
		g.askExisting(job, g.runSignJob)
		return
	}
	g.runSignJob(job)
}

// existingChoice is the question on screen when a signature already lies
// where the new one would go; tests answer it through choose.
type existingChoice struct {
	out    string
	choose func(existingAnswer)
}

type existingAnswer int

const (
	answerCancel  existingAnswer = iota
	answerCoSign                 // add the new signature to the existing one
	answerNewName                // keep it, write the new one under a free name
)

// askExisting asks what to do with the signature at job.out: add to it,
// save under a new name, or cancel; then runs the job so changed.
func (g *App) askExisting(job signJob, run func(signJob)) {
	var d dialog.Dialog
	ask := &existingChoice{out: job.out}
	ask.choose = func(a existingAnswer) {
		if g.sign.ask != ask {
			return
		}
		g.sign.ask = nil
		d.Hide()
		switch a {
		case answerCoSign:
			job.cosign = true
			run(job)
		case answerNewName:
			job.out = core.FreePath(job.out)
			run(job)
		}
	}
	text := wrapped(T("sign.existsText", map[string]any{"File": filepath.Base(job.out)}))
	cosign := widget.NewButton(T("sign.existsCoSign"), func() { ask.choose(answerCoSign) })
	cosign.Importance = widget.HighImportance
	newName := widget.NewButton(T("sign.existsNewName"), func() { ask.choose(answerNewName) })
	cancel := widget.NewButton(T("action.cancel"), func() { ask.choose(answerCancel) })
	d = dialog.NewCustomWithoutButtons(T("sign.existsTitle"), container.NewVBox(text, container.NewHBox(cosign, newName, cancel)), g.win)
	g.sign.ask = ask
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
}

// runSignJob signs on a worker and shows the result.
func (g *App) runSignJob(job signJob) {
	s := &g.sign
	k := job.key
	s.busy, s.result, s.errText, s.warning, s.recorded, s.progress = true, "", "", "", "", 0
	s.stage = T("sign.stageHash")
	g.show("sign")
	g.revealSignEnd()
	ui := &dialogUI{g: g, Test: k.Test}
	go func() {
		out, warning, recorded, by, err := g.runSign(context.Background(), job, ui)
		runOnUI(func() {
			s.recorded, s.signedBy = recorded, by
			s.busy, s.progress = false, 0
			if err != nil {
				if !errors.Is(err, signer.ErrCancelled) {
					s.errText = signErrorText(err)
				}
			} else {
				s.result, s.warning = out, warning
			}
			if g.current == "sign" {
				g.show("sign")
				g.revealSignEnd()
			}
		})
	}()
}

// setStage updates the stage line and bar; worker side.
func (g *App) setStage(text string, fraction float64) {
	runOnUI(func() {
		g.sign.stage, g.sign.progress = text, fraction
		if g.sign.stageLabel != nil {
			g.sign.stageLabel.SetText(text)
			g.sign.bar.SetValue(fraction)
		}
	})
}

// runSign is the worker: the core signs (hashing to show what is signed,
// the consent and the secret in ui, the policy, the timestamp), then the
// signature is written and recorded.
func (g *App) runSign(ctx context.Context, job signJob, ui *dialogUI) (out, warning, recorded, by string, err error) {
	out, warning, err = g.signFile(ctx, job, ui, func(sig []byte, cert *x509.Certificate) {
		by = signerText(cert)
		if job.st == nil {
			recorded = T("sign.notRecordedNoStore")
			return
		}
		recordedFile := job.file
		if job.format == "pdf" {
			recordedFile = job.out // the signature is inside the signed PDF
		}
		id, err := g.core.RecordFileSigning(ctx, recordedFile, signer.Format(job.format), sig, cert)
		switch {
		case err != nil:
			recorded = T("sign.notRecorded", map[string]any{"Error": err.Error()})
		case id.IsZero():
			recorded = T("sign.journaled")
		default:
			recorded = T("sign.recorded")
		}
	})
	return out, warning, recorded, by, err
}

// signerText names who signed: full name, IIN, organisation.
func signerText(cert *x509.Certificate) string {
	if cert == nil {
		return ""
	}
	id := pkiIdentity(cert)
	parts := []string{id.CommonName}
	if id.IIN != "" {
		parts = append(parts, T("field.iin")+" "+id.IIN)
	}
	if id.Organization != "" {
		parts = append(parts, id.Organization)
	}
	return strings.Join(parts, ", ")
}

// signFile signs job.file through the core and writes the signature;
// written is called with the signature and the certificate once it is saved.
func (g *App) signFile(ctx context.Context, job signJob, ui *dialogUI, written func([]byte, *x509.Certificate)) (out, warning string, err error) {
	stages := map[core.Stage]string{core.StageHash: T("sign.stageHash"), core.StageKey: T("sign.stageKey"), core.StageSign: T("sign.stageSign")}
	last := core.Stage(-1)
	item := core.Item{Path: job.file}
	var stamp *core.PDFStamp
	switch {
	case job.format == "pdf" && job.cosign:
		// Added to the signed PDF: it is what is signed, in place.
		item = core.Item{Path: job.out, Output: job.out}
	case job.format == "pdf":
		item.Output = job.out
	}
	if job.format == "pdf" && job.stamp {
		stamp = g.pdfStamp()
	}
	if job.cosign && job.format != "pdf" {
		// The earlier signature is what is signed into; the core checks
		// before the secret that it is a signature of this file.
		item = core.Item{Path: job.out, Name: filepath.Base(job.file), Original: job.file}
	}
	res, err := g.core.Sign(ctx, core.SignRequest{
		Origin: signer.LocalUser, KeyURI: job.key.URI, Format: signer.Format(job.format),
		Items: []core.Item{item}, Detached: job.detached, CoSign: job.cosign && job.format == "cms", TSA: job.tsa, PDFStamp: stamp,
		Progress: func(stage core.Stage, f float64) {
			if stage != last {
				last = stage
				g.setStage(stages[stage], f)
				return
			}
			runOnUI(func() {
				g.sign.progress = f
				if g.sign.bar != nil {
					g.sign.bar.SetValue(f)
				}
			})
		},
	}, ui)
	if res != nil && res.Key.Certificate != nil {
		runOnUI(func() { g.learnCertificate(job.key.URI, res.Key.Certificate) })
	}
	if err != nil {
		return "", "", err
	}
	signed := res.Outputs[0]
	if signed.Warning != "" {
		warning = T("sign.noTimestamp")
	}
	if job.format != "pdf" { // a PDF is written by the core, signed inside
		if err := atomicfile.Write(job.out, signed.Bytes, 0o644); err != nil {
			return "", "", err
		}
	}
	written(signed.Bytes, res.Key.Certificate)
	return job.out, warning, nil
}

// signErrorText is a plain message for a failed signing.
func signErrorText(err error) string {
	switch {
	case errors.Is(err, core.ErrCertificateExpired), errors.Is(err, core.ErrCertificateNotYetValid):
		return T("error.keyNotValid")
	case errors.Is(err, core.ErrCertificateRevoked):
		var pe *core.PolicyError
		errors.As(err, &pe)
		return T("error.keyRevoked", map[string]any{"Date": pe.Date.Format(time.DateOnly)})
	case errors.Is(err, core.ErrKeyUsage):
		return T("error.keyUsage")
	case errors.Is(err, core.ErrChanged):
		return T("error.changed")
	case errors.Is(err, xmldsig.ErrNotXML):
		return T("error.notXML")
	case errors.Is(err, signer.ErrWrongPassword), errors.Is(err, signer.ErrPINLocked), errors.Is(err, signer.ErrNoKey):
		return keyErrorText(err)
	}
	if text := diskErrorText(err); text != "" {
		return text
	}
	return T("error.signFailed", map[string]any{"Error": err.Error()})
}

// diskErrorText says what to do when the disk refused a write, or "".
func diskErrorText(err error) string {
	switch {
	case diskerr.Full(err):
		return T("error.diskFull")
	case diskerr.ReadOnly(err):
		return T("error.diskReadOnly")
	}
	return ""
}

func pkiIdentity(c *x509.Certificate) pki.Identity { return pki.IdentityOf(c, now()) }

func urlOf(u fyne.URI) (*url.URL, error) { return url.Parse(u.String()) }
