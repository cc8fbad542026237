//go:build !nogui

package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/qoltanba/qoltanba/assets"
	"github.com/qoltanba/qoltanba/ui"
)

// Environment for screenshots and start-up measurements: which screen to
// open, in which language, with which file, and whether to print the time
// from exec to the first frame.
const (
	envScreen     = "QOLTANBA_SCREEN"      // welcome, keys, sign, verify, settings, about
	envLang       = "QOLTANBA_LANG"        // kk, ru, en
	envOpen       = "QOLTANBA_OPEN"        // a file for the first screen
	envDataDir    = "QOLTANBA_DATA_DIR"    // the data folder (default: Settings)
	envFirstFrame = "QOLTANBA_FIRST_FRAME" // "1": print the start-up phases and "first frame after N ms" to stderr
)

// started is as close to exec as Go lets us measure from.
var started = time.Now()

// openGUI runs the window until the user closes it.
func openGUI(ctx context.Context) error {
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
	opts := ui.Options{
		Version:  version,
		Icon:     assets.Icon,
		Screen:   os.Getenv(envScreen),
		Language: os.Getenv(envLang),
		Open:     os.Getenv(envOpen),
		DataDir:  os.Getenv(envDataDir),
	}
	if os.Getenv(envFirstFrame) == "1" {
		opts.FirstFrame = func() {
			fmt.Fprintf(os.Stderr, "first frame after %d ms\n", time.Since(started).Milliseconds())
		}
	}
	// The data folder as the CLI resolves it ($QOLTANBA_DATA_DIR, else the
	// Settings choice, else store.DefaultDir): the GUI opens the same
	// document store there, on a worker after the window is up.
	opts.Trace = trace
	g := ui.New(a, opts)
	trace("window built (ui.New)")
	go func() { // Ctrl-C in the terminal closes the window cleanly
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	g.ShowAndRun()
	return nil
}
