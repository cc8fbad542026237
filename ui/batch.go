package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/store"
)

// The accountant's batch: the documents listed, each with its name and
// digest, ticked when they wait for a signature; one key, one consent, one
// password; a progress bar with Cancel; a summary of what was signed,
// skipped or not signed, and why.

// batchState is the batch dialog's state (tests drive it).
type batchState struct {
	dialog   *dialog.ConfirmDialog
	progress *dialog.CustomDialog
	bar      *widget.ProgressBar
	cancel   context.CancelFunc
	result   *core.BatchResult
	err      error
	running  bool
}

// batchDialog lists the documents shown with a tick each (documents that
// wait for a signature ticked) and the key.
func (g *App) batchDialog() {
	s := &g.docs
	if len(g.keys) == 0 {
		g.setDocsNotice(levelWarn, T("sign.noKeys"))
		return
	}
	docs := s.page.Documents
	chosen := map[store.ID]bool{}
	rows := container.NewVBox()
	for _, d := range docs {
		if !signableState(d.State) {
			continue
		}
		id := d.ID
		chosen[id] = d.State == store.StateDraft || d.State == store.StateReady
		check := widget.NewCheck(fmt.Sprintf("%s — SHA-256 %s…", d.Title, d.SHA256.String()[:16]), func(on bool) { chosen[id] = on })
		check.SetChecked(chosen[id])
		rows.Add(check)
	}
	if len(rows.Objects) == 0 {
		g.setDocsNotice(levelNone, T("batch.none"))
		return
	}
	var keyURI string
	sel := g.keySelect(&keyURI, false)
	for i, k := range g.keys {
		if k.URI == g.sign.keyURI {
			sel.SetSelectedIndex(i)
		}
	}
	list := container.NewVScroll(rows)
	list.SetMinSize(fyne.NewSize(520, 260))
	box := container.NewBorder(wrapped(T("batch.hint")), container.NewVBox(widget.NewLabel(T("sign.key")), sel), nil, nil, list)
	d := dialog.NewCustomConfirm(T("batch.title"), T("batch.sign"), T("action.cancel"), box, func(ok bool) {
		if !ok {
			return
		}
		var ids []store.ID
		for _, d := range docs {
			if chosen[d.ID] {
				ids = append(ids, d.ID)
			}
		}
		if len(ids) > 0 {
			g.runBatch(ids, keyURI)
		}
	}, g.win)
	d.Resize(fyne.NewSize(600, 480))
	g.batch.dialog = d
	d.Show()
}

// runBatch signs on a worker, with the progress in a dialog whose Cancel
// stops the batch after the document being signed.
func (g *App) runBatch(ids []store.ID, keyURI string) {
	k := g.keyByURI(keyURI)
	if k == nil || g.batch.running {
		return
	}
	ui := &dialogUI{g: g, Test: k.Test}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	b := &g.batch
	b.running, b.cancel, b.result, b.err = true, cancel, nil, nil
	b.bar = widget.NewProgressBar()
	b.progress = dialog.NewCustom(T("batch.title"), T("action.cancel"), container.NewVBox(
		widget.NewLabel(T("batch.signing", map[string]any{"Count": len(ids)})), b.bar), g.win)
	b.progress.SetOnClosed(cancel)
	opts := docsign.Options{Detached: g.sign.detached}
	if g.sign.timestamp && !g.settings.Offline {
		opts.TSA = g.settings.TSA
	}
	shown := false
	go func() {
		defer cancel()
		res, err := g.core.SignDocuments(ctx, core.DocumentsSignRequest{Origin: signer.LocalUser, KeyURI: keyURI, IDs: ids, Options: opts,
			Progress: func(stage core.Stage, f float64) {
				if stage == core.StageSign {
					runOnUI(func() {
						if !shown && b.running { // after the password dialog, never behind it
							shown = true
							b.progress.Show()
						}
						b.bar.SetValue(f)
					})
				}
			}}, ui)
		runOnUI(func() {
			b.running, b.result, b.err = false, res, err
			b.progress.Hide()
			switch {
			case res == nil || errors.Is(err, signer.ErrCancelled) && res.Signed == 0:
				if err != nil && !errors.Is(err, signer.ErrCancelled) {
					g.setDocsNotice(levelBad, docSignErrorText(err))
				}
			default:
				lvl := levelOK
				if res.Skipped+res.Failed > 0 {
					lvl = levelWarn
				}
				g.setDocsNotice(lvl, T("batch.summary", map[string]any{"Signed": res.Signed, "Skipped": res.Skipped, "Failed": res.Failed}))
				g.batchSummary(res)
			}
			g.loadDocs()
			if !g.docs.selected.IsZero() {
				g.loadDetail(g.docs.selected)
			}
		})
	}()
}

// batchSummary says, document by document, what was not signed and why.
func (g *App) batchSummary(res *core.BatchResult) {
	if res.Skipped+res.Failed == 0 {
		return
	}
	rows := container.NewVBox()
	for _, bi := range res.Items {
		switch {
		case bi.Skipped != "":
			rows.Add(wrapped(T("batch.skipped", map[string]any{"Title": bi.Title, "Why": skipReason(bi)})))
		case bi.Err != nil:
			rows.Add(wrapped(T("batch.failed", map[string]any{"Title": bi.Title, "Why": docSignErrorText(bi.Err)})))
		}
	}
	scroll := container.NewVScroll(rows)
	scroll.SetMinSize(fyne.NewSize(520, 200))
	d := dialog.NewCustom(T("batch.summaryTitle"), T("action.close"), scroll, g.win)
	d.Show()
}

// skipReason says in the user's words why a document was left out of a
// batch; a reason the program has no words for is shown as it came.
func skipReason(bi core.BatchItem) string {
	switch {
	case errors.Is(bi.SkipErr, store.ErrTampered):
		return T("batch.why.damaged")
	case errors.Is(bi.SkipErr, core.ErrNotSignable):
		return T("batch.why.state")
	case errors.Is(bi.SkipErr, core.ErrNotInside):
		return T("batch.why.pdf")
	case errors.Is(bi.SkipErr, docsign.ErrFormat):
		return T("batch.why.format")
	}
	return bi.Skipped
}
