//go:build nogui

package main

import (
	"context"
	"errors"
)

// envLang names the window's language; the flag's help text mentions it.
const envLang = "QOLTANBA_LANG"

// openGUI in a build without the window (go build -tags nogui): a CLI for
// servers and scripts that starts without Fyne's package initialisation
// (about 15 ms of every process, measured with GODEBUG=inittrace=1).
func openGUI(ctx context.Context) error { return openGUIWith(ctx, guiFlags{}) }

// openGUIWith refuses, as openGUI does: there is no window to open.
func openGUIWith(context.Context, guiFlags) error {
	return withHint(errors.New("this qoltanba was built without the window (-tags nogui)"), "run 'qoltanba help' for the commands, or install the desktop build")
}
