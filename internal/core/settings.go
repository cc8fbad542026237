package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/qoltanba/qoltanba/internal/atomicfile"
	"github.com/qoltanba/qoltanba/signer/pkcs11"
)

// SettingsFile is the settings' name inside the data folder: JSON, private
// to the user, read by the CLI, the window and the bridge alike. It never
// holds a password or PIN.
const SettingsFile = "settings.json"

// DefaultTSA is NCA RK's public time-stamp service.
const DefaultTSA = "http://tsp.pki.gov.kz"

// Settings are the user's choices.
type Settings struct {
	Language string `json:"language,omitempty"` // "", "kk", "ru", "en"; "" follows the system
	TSA      string `json:"tsa"`
	OCSP     string `json:"ocsp,omitempty"` // empty: the address in each certificate
	Offline  bool   `json:"offline,omitempty"`
	// Modules are PKCS#11 module paths; empty: the usual driver locations.
	Modules []string `json:"pkcs11Modules,omitempty"`
	// KeyPaths are the key files the user opened, remembered for the list;
	// TestKeys the ones Qoltanba made as TEST keys.
	KeyPaths []string `json:"keyPaths,omitempty"`
	TestKeys []string `json:"testKeys,omitempty"`
	// SignDetached and SignTimestamp are the Sign screen's last choices.
	SignDetached  bool `json:"signDetached,omitempty"`
	SignTimestamp bool `json:"signTimestamp"`
	// DataDir, in the default data folder's file only, moves the data
	// folder elsewhere from the next start on.
	DataDir string `json:"dataDir,omitempty"`
	// Websites are the origins the user allowed always to use the EDS
	// through the NCALayer bridge, exactly as browsers send them.
	Websites []string `json:"websites,omitempty"`
	// BridgeOff stops the window from answering websites.
	BridgeOff bool `json:"bridgeOff,omitempty"`
	// Compromised are the certificates (SHA-256 fingerprints) the user
	// reported compromised, with the time from which nothing signed with
	// them counts: they never sign again here.
	Compromised map[string]time.Time `json:"compromised,omitempty"`
	// StampPage ("first" or "last"; "" the first) and StampCorner (a
	// pdf.Corner; "" bottom right) are where the window last put a PDF's
	// visible signature.
	StampPage   string `json:"stampPage,omitempty"`
	StampCorner string `json:"stampCorner,omitempty"`
	// RecentFolders are where the window's file dialogs last took a file,
	// newest first.
	RecentFolders []string `json:"recentFolders,omitempty"`
}

// DefaultSettings are the settings of a new user.
func DefaultSettings() Settings {
	return Settings{TSA: DefaultTSA, SignTimestamp: true}
}

// ModuleConfigs are the configured token modules (nil: the usual drivers).
func (s Settings) ModuleConfigs() []pkcs11.ModuleConfig {
	var cfgs []pkcs11.ModuleConfig
	for _, p := range s.Modules {
		cfgs = append(cfgs, pkcs11.ModuleConfig{Path: p})
	}
	return cfgs
}

// LoadSettings reads the settings of a data folder. No file gives the
// defaults. A damaged file gives the defaults with whatever could be read
// of it (the key list above all) and an error that says so; the damaged file
// is kept beside as settings.json.damaged so nothing is lost.
func LoadSettings(dir string) (Settings, error) {
	path := filepath.Join(dir, SettingsFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return DefaultSettings(), nil
	}
	if err != nil {
		return DefaultSettings(), fmt.Errorf("read settings %s: %w (using the defaults)", path, err)
	}
	s := DefaultSettings()
	if err := json.Unmarshal(data, &s); err != nil {
		salvaged := salvageSettings(data)
		keep := path + ".damaged"
		_ = os.WriteFile(keep, data, 0o600)
		return salvaged, fmt.Errorf("settings %s are damaged (%v): using the defaults; the file is kept as %s", path, err, keep)
	}
	s.clean()
	return s, nil
}

// salvageSettings keeps the remembered key files of a damaged settings file
// (the one thing a user cannot redo from memory): the file is read entry by
// entry up to the damage, so a file cut short or with a wrong value keeps
// the lists that come before the damage.
func salvageSettings(data []byte) Settings {
	s := DefaultSettings()
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return s
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			break
		}
		var target any = new(json.RawMessage)
		switch t {
		case "keyPaths":
			target = &s.KeyPaths
		case "testKeys":
			target = &s.TestKeys
		}
		if err := dec.Decode(target); err != nil {
			break
		}
	}
	s.clean()
	return s
}

func (s *Settings) clean() {
	s.TSA = strings.TrimSpace(s.TSA)
	s.OCSP = strings.TrimSpace(s.OCSP)
	s.DataDir = strings.TrimSpace(s.DataDir)
	s.Modules = nonEmpty(s.Modules)
	s.KeyPaths = nonEmpty(s.KeyPaths)
	s.TestKeys = nonEmpty(s.TestKeys)
}

func nonEmpty(in []string) []string {
	var out []string
	for _, v := range in {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// SaveSettings writes s to the data folder atomically, private to the user.
func SaveSettings(dir string, s Settings) error {
	s.clean()
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return atomicfile.Write(filepath.Join(dir, SettingsFile), append(data, '\n'), 0o600)
}

// Settings is a copy of the current settings.
func (c *Core) Settings() Settings {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s := c.settings
	s.Modules = append([]string(nil), s.Modules...)
	s.KeyPaths = append([]string(nil), s.KeyPaths...)
	s.TestKeys = append([]string(nil), s.TestKeys...)
	s.Websites = append([]string(nil), s.Websites...)
	s.RecentFolders = append([]string(nil), s.RecentFolders...)
	s.Compromised = maps.Clone(s.Compromised)
	return s
}

// ChangeSettings changes the settings of this run, without saving them.
func (c *Core) ChangeSettings(change func(*Settings)) Settings {
	c.mu.Lock()
	defer c.mu.Unlock()
	change(&c.settings)
	return c.settings
}

// UpdateSettings changes the settings with change and saves them; the
// change stays in effect for this run even when saving fails.
func (c *Core) UpdateSettings(change func(*Settings)) error {
	return SaveSettings(c.DataDir, c.ChangeSettings(change))
}
