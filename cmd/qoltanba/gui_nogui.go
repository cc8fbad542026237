//go:build nogui

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// envLang names the window's language; the flag's help text mentions it.
const envLang = "QOLTANBA_LANG"

// The console program (go build -tags nogui): the CLI for terminals,
// scripts and servers, without Fyne's package initialisation (about 15 ms
// of every process, measured with GODEBUG=inittrace=1). Installed beside
// the window program — qoltanba.com beside qoltanba.exe on Windows (cmd.exe
// runs the .com for "qoltanba"), qoltanba beside qoltanba-gui on Linux — it
// starts the window when asked for it.

func openGUI(ctx context.Context) error { return openGUIWith(ctx, guiFlags{}) }

// openGUIWith starts the window program beside this one with the same
// choices, and returns at once: the window lives on its own.
func openGUIWith(_ context.Context, f guiFlags) error {
	gui, err := guiProgram()
	if err != nil {
		return withHint(err, "run 'qoltanba help' for the commands, or install the desktop build")
	}
	var args []string
	if f.lang != "" {
		args = append(args, "--lang", f.lang)
	}
	if f.dataDir != "" {
		args = append(args, "--data-dir", f.dataDir)
	}
	if f.minimized {
		args = append(args, "--minimized")
	}
	if f.open != "" {
		args = append(args, f.open)
	}
	cmd := exec.Command(gui, args...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the window (%s): %w", gui, err)
	}
	return cmd.Process.Release()
}

// guiProgram is the window program installed beside this one.
func guiProgram() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find this program: %w", err)
	}
	name := "qoltanba-gui"
	if runtime.GOOS == "windows" {
		name = strings.TrimSuffix(filepath.Base(self), filepath.Ext(self)) + ".exe"
	}
	gui := filepath.Join(filepath.Dir(self), name)
	if gui == self {
		return "", errors.New("this qoltanba was built without the window (-tags nogui)")
	}
	if _, err := os.Stat(gui); err != nil {
		return "", fmt.Errorf("this qoltanba is the command line only, and the window program %s is not installed beside it", name)
	}
	return gui, nil
}
