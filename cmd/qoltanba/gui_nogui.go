//go:build nogui

package main

import (
	"context"
	"errors"
)

// openGUI in a build without the window (go build -tags nogui): a CLI for
// servers and scripts that starts without Fyne's package initialisation
// (about 15 ms of every process, measured with GODEBUG=inittrace=1).
func openGUI(context.Context) error {
	return withHint(errors.New("this qoltanba was built without the window (-tags nogui)"), "run 'qoltanba help' for the commands, or install the desktop build")
}
