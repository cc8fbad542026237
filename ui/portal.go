package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/api"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/exchange"
	"github.com/qoltanba/qoltanba/sync/store"
)

// The window's face of the portal exchange (sync/exchange): accounts in
// Settings, a sync in the background with its status always in the
// sidebar, a notification when documents arrive, and on each linked
// document its portal status, receipts and the steps (sign and send,
// reject, propose or answer a revocation).

// portalInterval is how often the window syncs while a session is valid.
const portalInterval = time.Minute

// portalState is the window's portal sync.
type portalState struct {
	engine *exchange.Engine
	cancel context.CancelFunc
	kick   chan struct{}
	done   chan struct{} // closed when the background sync has stopped
	// status is the sidebar's line; text what it says.
	status *widget.Label
	text   string
	// settingsBox is the Settings card's content, refilled after changes.
	settingsBox *fyne.Container
	// dialog is the portal dialog on screen (tests confirm it).
	dialog *dialog.ConfirmDialog
}

// startPortalSync runs the background sync once the store is open.
func (g *App) startPortalSync() {
	if g.portal.engine != nil || g.store == nil {
		return
	}
	g.portal.engine = &exchange.Engine{Core: g.core}
	g.portal.kick = make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	g.portal.cancel = cancel
	engine, st, kick := g.portal.engine, g.store, g.portal.kick
	g.portal.done = make(chan struct{})
	done := g.portal.done
	go func() {
		defer close(done)
		tick := time.NewTicker(portalInterval)
		defer tick.Stop()
		for {
			g.syncPortals(ctx, engine, st)
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			case <-kick:
			}
		}
	}()
}

// stopPortalSync ends the background sync and waits for it (a little), so
// that the store closes after its last write.
func (g *App) stopPortalSync() {
	if g.portal.cancel == nil {
		return
	}
	g.portal.cancel()
	select {
	case <-g.portal.done:
	case <-time.After(10 * time.Second):
	}
}

// kickPortal asks for a sync now.
func (g *App) kickPortal() {
	select {
	case g.portal.kick <- struct{}{}:
	default:
	}
}

// syncPortals syncs every account with a valid session (worker side) and
// shows the outcome.
func (g *App) syncPortals(ctx context.Context, e *exchange.Engine, st store.Store) {
	accounts, err := st.Accounts(ctx)
	if err != nil || len(accounts) == 0 {
		runOnUI(func() { g.setPortalStatus("") })
		return
	}
	var received, waiting, conflicts int
	var problem string
	var last time.Time
	for _, a := range accounts {
		if a.Session == "" || !time.Now().Before(a.SessionExpires) {
			problem = T("portal.status.login")
			continue
		}
		sctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		sum, err := e.Sync(sctx, a.Name)
		cancel()
		received += len(sum.Received)
		waiting += sum.Pending
		conflicts += sum.Conflicts
		switch {
		case errors.Is(err, exchange.ErrOffline):
			problem = T("portal.status.offline")
		case errors.Is(err, exchange.ErrLogin):
			problem = T("portal.status.login")
		case err != nil:
			problem = T("portal.status.failed")
		default:
			last = time.Now()
		}
	}
	runOnUI(func() {
		parts := []string{}
		if problem != "" {
			parts = append(parts, problem)
		} else if !last.IsZero() {
			parts = append(parts, T("portal.status.synced", map[string]any{"Time": last.Format("15:04")}))
		}
		if waiting > 0 {
			parts = append(parts, T("portal.status.waiting", map[string]any{"Count": waiting}))
		}
		if conflicts > 0 {
			parts = append(parts, T("portal.status.conflicts", map[string]any{"Count": conflicts}))
		}
		g.setPortalStatus(strings.Join(parts, " · "))
		if received > 0 {
			g.fyne.SendNotification(fyne.NewNotification("Qoltanba", T("portal.notify.received", map[string]any{"Count": received})))
			if g.docs.list != nil {
				g.loadDocs()
			}
		}
		g.fillPortalSettings()
	})
}

// setPortalStatus updates the sidebar's line ("" hides it).
func (g *App) setPortalStatus(text string) {
	g.portal.text = text
	if l := g.portal.status; l != nil {
		l.SetText(portalStatusLine(text))
		if text == "" {
			l.Hide()
		} else {
			l.Show()
		}
	}
}

func portalStatusLine(text string) string {
	if text == "" {
		return ""
	}
	return T("portal.status.prefix") + " " + text
}

// portalStatusLabel is the sidebar's status line.
func (g *App) portalStatusLabel() fyne.CanvasObject {
	l := widget.NewLabel(portalStatusLine(g.portal.text))
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.LowImportance
	if g.portal.text == "" {
		l.Hide()
	}
	g.portal.status = l
	return l
}

// keySelect is a key list for a dialog; chosen follows the selection. With
// preferAuth the first authentication key is chosen (a login).
func (g *App) keySelect(chosen *string, preferAuth bool) *widget.Select {
	options := make([]string, len(g.keys))
	for i, k := range g.keys {
		options[i] = g.keyOption(k)
	}
	sel := widget.NewSelect(options, func(string) {})
	sel.OnChanged = func(string) {
		if i := sel.SelectedIndex(); i >= 0 && i < len(g.keys) {
			*chosen = g.keys[i].URI
		}
	}
	pick := -1
	for i, k := range g.keys {
		if k.URI == *chosen {
			pick = i
		}
	}
	if preferAuth {
		for i, k := range g.keys {
			if k.Certificate != nil && pkiIdentity(k.Certificate).Purpose == pki.PurposeAuth {
				pick = i
				break
			}
		}
	}
	if pick < 0 && len(g.keys) > 0 {
		pick = 0
	}
	if pick >= 0 {
		sel.SetSelectedIndex(pick)
		*chosen = g.keys[pick].URI
	}
	return sel
}

// portalSettings is the Settings card: the portals, who is logged in,
// add a portal, log in, sync now.
func (g *App) portalSettings() fyne.CanvasObject {
	g.portal.settingsBox = container.NewVBox()
	g.fillPortalSettings()
	return g.portal.settingsBox
}

func (g *App) fillPortalSettings() {
	box := g.portal.settingsBox
	if box == nil {
		return
	}
	box.Objects = nil
	st := g.store
	if st == nil {
		box.Add(wrapped(T("portal.noStore")))
		box.Refresh()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	accounts, err := st.Accounts(ctx)
	cancel()
	if err != nil {
		box.Add(banner(levelBad, T("portal.failed"), err.Error()))
	}
	if len(accounts) == 0 {
		box.Add(wrapped(T("portal.none")))
	}
	for _, a := range accounts {
		name := a.PortalName + " — " + a.API
		if a.Test {
			name = "[" + T("badge.test") + "] " + name
		}
		who := T("portal.loggedOut")
		if a.Session != "" && time.Now().Before(a.SessionExpires) {
			who = T("portal.loggedIn", map[string]any{"Name": a.UserName, "IIN": a.IIN, "Until": shortTime(a.SessionExpires)})
		}
		last := T("portal.never")
		if !a.LastSync.IsZero() {
			last = shortTime(a.LastSync)
		}
		rows := fields([2]string{T("portal.account"), name}, [2]string{T("portal.user"), who}, [2]string{T("portal.lastSync"), last})
		account := a.Name
		login := widget.NewButtonWithIcon(T("portal.login"), theme.LoginIcon(), func() { g.portalLoginDialog(account) })
		syncNow := widget.NewButtonWithIcon(T("portal.syncNow"), theme.ViewRefreshIcon(), g.kickPortal)
		box.Add(rows)
		if a.LastError != "" {
			box.Add(banner(levelWarn, T("portal.lastError"), a.LastError))
		}
		box.Add(container.NewHBox(login, syncNow))
		box.Add(widget.NewSeparator())
	}
	add := widget.NewButtonWithIcon(T("portal.add"), theme.ContentAddIcon(), g.portalAddDialog)
	box.Add(container.NewHBox(add))
	box.Refresh()
}

// portalAddDialog asks for a portal's address and adds it.
func (g *App) portalAddDialog() {
	addr := widget.NewEntry()
	addr.SetPlaceHolder("https://portal.example")
	msg := wrapped(T("portal.addHint"))
	d := dialog.NewCustomConfirm(T("portal.add"), T("portal.addButton"), T("action.cancel"), container.NewVBox(msg, addr), func(ok bool) {
		if !ok || g.portal.engine == nil {
			return
		}
		e, text := g.portal.engine, addr.Text
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			a, err := e.Add(ctx, "", text)
			runOnUI(func() {
				if err != nil {
					dialog.ShowError(fmt.Errorf("%s: %w", T("portal.addFailed"), err), g.win)
					return
				}
				g.fillPortalSettings()
				g.portalLoginDialog(a.Name)
			})
		}()
	}, g.win)
	d.Resize(fyne.NewSize(520, 0))
	g.portal.dialog = d
	d.Show()
}

// portalLoginDialog chooses the AUTH key and logs in; the password dialog
// that follows shows the portal and the challenge it signs.
func (g *App) portalLoginDialog(account string) {
	if len(g.keys) == 0 {
		dialog.ShowInformation(T("portal.login"), T("sign.noKeys"), g.win)
		return
	}
	var keyURI string
	sel := g.keySelect(&keyURI, true)
	box := container.NewVBox(wrapped(T("portal.loginHint")), widget.NewLabel(T("sign.key")), sel)
	d := dialog.NewCustomConfirm(T("portal.login"), T("portal.login"), T("action.cancel"), box, func(ok bool) {
		if !ok || g.portal.engine == nil {
			return
		}
		e, k := g.portal.engine, g.keyByURI(keyURI)
		if k == nil {
			return
		}
		ui := &dialogUI{g: g, Test: k.Test}
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			_, err := e.Login(ctx, account, keyURI, ui)
			runOnUI(func() {
				switch {
				case errors.Is(err, signer.ErrCancelled):
				case err != nil:
					dialog.ShowError(fmt.Errorf("%s: %w", T("portal.loginFailed"), err), g.win)
				default:
					g.kickPortal()
				}
				g.fillPortalSettings()
			})
		}()
	}, g.win)
	d.Resize(fyne.NewSize(560, 0))
	g.portal.dialog = d
	d.Show()
}

// readPortal adds a document's portal link and receipts to its detail.
func readPortal(ctx context.Context, st store.Store, det *docDetail) {
	if l, err := st.Link(ctx, det.doc.ID); err == nil {
		det.link = &l
		det.receipts, _ = st.Receipts(ctx, det.doc.ID)
	}
}

// portalCard shows a linked document's portal side: direction, the
// portal's status, the sync state, a conflict, the revocation, every
// receipt with the portal's verdict, and the steps the state allows.
func (g *App) portalCard(det *docDetail) fyne.CanvasObject {
	l := det.link
	box := container.NewVBox()
	syncText := T("portal.sync.none")
	if l.Sync != "" {
		syncText = T("portal.sync." + l.Sync)
	}
	box.Add(fields(
		[2]string{T("portal.account"), l.Account},
		[2]string{T("portal.direction"), T("portal.dir." + l.Direction)},
		[2]string{T("portal.status"), T("portal.st." + l.Status)},
		[2]string{T("portal.syncState"), syncText},
	))
	if l.Conflict != "" {
		box.Add(banner(levelWarn, T("portal.conflict"), l.Conflict))
	}
	if r := l.Revocation; r != nil {
		box.Add(banner(levelWarn, T("portal.revocation."+r.State, map[string]any{"By": T("portal.by." + r.ProposedBy)}), r.Reason))
	}
	for _, r := range det.receipts {
		var v api.Verdict
		_ = json.Unmarshal(r.Verdict, &v)
		text := T("portal.receiptLine", map[string]any{"Step": T("portal.entry." + r.Entry), "Time": shortTime(r.ReceivedAt),
			"Verdict": T("verdict." + v.Indication), "AtSigning": T("status." + v.StatusAtSigning), "AtReceipt": T("status." + v.StatusAtReceipt)})
		box.Add(banner(indicationLevel(pki.Indication(v.Indication)), T("portal.receipt"), text))
	}
	busy := g.docs.busy
	waiting := l.Sync == store.SyncWaiting
	var buttons []fyne.CanvasObject
	id := det.doc.ID
	if l.Direction == string(api.Incoming) && l.Status == string(api.DocumentStatusAwaitingSignature) {
		send := widget.NewButtonWithIcon(T("portal.signSend"), theme.MailSendIcon(), func() { g.portalStep(id, stepSign) })
		send.Importance = widget.HighImportance
		reject := widget.NewButtonWithIcon(T("portal.reject"), theme.CancelIcon(), func() { g.portalStep(id, stepReject) })
		buttons = append(buttons, send, reject)
	}
	if l.Status == string(api.DocumentStatusSigned) || l.Status == string(api.DocumentStatusSubmitted) {
		buttons = append(buttons, widget.NewButtonWithIcon(T("portal.revoke"), theme.ContentUndoIcon(), func() { g.portalStep(id, stepRevoke) }))
	}
	if r := l.Revocation; r != nil && r.State == string(api.RevocationStateRequested) && r.ProposedBy == string(api.RevocationProposedByPortal) {
		buttons = append(buttons,
			widget.NewButtonWithIcon(T("portal.acceptRevocation"), theme.ConfirmIcon(), func() { g.portalStep(id, stepAccept) }),
			widget.NewButtonWithIcon(T("portal.refuseRevocation"), theme.CancelIcon(), func() { g.portalStep(id, stepRefuse) }))
	}
	for _, b := range buttons {
		if busy || waiting {
			b.(*widget.Button).Disable()
		}
	}
	if len(buttons) > 0 {
		box.Add(actionRow(buttons...))
	}
	return card(T("portal.title"), box)
}

// sendable: the document is in the store but on no portal yet.
func (g *App) sendButton(det *docDetail) fyne.CanvasObject {
	if det.link != nil || g.store == nil || g.portal.engine == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if as, err := g.store.Accounts(ctx); err != nil || len(as) != 1 {
		return nil
	}
	id := det.doc.ID
	b := widget.NewButtonWithIcon(T("portal.send"), theme.MailSendIcon(), func() { g.portalStep(id, stepSubmit) })
	if g.docs.busy || !signableState(det.doc.State) {
		b.Disable()
	}
	return b
}

type portalStepKind int

const (
	stepSign portalStepKind = iota
	stepReject
	stepRevoke
	stepAccept
	stepRefuse
	stepSubmit
)

// portalStep asks for the key (and a reason where the step needs one) and
// runs the step on a worker; the password dialog that follows shows what
// is signed, for which portal.
func (g *App) portalStep(id store.ID, kind portalStepKind) {
	if len(g.keys) == 0 {
		g.setDocsNotice(levelWarn, T("sign.noKeys"))
		return
	}
	var keyURI string
	sel := g.keySelect(&keyURI, false)
	for i, k := range g.keys { // the key just used, when it is still there
		if k.URI == g.sign.keyURI {
			sel.SetSelectedIndex(i)
			keyURI = k.URI
		}
	}
	reason := widget.NewMultiLineEntry()
	reason.SetPlaceHolder(T("portal.reasonHint"))
	titles := map[portalStepKind]string{stepSign: "portal.signSend", stepReject: "portal.reject", stepRevoke: "portal.revoke",
		stepAccept: "portal.acceptRevocation", stepRefuse: "portal.refuseRevocation", stepSubmit: "portal.send"}
	box := container.NewVBox(widget.NewLabel(T("sign.key")), sel)
	needsReason := kind == stepReject || kind == stepRevoke || kind == stepRefuse
	if needsReason {
		box.Add(widget.NewLabel(T("portal.reason")))
		box.Add(reason)
	}
	d := dialog.NewCustomConfirm(T(titles[kind]), T(titles[kind]), T("action.cancel"), box, func(ok bool) {
		if !ok {
			return
		}
		if needsReason && reason.Text == "" && kind != stepRefuse {
			g.setDocsNotice(levelWarn, T("portal.reasonNeeded"))
			return
		}
		g.runPortalStep(id, kind, keyURI, reason.Text)
	}, g.win)
	d.Resize(fyne.NewSize(560, 0))
	g.portal.dialog = d
	d.Show()
}

func (g *App) runPortalStep(id store.ID, kind portalStepKind, keyURI, reason string) {
	e, k := g.portal.engine, g.keyByURI(keyURI)
	if e == nil || k == nil || g.docs.busy {
		return
	}
	ui := &dialogUI{g: g, Test: k.Test}
	g.docs.busy = true
	g.setDocsNotice(levelNone, "")
	g.fillDetail()
	opts := docsign.Options{}
	if g.sign.timestamp && !g.settings.Offline {
		opts.TSA = g.settings.TSA
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		var q *exchange.Queued
		var err error
		switch kind {
		case stepSign:
			q, err = e.SignAndSend(ctx, id, keyURI, ui, opts)
		case stepSubmit:
			q, err = e.Submit(ctx, "", id, keyURI, ui, opts)
		case stepReject:
			q, err = e.Reject(ctx, id, reason, keyURI, ui)
		case stepRevoke:
			q, err = e.ProposeRevocation(ctx, id, reason, keyURI, ui)
		case stepAccept, stepRefuse:
			q, err = e.AnswerRevocation(ctx, id, kind == stepAccept, reason, keyURI, ui)
		}
		runOnUI(func() {
			g.docs.busy = false
			switch {
			case errors.Is(err, signer.ErrCancelled):
				g.setDocsNotice(levelNone, "")
			case err != nil:
				g.setDocsNotice(levelBad, docSignErrorText(err))
			case q.Sent:
				g.setDocsNotice(levelOK, T("portal.sent"))
			default:
				g.setDocsNotice(levelWarn, T("portal.queued", map[string]any{"Why": fmt.Sprint(q.Err)}))
			}
			g.loadDocs()
			g.loadDetail(id)
			g.kickPortal()
		})
	}()
}

// portalFilters are the Documents screen's portal filter values.
var portalFilters = []string{"incoming", "outgoing", store.SyncWaiting, store.SyncReceipt, store.SyncConflict}

func portalFilterText(v string) string {
	if v == "incoming" || v == "outgoing" {
		return T("portal.dir." + v)
	}
	return T("portal.sync." + v)
}

// listByPortal lists the documents linked to a portal that match the
// filter (and the screen's other filters), newest first, at most 1,000.
func listByPortal(ctx context.Context, st store.Store, q store.Query, filter string) (store.Page, error) {
	links, err := st.Links(ctx, "")
	if err != nil {
		return store.Page{}, err
	}
	var out []store.Document
	for i := len(links) - 1; i >= 0 && len(out) < 1000; i-- { // ids are time-ordered
		l := links[i]
		if l.Direction != filter && l.Sync != filter {
			continue
		}
		d, err := st.Document(ctx, l.Document)
		if err != nil {
			continue
		}
		if (q.State != "" && d.State != q.State) || (q.Kind != "" && d.Kind != q.Kind) ||
			(q.Text != "" && !containsFold(d.Title+" "+d.Counterparty+" "+d.Name, q.Text)) {
			continue
		}
		out = append(out, d)
	}
	return store.Page{Documents: out}, nil
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
