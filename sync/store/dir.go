package store

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
)

// DefaultDir is the user's usual folder for application data:
//
//	Linux and BSD  $XDG_DATA_HOME/qoltanba, else ~/.local/share/qoltanba
//	Windows        %LocalAppData%\Qoltanba
//	macOS          ~/Library/Application Support/Qoltanba
//
// (os.UserConfigDir is for settings and roams on Windows; documents and the
// journal are data, kept per machine.)
func DefaultDir() (string, error) {
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LocalAppData"); d != "" {
			return filepath.Join(d, "Qoltanba"), nil
		}
		return "", errors.New("%LocalAppData% is not set")
	case "darwin", "ios":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, "Library", "Application Support", "Qoltanba"), nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "qoltanba"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "share", "qoltanba"), nil
}
