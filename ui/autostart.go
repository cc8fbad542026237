package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Start at login, so that the bridge answers when a portal's page opens.
// On Linux (and the BSDs) an XDG autostart entry; Windows' entry comes
// with its installer.

func autostartSupported() bool {
	return runtime.GOOS != "windows" && runtime.GOOS != "darwin"
}

// autostartPath is the XDG autostart entry's file.
func autostartPath() string {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		dir = filepath.Join(homeDir(), ".config")
	}
	return filepath.Join(dir, "autostart", "qoltanba.desktop")
}

func autostartEnabled() bool {
	_, err := os.Stat(autostartPath())
	return err == nil
}

// setAutostart writes or removes the autostart entry for this program.
func setAutostart(on bool) error {
	path := autostartPath()
	if !on {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("remove %s: %w", path, err)
		}
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find this program: %w", err)
	}
	entry := strings.Join([]string{
		"[Desktop Entry]",
		"Type=Application",
		"Name=Qoltanba",
		"Comment=" + T("websites.autostartComment"),
		"Exec=\"" + exe + "\"",
		"Icon=qoltanba",
		"Terminal=false",
		"X-GNOME-Autostart-enabled=true",
		"",
	}, "\n")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(entry), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
