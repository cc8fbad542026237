package ui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/papercopy"
	"github.com/qoltanba/qoltanba/sync/store"
)

// docSignChoice is what the sign dialog of the Documents screen asks: the
// key, and for CMS whether detached and timestamped.
type docSignChoice struct {
	keyURI    string
	detached  bool
	timestamp bool
	// inside: a PDF signed inside (the default for PDFs); stamp: visibly.
	inside, stamp bool
}

// docSignDialog asks which key signs the document (and how, for CMS), then
// runs the signing; the password dialog that follows shows what is signed
// and with which key before it asks.
func (g *App) docSignDialog(id store.ID) {
	det := g.docs.detail
	if det == nil || det.doc.ID != id {
		return
	}
	if len(g.keys) == 0 {
		g.setDocsNotice(levelWarn, T("sign.noKeys"))
		return
	}
	choice := docSignChoice{keyURI: g.sign.keyURI, detached: g.sign.detached, timestamp: g.sign.timestamp}
	if g.keyByURI(choice.keyURI) == nil {
		choice.keyURI = g.keys[0].URI
	}
	options := make([]string, len(g.keys))
	for i, k := range g.keys {
		options[i] = g.keyOption(k)
	}
	sel := widget.NewSelect(options, nil)
	for i, k := range g.keys {
		if k.URI == choice.keyURI {
			sel.SetSelectedIndex(i)
		}
	}
	sel.OnChanged = func(string) {
		if i := sel.SelectedIndex(); i >= 0 {
			choice.keyURI = g.keys[i].URI
		}
	}
	box := container.NewVBox(bold(det.doc.Title), widget.NewLabel(T("sign.key")), sel)
	isPDF := docsign.IsPDFMediaType(det.doc.MediaType)
	choice.inside = isPDF
	if docsign.IsXMLMediaType(det.doc.MediaType) {
		box.Add(wrapped(T("sign.xmlNote")))
	} else {
		kinds := []string{T("sign.attached"), T("sign.detached")}
		if isPDF {
			kinds = append([]string{T("sign.formatPDF")}, kinds...)
		}
		place := g.stampPlace()
		stamp := widget.NewCheck(T("sign.stamp"), func(on bool) {
			choice.stamp = on
			enable(place, on && choice.inside)
		})
		kind := widget.NewRadioGroup(kinds, func(v string) {
			choice.inside = isPDF && v == kinds[0]
			choice.detached = v == kinds[len(kinds)-1]
			if choice.inside {
				stamp.Enable()
			} else {
				stamp.Disable()
			}
			enable(place, choice.stamp && choice.inside)
		})
		enable(place, false)
		switch {
		case isPDF:
			kind.SetSelected(kinds[0])
		case choice.detached:
			kind.SetSelected(kinds[1])
		default:
			kind.SetSelected(kinds[0])
		}
		box.Add(kind)
		if isPDF {
			box.Add(stamp)
			box.Add(place)
		}
		ts := widget.NewCheck(T("sign.timestamp", map[string]any{"URL": g.settings.TSA}), func(on bool) { choice.timestamp = on })
		ts.SetChecked(choice.timestamp)
		if g.settings.Offline || g.settings.TSA == "" {
			ts.SetChecked(false)
			ts.Disable()
			ts.SetText(T("sign.timestampOffline"))
		}
		box.Add(ts)
	}
	d := dialog.NewCustomConfirm(T("documents.signTitle"), T("sign.button"), T("action.cancel"), box, func(ok bool) {
		if ok {
			g.startDocSign(id, choice)
		}
	}, g.win)
	d.Resize(fyne.NewSize(560, 0))
	g.docs.signDialog = d
	d.Show()
}

// startDocSign signs the document's current version on a worker with
// sync/docsign, as `qoltanba docs sign` does: plan, key, verify, store.
func (g *App) startDocSign(id store.ID, c docSignChoice) {
	st := g.store
	k := g.keyByURI(c.keyURI)
	if st == nil || k == nil || g.docs.busy {
		return
	}
	// The format is settled here, as the dialog showed it: docsign's own
	// default would take a .docx or .xlsx (…openxmlformats…) for XML.
	opts := docsign.Options{Format: docsign.FormatCMS, Detached: c.detached}
	if c.timestamp && !g.settings.Offline {
		opts.TSA = g.settings.TSA
	}
	if det := g.docs.detail; det != nil && docsign.IsXMLMediaType(det.doc.MediaType) {
		opts = docsign.Options{Format: docsign.FormatXML}
	}
	var stamp *core.PDFStamp
	if c.inside {
		opts = docsign.Options{Format: docsign.FormatPDF, TSA: opts.TSA}
		if c.stamp {
			stamp = g.pdfStamp()
		}
	}
	keyURI := k.URI
	ui := &dialogUI{g: g, Test: k.Test}
	g.docs.busy = true
	g.setDocsNotice(levelNone, "")
	g.fillDetail()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		res, err := g.core.SignDocument(ctx, core.DocumentSignRequest{Origin: signer.LocalUser, KeyURI: keyURI, ID: id, Options: opts, PDFStamp: stamp}, ui)
		if res != nil {
			runOnUI(func() { g.learnCertificate(keyURI, res.Certificate) })
		}
		runOnUI(func() {
			g.docs.busy = false
			switch {
			case errors.Is(err, signer.ErrCancelled):
				g.setDocsNotice(levelNone, "")
			case err != nil:
				g.setDocsNotice(levelBad, docSignErrorText(err))
			default:
				lvl := indicationLevel(res.Report.Worst())
				g.setDocsNotice(lvl, T("documents.signed", map[string]any{"Index": res.Signature.Index, "Version": res.Signature.Version})+
					" "+T("verdict."+string(res.Report.Worst())))
			}
			g.loadDocs()
			g.loadDetail(id)
		})
	}()
}

func docSignErrorText(err error) string {
	var invalid *docsign.InvalidError
	switch {
	case errors.As(err, &invalid):
		text := T("documents.signInvalid")
		for _, s := range invalid.Report.Signatures {
			if s.SubIndication != "" {
				text += " " + T("sub."+string(s.SubIndication))
				break
			}
		}
		return text
	case errors.Is(err, store.ErrIllegalTransition):
		return T("documents.notSignable")
	}
	return signErrorText(err)
}

// chooseExport asks where to write the document's evidence package.
func (g *App) chooseExport(d store.Document) {
	g.askSavePath(strings.TrimSuffix(d.Name, filepath.Ext(d.Name))+".evidence.zip", func(path string) { g.exportDocument(d.ID, path) })
}

// exportDocument writes the evidence package on a worker and journals the
// export, as `qoltanba docs export` does.
func (g *App) exportDocument(id store.ID, path string) {
	st := g.store
	if st == nil || g.docs.busy {
		return
	}
	g.docs.busy = true
	g.fillDetail()
	g.writeEvidence(id, path, func(n int, err error) {
		g.docs.busy = false
		if err != nil {
			g.setDocsNotice(levelBad, T("documents.exportFailed", map[string]any{"Error": err.Error()}))
		} else {
			g.setDocsNotice(levelOK, T("documents.exported", map[string]any{"Path": path, "Count": n}))
		}
		g.loadDetail(id)
	})
}

// writeEvidence writes a document's evidence package on a worker (the
// core journals the export) and calls done on the window's goroutine with
// the number of signatures in it.
func (g *App) writeEvidence(id store.ID, path string, done func(signatures int, err error)) {
	g.syncCoreSettings()
	lang := Language()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		n := 0
		x, err := g.core.ExportEvidence(ctx, id, path, core.VerifyOptions{}, lang)
		if err == nil {
			n = len(x.Package.Reports)
		}
		runOnUI(func() { done(n, err) })
	}()
}

// choosePaperCopy asks where to write the document's paper copy (a PDF in
// the window's language) and makes it on a worker.
func (g *App) choosePaperCopy(d store.Document) {
	g.askSavePath(strings.TrimSuffix(d.Name, filepath.Ext(d.Name))+".copy.pdf", func(path string) { g.paperCopy(d.ID, path) })
}

// paperCopy writes the paper copy on a worker and says where it went.
func (g *App) paperCopy(id store.ID, path string) {
	if g.store == nil || g.docs.busy {
		return
	}
	g.syncCoreSettings()
	g.docs.busy = true
	g.fillDetail()
	lang := Language()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		pc, err := g.core.PaperCopy(ctx, id, path, lang, core.VerifyOptions{})
		runOnUI(func() {
			g.docs.busy = false
			switch {
			case errors.Is(err, papercopy.ErrContent):
				g.setDocsNotice(levelBad, T("documents.paperCopyContent"))
			case err != nil:
				g.setDocsNotice(levelBad, T("documents.paperCopyFailed", map[string]any{"Error": err.Error()}))
			default:
				g.setDocsNotice(levelOK, T("documents.paperCopied", map[string]any{"Path": pc.Path, "Count": pc.Signatures}))
			}
			g.loadDetail(id)
		})
	}()
}
