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

// systemAutostart is the entry the .deb installs for every user
// ($XDG_CONFIG_DIRS, default /etc/xdg), or "" when there is none.
func systemAutostart() string {
	dirs := os.Getenv("XDG_CONFIG_DIRS")
	if dirs == "" {
		dirs = "/etc/xdg"
	}
	for _, dir := range filepath.SplitList(dirs) {
		p := filepath.Join(dir, "autostart", "qoltanba.desktop")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// autostartEnabled: the user's entry, unless hidden; else the system's.
func autostartEnabled() bool {
	data, err := os.ReadFile(autostartPath())
	if err == nil {
		return !strings.Contains(string(data), "\nHidden=true")
	}
	return systemAutostart() != ""
}

// setAutostart writes the user's autostart entry, or turns it off: by
// removing it, or, when the system starts Qoltanba for every user, by a
// user entry that hides the system's (the XDG way).
func setAutostart(on bool) error {
	path := autostartPath()
	if !on {
		if systemAutostart() != "" {
			return writeAutostart(path, "[Desktop Entry]\nType=Application\nName=Qoltanba\nHidden=true\n")
		}
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
		"Exec=\"" + exe + "\" --minimized",
		"Icon=qoltanba",
		"Terminal=false",
		"X-GNOME-Autostart-enabled=true",
		"",
	}, "\n")
	return writeAutostart(path, entry)
}

func writeAutostart(path, entry string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(entry), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
