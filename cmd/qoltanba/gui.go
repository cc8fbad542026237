package main

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/qoltanba/qoltanba/assets"
	"github.com/qoltanba/qoltanba/ui"
)

// openGUI runs the window until the user closes it.
func openGUI(ctx context.Context) error {
	a := app.NewWithID("kz.qoltanba.desktop")
	a.SetIcon(assets.Icon)
	go func() { // Ctrl-C in the terminal closes the window cleanly
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	ui.NewMainWindow(a, version).ShowAndRun()
	return nil
}
