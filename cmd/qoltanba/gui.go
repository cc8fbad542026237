//go:build !nogui

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/qoltanba/qoltanba/assets"
	"github.com/qoltanba/qoltanba/bridge"
	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/internal/instance"
	"github.com/qoltanba/qoltanba/internal/testfeatures"
	"github.com/qoltanba/qoltanba/ui"
)

// Environment for screenshots and start-up measurements: which screen to
// open, in which language, with which file, and whether to print the time
// from exec to the first frame.
const (
	envScreen     = "QOLTANBA_SCREEN"      // welcome, keys, sign, verify, settings, about
	envLang       = "QOLTANBA_LANG"        // kk, ru, en; --lang wins
	envOpen       = "QOLTANBA_OPEN"        // a file for the first screen
	envDataDir    = dataDirEnv             // the data folder (default: Settings); --data-dir wins
	envFirstFrame = "QOLTANBA_FIRST_FRAME" // "1": print the start-up phases and "first frame after N ms" to stderr
	envBridge     = "QOLTANBA_BRIDGE"      // the address to answer websites on; "off" runs no bridge (screenshots)
)

// started is as close to exec as Go lets us measure from.
var started = time.Now()

// openGUI runs the window, as the Settings and the environment say, until
// the user closes it.
func openGUI(ctx context.Context) error { return openGUIWith(ctx, guiFlags{}) }

// guiOptions builds the window's options from the command line's flags and
// the environment: a flag wins over its variable, and either wins over the
// Settings for this run only (ui.New does not save them).
func guiOptions(f guiFlags, getenv func(string) string) ui.Options {
	return ui.Options{
		Version:   version,
		Icon:      assets.Icon,
		Screen:    envOr(screenFor(f.open), getenv, envScreen),
		Language:  envOr(f.lang, getenv, envLang),
		Open:      envOr(f.open, getenv, envOpen),
		Minimized: f.minimized,
		// The data folder as the CLI resolves it (--data-dir, then
		// $QOLTANBA_DATA_DIR), else the Settings choice (empty here): the
		// GUI opens the same document store there, on a worker after the
		// window is up.
		DataDir: envOr(f.dataDir, getenv, envDataDir),
		Bridge:  bridgeAddress(getenv(envBridge)),
	}
}

// screenFor is the screen a file opens on: a key file on Keys, a
// signature on Verify, anything else on Sign; "" without a file.
func screenFor(file string) string {
	switch strings.ToLower(filepath.Ext(file)) {
	case "":
		if file == "" {
			return ""
		}
	case ".p12", ".pfx":
		return "keys"
	case ".cms", ".p7s", ".p7m", ".sig":
		return "verify"
	}
	return "sign"
}

// bridgeAddress is where the window answers websites: NCALayer's address
// unless the environment names another, or "off".
func bridgeAddress(env string) string {
	switch env {
	case "":
		return bridge.Address
	case "off":
		return ""
	}
	return env
}

// openGUIWith runs the window with the command line's choices until the
// user closes it.
func openGUIWith(ctx context.Context, f guiFlags) error {
	trace := func(string) {}
	if os.Getenv(envFirstFrame) == "1" {
		trace = func(phase string) {
			fmt.Fprintf(os.Stderr, "%-28s %4d ms\n", phase, time.Since(started).Milliseconds())
		}
	}
	trace("main")
	a := app.NewWithID(ui.AppID)
	a.SetIcon(assets.Icon)
	trace("fyne app")
	opts := guiOptions(f, os.Getenv)
	if os.Getenv(envFirstFrame) == "1" {
		opts.FirstFrame = func() {
			fmt.Fprintf(os.Stderr, "first frame after %d ms\n", time.Since(started).Milliseconds())
		}
	}
	opts.Trace = trace
	// The core is built here, once, over the data folder the window will
	// use (the command line's, else the one its preferences name).
	dir := opts.DataDir
	if dir == "" {
		dir = a.Preferences().StringWithFallback(ui.PrefDataDir, ui.DefaultDataDir())
	}
	// A window already runs on this data folder: it comes to the front,
	// with the file if one was given, and this start ends there.
	if ok, err := instance.Notify(dir, instance.Request{Open: opts.Open, Screen: opts.Screen}); ok {
		return nil
	} else if err != nil {
		fmt.Fprintf(os.Stderr, "qoltanba: %v\n", err)
	}
	c, err := core.New(core.Options{DataDir: dir})
	if err != nil {
		return withHint(err, "choose another data folder with --data-dir DIR")
	}
	defer c.Close()
	opts.Core = c
	opts.Test = &ui.TestFeatures{
		CreateKey: testfeatures.CreateKey, Password: testfeatures.Password,
		SelfTest: func(ctx context.Context) *ui.SelfTestResult {
			return (*ui.SelfTestResult)(testfeatures.SelfTest(ctx))
		},
	}
	g := ui.New(a, opts)
	trace("window built (ui.New)")
	if srv, err := instance.Serve(dir, func(r instance.Request) { fyne.Do(func() { g.Activate(r.Screen, r.Open) }) }); err != nil {
		fmt.Fprintf(os.Stderr, "qoltanba: a second start will not find this window: %v\n", err)
	} else {
		defer srv.Close()
	}
	go func() { // Ctrl-C in the terminal closes the window cleanly
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	g.ShowAndRun()
	return nil
}
