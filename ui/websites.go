package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/bridge"
	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/keyfile"
)

// bridgeState is the NCALayer bridge as the window runs it.
type bridgeState struct {
	bridge *bridge.Bridge
	certs  *bridge.Certificates
	stop   context.CancelFunc
	addr   string
	// problem says why the bridge does not answer (the port is held by
	// NCALayer, say), in the user's language; "" when it runs or is off.
	problem string
}

// startBridge answers websites while the window runs, unless the user
// turned it off or the window runs without one (tests). The certificate
// and the port are prepared off the UI goroutine.
func (g *App) startBridge() {
	addr := g.opts.Bridge
	if addr == "" || g.core.Settings().BridgeOff || g.web.stop != nil || g.core.Store == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	g.web.stop, g.web.addr, g.web.problem = cancel, addr, ""
	prompts := &webPrompts{g: g}
	go func() {
		certs, _, err := bridge.LoadOrCreate(g.core.Path("bridge"), time.Now())
		if err != nil {
			g.bridgeFailed(cancel, err.Error())
			return
		}
		ln, err := bridge.Listen(addr)
		var inUse *bridge.PortInUseError
		if errors.As(err, &inUse) {
			holder := inUse.Holder
			if holder == "" {
				holder = T("websites.anotherProgram")
			}
			g.bridgeFailed(cancel, T("websites.portInUse", map[string]any{"Addr": addr, "Holder": holder}))
			fmt.Fprintf(os.Stderr, "qoltanba: %v\nhint: %s\n", err, inUse.Hint())
			return
		}
		if err != nil {
			g.bridgeFailed(cancel, err.Error())
			return
		}
		b := bridge.New(g.core, prompts, slog.Default())
		runOnUI(func() {
			g.web.bridge, g.web.certs, g.web.addr = b, certs, ln.Addr().String()
			g.websitesChanged()
		})
		if err := b.Serve(ctx, ln, certs.Server); err != nil {
			g.bridgeFailed(cancel, err.Error())
		}
	}()
}

// bridgeFailed records why the bridge does not answer; any goroutine.
func (g *App) bridgeFailed(cancel context.CancelFunc, problem string) {
	cancel()
	runOnUI(func() {
		g.web.stop, g.web.bridge, g.web.problem = nil, nil, problem
		g.websitesChanged()
	})
}

// stopBridge stops answering websites; UI goroutine.
func (g *App) stopBridge() {
	if g.web.stop != nil {
		g.web.stop()
	}
	g.web.stop, g.web.bridge, g.web.problem = nil, nil, ""
	g.websitesChanged()
}

// websitesChanged refreshes what shows the bridge: the tray and, when it
// is on screen, Settings.
func (g *App) websitesChanged() {
	if g.trayDone {
		g.setupTray()
	}
	if g.current == "settings" {
		g.show("settings")
	}
}

// webPrompts is the window's bridge.Prompts: the bridge asks one request
// at a time, so one dialogUI per request carries the consent into the
// password dialog.
type webPrompts struct {
	g  *App
	mu sync.Mutex
	d  *dialogUI
}

var _ bridge.Prompts = (*webPrompts)(nil)

// ask shows a dialog made by show on the UI goroutine and waits for its
// answer, or for ctx (the page closed its socket: the dialog closes).
func ask[T any](ctx context.Context, show func(reply func(T)) dialog.Dialog) (T, error) {
	answer := make(chan T, 1)
	var d dialog.Dialog
	runOnUI(func() {
		var once sync.Once
		d = show(func(v T) { once.Do(func() { answer <- v }) })
	})
	select {
	case v := <-answer:
		return v, nil
	case <-ctx.Done():
		runOnUI(func() {
			if d != nil {
				d.Hide()
			}
		})
		var zero T
		return zero, ctx.Err()
	}
}

func (p *webPrompts) Allow(ctx context.Context, req bridge.AllowRequest) (bridge.Permission, error) {
	g := p.g
	return ask(ctx, func(reply func(bridge.Permission)) dialog.Dialog {
		g.win.Show()
		g.win.RequestFocus()
		text := wrapped(T("web.allowText", map[string]any{"Origin": req.Origin, "Action": T("web.action." + string(req.Action))}))
		note := wrapped(T("web.allowNote"))
		body := container.NewVBox(bold(req.Origin), text, note)
		var d *dialog.CustomDialog
		button := func(label string, p bridge.Permission, imp widget.Importance) *widget.Button {
			b := widget.NewButton(label, func() { reply(p); d.Hide() })
			b.Importance = imp
			return b
		}
		d = dialog.NewCustomWithoutButtons(T("web.allowTitle"), body, g.win)
		d.SetButtons([]fyne.CanvasObject{
			button(T("web.deny"), bridge.Deny, widget.MediumImportance),
			button(T("web.allowOnce"), bridge.AllowOnce, widget.MediumImportance),
			button(T("web.allowAlways"), bridge.AllowAlways, widget.HighImportance),
		})
		d.SetOnClosed(func() { reply(bridge.Deny) })
		d.Resize(fyne.NewSize(560, 0))
		d.Show()
		return d
	})
}

// keyChoice is the key dialog's answer.
type keyChoice struct {
	ref signer.KeyRef
	ok  bool
}

func (p *webPrompts) ChooseKey(ctx context.Context, req bridge.KeyRequest) (signer.KeyRef, error) {
	g := p.g
	p.mu.Lock()
	p.d = &dialogUI{g: g, Summary: [][2]string{{T("web.origin"), req.Origin}, {T("web.asks"), T("web.action." + string(req.Action))}}}
	p.mu.Unlock()
	choice, err := ask(ctx, func(reply func(keyChoice)) dialog.Dialog {
		body := container.NewVBox()
		if img := logoImage(req.Logo); img != nil {
			body.Add(container.NewHBox(img))
		}
		body.Add(fields([2]string{T("web.origin"), req.Origin}, [2]string{T("web.asks"), T("web.action." + string(req.Action))}))
		if !req.Requires.Empty() {
			body.Add(wrapped(T("web.requires", map[string]any{"Requirements": requirementsText(req.Requires)})))
		}
		labels := make([]string, len(req.Keys))
		for i, k := range req.Keys {
			labels[i] = keyChoiceLabel(k)
		}
		keys := widget.NewRadioGroup(labels, nil)
		if len(labels) > 0 {
			keys.SetSelected(labels[0])
			body.Add(keys)
		} else {
			body.Add(wrapped(T("web.noKeys")))
		}
		var d *dialog.ConfirmDialog
		if req.Files {
			browse := widget.NewButton(T("web.browseKey"), func() {
				g.chooseFile(fileChoice{title: T("files.openKey"), exts: []string{".p12", ".pfx"}, keyFile: true}, func(path string) {
					if keyfile.Check(path) != nil {
						dialog.ShowError(errors.New(T("web.notKeyFile")), g.win)
						return
					}
					reply(keyChoice{ref: signer.KeyRef{URI: path, Label: filepath.Base(path)}, ok: true})
					d.Hide()
				})
			})
			body.Add(browse)
		}
		d = dialog.NewCustomConfirm(T("web.chooseKeyTitle"), T("web.useKey"), T("action.cancel"), body, func(ok bool) {
			if !ok {
				reply(keyChoice{})
				return
			}
			for i, l := range labels {
				if l == keys.Selected {
					reply(keyChoice{ref: req.Keys[i], ok: true})
					return
				}
			}
			reply(keyChoice{})
		}, g.win)
		d.SetConfirmImportance(widget.HighImportance)
		d.Resize(fyne.NewSize(560, 0))
		d.Show()
		return d
	})
	if err != nil {
		return signer.KeyRef{}, err
	}
	if !choice.ok {
		return signer.KeyRef{}, signer.ErrCancelled
	}
	return choice.ref, nil
}

func (p *webPrompts) ChooseFile(ctx context.Context, req bridge.FileRequest) (string, error) {
	g := p.g
	path, err := ask(ctx, func(reply func(string)) dialog.Dialog {
		return g.chooseFile(fileChoice{title: T("web.chooseFileTitle", map[string]any{"Origin": req.Origin}),
			cancelled: func() { reply("") }}, reply)
	})
	if err != nil {
		return "", err
	}
	if path == "" {
		return "", signer.ErrCancelled
	}
	return path, nil
}

// Consent starts the request's password dialog with what the website
// asks to sign: the origin heads it.
func (p *webPrompts) Consent(ctx context.Context, c signer.Consent) error {
	p.mu.Lock()
	p.d = &dialogUI{g: p.g}
	d := p.d
	p.mu.Unlock()
	return d.Consent(ctx, c)
}

func (p *webPrompts) RequestSecret(ctx context.Context, req signer.SecretRequest) ([]byte, error) {
	p.mu.Lock()
	d := p.d
	if d == nil {
		d = &dialogUI{g: p.g}
		p.d = d
	}
	p.mu.Unlock()
	return d.RequestSecret(ctx, req)
}

// keyChoiceLabel names a key in the key dialog: its holder when the
// certificate is known, else the file or token label.
func keyChoiceLabel(k signer.KeyRef) string {
	if k.Certificate == nil {
		return k.Label
	}
	id := pkiIdentity(k.Certificate)
	s := id.CommonName
	if id.IIN != "" {
		s += ", " + T("field.iin") + " " + id.IIN
	}
	if id.Organization != "" {
		s += ", " + id.Organization
	}
	return s + " — " + k.Label
}

// requirementsText says a website's conditions on the signer.
func requirementsText(r bridge.Requirements) string {
	var parts []string
	for _, oid := range r.EKUs {
		text := T("oid." + oid)
		if text == "oid."+oid {
			text = oid
		}
		parts = append(parts, text)
	}
	if r.IIN != "" {
		parts = append(parts, T("field.iin")+" "+r.IIN)
	}
	if r.BIN != "" {
		parts = append(parts, T("field.bin")+" "+r.BIN)
	}
	if r.Serial != "" {
		parts = append(parts, T("field.serial")+" "+r.Serial)
	}
	return strings.Join(parts, ", ")
}

// logoImage shows a website's logo small, or nil (the bridge checked it
// is a small PNG, JPEG or GIF).
func logoImage(logo []byte) fyne.CanvasObject {
	if logo == nil {
		return nil
	}
	img, _, err := image.Decode(bytes.NewReader(logo))
	if err != nil {
		return nil
	}
	c := canvas.NewImageFromImage(img)
	c.FillMode = canvas.ImageFillContain
	c.SetMinSize(fyne.NewSize(96, 48))
	return c
}

// websitesSettings is Settings → Websites: whether the window answers
// websites, which ones may ask without a question, whether the browsers
// trust the bridge, start at login, and what was signed for websites.
func (g *App) websitesSettings() fyne.CanvasObject {
	status := wrapped("")
	switch {
	case g.web.problem != "":
		status.SetText(g.web.problem)
		status.Importance = widget.DangerImportance
	case g.web.bridge != nil:
		status.SetText(T("websites.running", map[string]any{"Addr": g.web.addr}))
		status.Importance = widget.SuccessImportance
	case g.opts.Bridge == "":
		status.SetText(T("websites.notHere"))
	default:
		status.SetText(T("websites.off"))
	}
	// The state first, then the handler: showing Settings changes nothing.
	on := widget.NewCheck(T("websites.on"), nil)
	on.SetChecked(!g.core.Settings().BridgeOff)
	on.OnChanged = func(on bool) {
		if err := g.core.UpdateSettings(func(s *core.Settings) { s.BridgeOff = !on }); err != nil {
			fyne.LogError("save settings", err)
		}
		if on {
			g.startBridge()
		} else {
			g.stopBridge()
		}
	}
	if g.opts.Bridge == "" {
		on.Disable()
	}
	body := container.NewVBox(status, on)

	body.Add(bold(T("websites.allowed")))
	allowed := g.core.Settings().Websites
	if len(allowed) == 0 {
		body.Add(wrapped(T("websites.noneAllowed")))
	}
	for _, origin := range allowed {
		remove := widget.NewButton(T("websites.remove"), func() {
			var err error
			if g.web.bridge != nil {
				err = g.web.bridge.Forget(origin)
			} else {
				err = g.core.UpdateSettings(func(s *core.Settings) {
					s.Websites = slices.DeleteFunc(s.Websites, func(o string) bool { return o == origin })
				})
			}
			if err != nil {
				fyne.LogError("forget "+origin, err)
			}
			g.show("settings")
		})
		body.Add(container.NewBorder(nil, nil, nil, remove, widget.NewLabel(origin)))
	}

	if targets := bridge.UserTrustTargets(); len(targets) > 0 {
		body.Add(bold(T("websites.browsers")))
		browsers := container.NewVBox(wrapped(T("websites.checking")))
		body.Add(browsers)
		trust := widget.NewButton(T("websites.trust"), nil)
		trust.OnTapped = func() {
			trust.Disable()
			go g.checkBrowsers(browsers, targets, true)
		}
		body.Add(container.NewHBox(trust))
		go g.checkBrowsers(browsers, targets, false)
	}
	if autostartSupported() {
		auto := widget.NewCheck(T("websites.autostart"), nil)
		auto.SetChecked(autostartEnabled())
		auto.OnChanged = func(on bool) {
			if err := setAutostart(on); err != nil {
				dialog.ShowError(err, g.win)
			}
		}
		body.Add(auto)
	}

	body.Add(bold(T("websites.history")))
	history := container.NewVBox(wrapped(T("websites.checking")))
	body.Add(history)
	go g.loadWebHistory(history)
	return body
}

// checkBrowsers fills rows with each browser's trust of the bridge,
// installing the CA first when install is set; worker goroutine.
func (g *App) checkBrowsers(rows *fyne.Container, targets []bridge.TrustTarget, install bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var statuses []bridge.TrustStatus
	var err error
	if install {
		var certs *bridge.Certificates
		if certs, _, err = bridge.LoadOrCreate(g.core.Path("bridge"), time.Now()); err == nil {
			statuses, err = bridge.Install(ctx, certs, targets)
		}
	} else if certs, lerr := bridge.Load(g.core.Path("bridge"), time.Now()); lerr == nil {
		statuses = bridge.Check(ctx, certs, targets)
	} else {
		// No certificate yet (the bridge has not run): nothing trusts it.
		for _, t := range targets {
			statuses = append(statuses, bridge.TrustStatus{Target: t, Reason: bridge.ReasonMissing})
		}
	}
	runOnUI(func() {
		rows.RemoveAll()
		for _, st := range statuses {
			l := wrapped(st.Target.String() + ": " + T("bridge.trust."+string(st.Reason)))
			l.Importance = widget.SuccessImportance
			if !st.Trusted() {
				l.Importance = widget.WarningImportance
			}
			rows.Add(l)
		}
		if err != nil {
			l := wrapped(err.Error())
			l.Importance = widget.DangerImportance
			rows.Add(l)
		}
		rows.Refresh()
	})
}

// webHistoryShown is how many signatures for websites Settings lists.
const webHistoryShown = 20

// loadWebHistory fills rows with the latest signatures made for websites;
// worker goroutine.
func (g *App) loadWebHistory(rows *fyne.Container) {
	var history []core.WebSigning
	var err error
	if g.core.Store != nil {
		history, err = g.core.WebHistory(context.Background(), webHistoryShown)
	}
	runOnUI(func() {
		rows.RemoveAll()
		if len(history) == 0 && err == nil {
			rows.Add(wrapped(T("websites.historyNone")))
		}
		for _, h := range history {
			rows.Add(fields([2]string{h.Time.Local().Format("2006-01-02 15:04"), h.Origin + " — " + h.What}))
		}
		if err != nil {
			rows.Add(wrapped(err.Error()))
		}
		rows.Refresh()
	})
}

func homeDir() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return "."
	}
	return home
}
