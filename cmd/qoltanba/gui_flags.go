package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/qoltanba/qoltanba/assets/translations"
)

// guiFlags are the window's command-line choices. They override the
// Settings for this run only: nothing given here is saved as a preference.
type guiFlags struct {
	dataDir string // absolute; "" keeps $QOLTANBA_DATA_DIR or the Settings choice
	lang    string // kk, ru, en; "" keeps $QOLTANBA_LANG or the Settings choice
	// open is a file to open (absolute): a key file is added to the keys,
	// a signature verified, anything else put on the Sign screen. The file
	// associations of the installers pass it.
	open string
	// minimized starts in the tray without showing the window (the start
	// at login), where the desktop has a tray.
	minimized bool
}

// guiCommand is the registry entry of "qoltanba gui".
var guiCommand = command{"gui", "[FILE]", "open the window, optionally on a file, another data folder or in another language", guiCmd}

// startGUI opens the window; tests replace it to see what it would be given.
var startGUI = openGUIWith

// guiCmd is "qoltanba gui [flags]".
func guiCmd(ctx context.Context, _ stdio, args []string) error {
	f, err := parseGUIArgs(args)
	if err != nil {
		return err
	}
	return startGUI(ctx, f)
}

// parseGUIArgs reads the window's flags the way every command reads its
// own (parseFlags), and checks them before a window is opened: a mistyped
// language or a data folder that is a file is an error here, not a window
// in the wrong state.
func parseGUIArgs(args []string) (guiFlags, error) {
	fs := flag.NewFlagSet("gui", flag.ContinueOnError)
	dir := dataDirFlag(fs)
	lang := fs.String("lang", "", "the window's `LANGUAGE` for this run: kk, ru or en (default $"+envLang+" or Settings)")
	minimized := fs.Bool("minimized", false, "start in the tray, the window hidden (the start at login)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return guiFlags{}, err
	}
	if len(rest) > 1 {
		return guiFlags{}, usagef("unexpected argument %q", rest[1])
	}
	f := guiFlags{lang: strings.ToLower(strings.TrimSpace(*lang)), minimized: *minimized}
	if len(rest) == 1 {
		abs, err := filepath.Abs(rest[0])
		if err != nil {
			return guiFlags{}, err
		}
		if info, err := os.Stat(abs); err != nil || info.IsDir() {
			return guiFlags{}, withHint(fmt.Errorf("no file %s", rest[0]), "name a key file, a signature or a document to sign")
		}
		f.open = abs
	}
	if f.lang != "" && !slices.Contains(translations.Languages, f.lang) {
		return guiFlags{}, usagef("--lang %q: the window speaks %s", *lang, strings.Join(translations.Languages, ", "))
	}
	if d := strings.TrimSpace(*dir); d != "" {
		abs, err := filepath.Abs(d)
		if err != nil {
			return guiFlags{}, fmt.Errorf("data folder %s: %w", d, err)
		}
		if info, err := os.Stat(abs); err == nil && !info.IsDir() {
			return guiFlags{}, withHint(fmt.Errorf("data folder %s is a file", abs),
				"give a folder (it is created when missing): --data-dir DIR")
		}
		f.dataDir = abs
	}
	return f, nil
}

// isFileArg: "qoltanba FILE" (how Windows' file associations and desktop
// entries start the window) opens the file in the window, unless FILE is
// also a command's name.
func isFileArg(args []string) bool {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		return false
	}
	for _, c := range commands() {
		if strings.Fields(c.name)[0] == args[0] {
			return false
		}
	}
	info, err := os.Stat(args[0])
	return err == nil && !info.IsDir()
}

// isGUIFlags: the bare command followed by flags ("qoltanba --data-dir D")
// opens the window as "qoltanba gui --data-dir D" does. Help flags are not
// the window's.
func isGUIFlags(args []string) bool {
	if len(args) == 0 || !strings.HasPrefix(args[0], "-") {
		return false
	}
	switch args[0] {
	case "-h", "-help", "--help":
		return false
	}
	return true
}

// envOr is the flag's value, else the environment's.
func envOr(flagValue string, getenv func(string) string, name string) string {
	if flagValue != "" {
		return flagValue
	}
	return getenv(name)
}
