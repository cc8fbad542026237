// Package ui is Qoltanba's Fyne GUI: keys, signing, verification, settings,
// in Kazakh, Russian and English.
//
// Screens are entries of one registry (screens.go), each a function of the
// App returning a canvas object. Widgets are touched only on Fyne's
// goroutine: signing, verifying and key decoding run on worker goroutines
// and hand their results back through fyne.Do. The package never imports
// fyne/v2/app, so its tests run headless with fyne.io/fyne/v2/test.
package ui

import (
	"crypto/x509"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer/keyfile"
	"github.com/qoltanba/qoltanba/sync/store"
)

// AppID is the application ID (also in FyneApp.toml); Fyne files the
// preferences under it.
const AppID = "kz.qoltanba.desktop"

// Options configure the GUI; the zero value is the real program's.
type Options struct {
	Version string
	// Icon is the window and tray icon.
	Icon fyne.Resource
	// DataDir overrides the data folder setting (tests).
	DataDir string
	// KeyFolders lists the folders searched for key files; nil means
	// keyfile.UsualFolders().
	KeyFolders func() []string
	// Screen opens this screen first ("welcome", "keys", "sign", …) instead
	// of the usual choice; Language overrides the language for this run.
	// Both exist for screenshots (QOLTANBA_SCREEN, QOLTANBA_LANG).
	Screen, Language string
	// Open is a file to put on the first screen (sign: the file to sign;
	// verify: the file to verify).
	Open string
	// FirstFrame, if set, is called on Fyne's goroutine once the window's
	// content is shown: the cold-start measurement hooks here.
	FirstFrame func()
	// Store is the document store to use (tests: store.OpenMemory); nil
	// opens the bbolt store in the data folder, off the UI goroutine.
	// OpenStore, if set, replaces that opening (tests of the locked case).
	Store     store.Store
	OpenStore func() (store.Store, error)
	// NoTokens skips loading PKCS#11 modules and watching for tokens (tests).
	NoTokens bool
	// Test are the TEST features (the welcome's test key, the self-test)
	// cmd injects; nil offers neither.
	Test *TestFeatures
	// Core is the application core cmd built for this process (store aside:
	// the window opens its own); nil makes one over the data folder (tests).
	Core *core.Core
	// Minimized starts in the tray with the window hidden (the start at
	// login), where the desktop has a tray; elsewhere the window shows.
	Minimized bool
	// Bridge is the address the window answers websites on (the NCALayer
	// bridge, bridge.Address); empty runs no bridge (tests).
	Bridge string
	// Trace, if set, is told the start-up phases as New passes them (the
	// cold-start profile printed with QOLTANBA_FIRST_FRAME=1).
	Trace func(phase string)
}

// App is the GUI's state. Its fields are touched only on Fyne's goroutine.
type App struct {
	fyne     fyne.App
	win      fyne.Window
	opts     Options
	core     *core.Core
	settings Settings
	// dataDir is the data folder of this run: the store is open there, so
	// trust, caches and test keys stay beside it even when Settings saves
	// another folder for the next start.
	dataDir string

	keys    []*keyItem
	found   []string // key files found in the usual folders (scanned on a worker)
	tokens  []*keyItem
	session map[string]*x509.Certificate // certificates learnt by unlocking, this session only
	tokenHW tokenBackend

	current string // the screen shown
	nav     map[string]*widget.Button
	body    *fyne.Container

	sign    signState
	verify  verifyState
	secret  *secretDialog // the password dialog on screen, if any
	welcome welcomeState
	keysUI  keysState
	about   aboutState
	docs    docsState

	store      store.Store // nil until opened, or when it could not be
	storeErr   error
	storeState storeState
	// storeMu guards the hand-over from the opening worker: pending holds
	// an opened store until fyne.Do installs it, closed refuses it after Close.
	storeMu sync.Mutex
	pending store.Store
	closed  bool
	watch   tokenWatch
	// saveTimer writes typed settings once the typing pauses.
	saveTimer *time.Timer
	// trayDone: the tray icon is set up (after the first frame).
	trayDone bool
	// web is the NCALayer bridge the window runs.
	web bridgeState
	// portal is the portal sync the window runs.
	portal portalState
	// agreements is the Agreements screen's state.
	agreements agreementsState
	// registers is the Registers screen's state.
	registers registersState
	// batch is the Documents screen's batch signing.
	batch batchState
}

// New creates the GUI in a: one window, not yet shown.
func New(a fyne.App, opts Options) *App {
	trace := opts.Trace
	if trace == nil {
		trace = func(string) {}
	}
	if err := loadTranslations(); err != nil {
		fyne.LogError("load translations", err)
	}
	trace("translations")
	g := &App{fyne: a, opts: opts, session: map[string]*x509.Certificate{}}
	g.dataDir = a.Preferences().StringWithFallback(prefDataDir, defaultDataDir())
	if opts.DataDir != "" {
		g.dataDir = opts.DataDir
	}
	g.core = opts.Core
	if g.core == nil {
		g.core = newCore(g.dataDir)
	}
	migratePreferences(a.Preferences(), g.core)
	// The Documents list follows the store as the core changes it, from
	// whichever screen (or face) the change came.
	g.core.Subscribe(func(c core.Change) { runOnUI(func() { g.storeChanged(c) }) })
	g.settings = settingsOf(g.core.Settings(), a.Preferences().StringWithFallback(prefDataDir, defaultDataDir()))
	if opts.DataDir != "" {
		g.settings.DataDir = opts.DataDir
	}
	trace("settings")
	if opts.Language != "" {
		g.settings.Language = opts.Language
	}
	SetLanguage(g.settings.Language)
	saved := g.core.Settings()
	g.sign.detached, g.sign.timestamp = saved.SignDetached, saved.SignTimestamp

	g.win = a.NewWindow("Qoltanba")
	trace("window")
	if opts.Icon != nil {
		g.win.SetIcon(opts.Icon)
	}
	g.win.SetOnDropped(g.dropped)
	g.win.Resize(fyne.NewSize(1040, 700))
	// Nothing slow on the path to the first frame: the store opens, the
	// key folders are walked and the token modules load on workers. The
	// folder scan gets a short head start so that a user whose keys are
	// only found there sees the Keys screen at once, not the welcome.
	g.openStoreAsync()
	g.startKeyScan()
	g.refreshKeys()
	trace("keys")

	g.current = "keys"
	if len(g.keys) == 0 {
		g.current = "welcome"
	}
	if opts.Screen != "" && screenByID(opts.Screen) != nil {
		g.current = opts.Screen
	}
	if opts.Open != "" {
		g.openFile(opts.Open)
	}
	g.rebuild()
	trace("screen " + g.current)
	if opts.Open != "" && g.current == "verify" {
		g.startVerify()
	}
	return g
}

// openFile puts a file on the current screen: a key file is added to the
// keys, a document shown in Documents, a signature verified, anything
// else made the file to sign.
func (g *App) openFile(path string) {
	switch g.current {
	case "keys":
		g.addKeyFile(path, false) // a key file opened from the file manager
	case "documents":
		g.docs.pendingOpen = path // a document's id or file name
	case "verify":
		g.verify.file = path
	default:
		g.setSignFile(path)
	}
}

// Activate brings the window to the front for a second start of the
// program, opening its file on screen, if any. UI goroutine.
func (g *App) Activate(screen, open string) {
	g.win.Show()
	g.win.RequestFocus()
	if open == "" {
		return
	}
	if screenByID(screen) != nil {
		g.current = screen
	}
	g.openFile(open)
	g.show(g.current)
	if g.current == "verify" {
		g.startVerify()
	}
}

// Window is the main window.
func (g *App) Window() fyne.Window { return g.win }

// ShowAndRun shows the window and runs the app until it quits.
func (g *App) ShowAndRun() {
	g.fyne.Lifecycle().SetOnStarted(func() {
		go func() {
			// The first fyne.Do after start runs once the event loop has
			// drawn the first frame; token probing waits until then.
			runOnUI(func() {
				if g.opts.FirstFrame != nil {
					g.opts.FirstFrame()
				}
				// Off the path to the first frame: the tray (its D-Bus
				// handshake takes a third of a second on Linux) and the
				// token modules.
				g.setupTray()
				g.startTokenWatch()
			})
		}()
	})
	g.win.SetMaster()
	if g.opts.Minimized && trayAvailable() {
		// In the tray only: its menu opens the window.
		g.fyne.Run()
	} else {
		g.win.ShowAndRun()
	}
	g.Close()
}

// rebuild makes the window's content anew: after a language switch every
// label must be created again with the new words.
func (g *App) rebuild() {
	g.win.SetTitle("Qoltanba — " + T("app.tagline"))
	g.body = container.NewStack()
	g.nav = map[string]*widget.Button{}
	side := g.sidebar()
	g.win.SetContent(container.NewBorder(nil, nil, side, nil, g.body))
	g.show(g.current)
	g.trace("screen built")
	if g.trayDone {
		g.setupTray() // the menu's words in the new language
	}
}

// trace reports a start-up phase to Options.Trace.
func (g *App) trace(phase string) {
	if g.opts.Trace != nil {
		g.opts.Trace(phase)
	}
}

// show puts a screen in the body and highlights it in the sidebar.
func (g *App) show(id string) {
	s := screenByID(id)
	if s == nil {
		return
	}
	g.current = id
	for sid, b := range g.nav {
		if sid == id || (id == "welcome" && sid == "keys") {
			b.Importance = widget.HighImportance
		} else {
			b.Importance = widget.LowImportance
		}
		b.Refresh()
	}
	screen := s.Build(g)
	if b := g.renewalBanner(); b != nil {
		screen = container.NewBorder(container.NewPadded(b), nil, nil, nil, screen)
	}
	g.body.Objects = []fyne.CanvasObject{screen}
	g.body.Refresh()
}

// sidebar is the navigation: the product's name, then one button per screen.
func (g *App) sidebar() fyne.CanvasObject {
	var icon fyne.CanvasObject = layout.NewSpacer()
	if g.opts.Icon != nil {
		img := widget.NewIcon(g.opts.Icon)
		icon = container.NewGridWrap(fyne.NewSquareSize(36), img)
	}
	name := widget.NewLabelWithStyle("Qoltanba", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.SizeName = theme.SizeNameSubHeadingText
	tag := widget.NewLabel(T("app.tagline"))
	tag.Wrapping = fyne.TextWrapWord
	head := container.NewVBox(container.NewHBox(icon, name), tag, widget.NewSeparator())

	items := container.NewVBox()
	for _, s := range screens() {
		if !s.InNav || (s.Hidden != nil && s.Hidden(g)) {
			continue
		}
		id := s.ID
		b := widget.NewButtonWithIcon(T(s.Title), s.Icon, func() { g.show(id) })
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		g.nav[id] = b
		items.Add(b)
	}
	version := widget.NewLabel(T("app.version", map[string]any{"Version": g.opts.Version}))
	version.Importance = widget.LowImportance
	foot := container.NewVBox(g.portalStatusLabel(), version)
	bar := container.NewBorder(head, foot, nil, nil, items)
	bg := canvas.NewRectangle(themeColor(theme.ColorNameHeaderBackground))
	width := canvas.NewRectangle(color.Transparent)
	width.SetMinSize(fyne.NewSize(220, 0))
	return container.NewStack(bg, width, container.NewPadded(bar))
}

// dropped routes files dropped on the window: key files go to the keys,
// signatures to Verify, anything else to Sign (or to the screen shown).
func (g *App) dropped(_ fyne.Position, uris []fyne.URI) {
	for _, u := range uris {
		path := u.Path()
		if path == "" {
			continue
		}
		switch {
		case keyfile.IsKeyFile(path):
			g.addKeyFile(path, false)
			g.show("keys")
		case g.current == "documents":
			g.addDocument(path)
		case g.current == "verify" && g.verify.needOriginal:
			g.verify.original = path
			g.startVerify()
		case g.current == "verify" || isSignatureFile(path):
			g.verify = verifyState{file: path}
			g.show("verify")
			g.startVerify()
		default:
			g.setSignFile(path)
			g.show("sign")
		}
	}
}

// isSignatureFile guesses from the name that a file is a signature.
func isSignatureFile(path string) bool {
	lower := strings.ToLower(path)
	for _, ext := range []string{".cms", ".p7s", ".p7m", ".sig", ".signed.xml", ".cosigned.xml"} {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
}

// refreshKeys rebuilds the key list from the remembered paths, the usual
// folders and the tokens seen.
func (g *App) refreshKeys() {
	s := g.core.Settings()
	g.keys = collectKeys(s.KeyPaths, s.TestKeys, g.found, g.tokens, g.session)
}

// keyScanHeadStart is how long New waits for the key folder scan before it
// draws the first screen without it.
const keyScanHeadStart = 120 * time.Millisecond

// startKeyScan walks the key folders on a worker. New waits for it at
// most keyScanHeadStart; a scan finishing after that lands through
// fyne.Do, refreshes the key list and leaves the welcome for the Keys
// screen if keys turned up.
func (g *App) startKeyScan() {
	result := make(chan []string, 1)
	folders := g.keyFolders
	go func() { result <- scanKeyFolders(folders()) }()
	select {
	case g.found = <-result:
		return
	case <-time.After(keyScanHeadStart):
	}
	go func() {
		found := <-result
		runOnUI(func() {
			g.found = found
			g.refreshKeys()
			switch {
			case g.current == "welcome" && len(g.keys) > 0 && g.opts.Screen == "":
				g.show("keys")
			case g.current == "keys", g.current == "sign":
				g.show(g.current)
			}
		})
	}()
}

func (g *App) keyFolders() []string {
	if g.opts.KeyFolders != nil {
		return g.opts.KeyFolders()
	}
	return keyfile.UsualFolders()
}

// addKeyFile remembers a key file's path (never its password). The notice
// of an earlier key (a TEST key's password) goes: it is about that key.
func (g *App) addKeyFile(path string, test bool) {
	g.keysUI.notice = ""
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	g.updateSettings(func(s *core.Settings) {
		if !slices.Contains(s.KeyPaths, path) {
			s.KeyPaths = append(s.KeyPaths, path)
		}
		if test && !slices.Contains(s.TestKeys, path) {
			s.TestKeys = append(s.TestKeys, path)
		}
	})
	g.refreshKeys()
	g.keysUI.selected = path
	// The key just opened is the one to sign with (not the first of the
	// list, which may be the TEST key).
	g.setSignKey(path)
}

// forgetKey removes a remembered key file from the list (the file stays).
func (g *App) forgetKey(path string) {
	g.updateSettings(func(s *core.Settings) {
		s.KeyPaths = slices.DeleteFunc(s.KeyPaths, func(p string) bool { return p == path })
		s.TestKeys = slices.DeleteFunc(s.TestKeys, func(p string) bool { return p == path })
	})
	delete(g.session, path)
	g.refreshKeys()
	if g.keysUI.selected == path {
		g.keysUI.selected = ""
	}
}

// keyByURI finds a key of the list.
func (g *App) keyByURI(uri string) *keyItem {
	for _, k := range g.keys {
		if k.URI == uri {
			return k
		}
	}
	return nil
}

// learnCertificate records a key's certificate after it was unlocked.
func (g *App) learnCertificate(uri string, cert *x509.Certificate) {
	g.session[uri] = cert
	if k := g.keyByURI(uri); k != nil {
		k.Certificate = cert
		k.Test = k.Test || g.core.IsTest(cert)
	}
}

// setupTray adds a tray icon with Open and Quit where the desktop has one.
func (g *App) setupTray() {
	d, ok := g.fyne.(desktop.App)
	if !ok || !trayAvailable() {
		return
	}
	g.trayDone = true
	open := fyne.NewMenuItem(T("tray.open"), func() { g.win.Show(); g.win.RequestFocus() })
	quit := fyne.NewMenuItem(T("tray.quit"), g.fyne.Quit)
	quit.IsQuit = true
	status := T("tray.websitesOff")
	if g.web.bridge != nil {
		status = T("tray.websitesReady")
	}
	websites := fyne.NewMenuItem(status, func() { g.win.Show(); g.win.RequestFocus(); g.show("settings") })
	items := []*fyne.MenuItem{open, websites}
	if renew := g.renewalMenuItem(); renew != nil {
		items = append(items, renew)
	}
	d.SetSystemTrayMenu(fyne.NewMenu("Qoltanba", append(items, fyne.NewMenuItemSeparator(), quit)...))
	if g.opts.Icon != nil {
		d.SetSystemTrayIcon(g.opts.Icon)
	}
}

// trayAvailable: on Linux and the BSDs the tray speaks D-Bus
// (StatusNotifierItem); without a session bus Fyne's systray fails and its
// clean-up panics at quit, so no tray is set up there.
func trayAvailable() bool {
	switch runtime.GOOS {
	case "windows", "darwin":
		return true
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return true
	}
	_, err := exec.LookPath("dbus-launch")
	return err == nil
}

// dataPath is a path inside the data folder of this run.
func (g *App) dataPath(elem ...string) string {
	return filepath.Join(append([]string{g.dataDir}, elem...)...)
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return -1
	}
	return st.Size()
}

// now is the clock screens judge validity with.
var now = time.Now

// newCore makes the application core over dataDir when cmd gave none; a
// folder that cannot be made still gets a core, whose store and settings
// stay empty (the window says why when it opens the store).
func newCore(dataDir string) *core.Core {
	c, err := core.New(core.Options{DataDir: dataDir})
	if err != nil {
		fyne.LogError("application core", err)
		return core.Fallback(dataDir, err)
	}
	return c
}
