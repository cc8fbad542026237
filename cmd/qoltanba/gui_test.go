//go:build !nogui

package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestParseGUIArgs: the window's flags, read like every command's, and
// refused before a window opens when they cannot work.
func TestParseGUIArgs(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(mustGetwd(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		want    guiFlags
		wantErr string // substring; "" for no error
		usage   bool   // the error prints the usage line
	}{
		{"none", nil, guiFlags{}, "", false},
		{"both", []string{"--data-dir", dir, "--lang", "kk"}, guiFlags{dataDir: dir, lang: "kk"}, "", false},
		{"equals and one dash", []string{"-lang=RU", "-data-dir=" + dir}, guiFlags{dataDir: dir, lang: "ru"}, "", false},
		{"relative folder made absolute", []string{"--data-dir", rel}, guiFlags{dataDir: dir}, "", false},
		{"missing folder is fine (created on open)", []string{"--data-dir", filepath.Join(dir, "new")}, guiFlags{dataDir: filepath.Join(dir, "new")}, "", false},
		{"unknown language", []string{"--lang", "de"}, guiFlags{}, `--lang "de": the window speaks kk, ru, en`, true},
		{"unknown flag", []string{"--screen", "keys"}, guiFlags{}, "flag provided but not defined: -screen", true},
		{"flag without value", []string{"--lang"}, guiFlags{}, "flag needs an argument: -lang", true},
		{"a file to open", []string{file}, guiFlags{open: file}, "", false},
		{"a file that is not there", []string{"invoice.xml"}, guiFlags{}, "no file invoice.xml", false},
		{"two files", []string{file, file}, guiFlags{}, "unexpected argument", true},
		{"minimized", []string{"--minimized"}, guiFlags{minimized: true}, "", false},
		{"data folder is a file", []string{"--data-dir", file}, guiFlags{}, "is a file", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseGUIArgs(tt.args)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				if got != tt.want {
					t.Fatalf("got %+v, want %+v", got, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
			}
			var ue *usageError
			if errors.As(err, &ue) != tt.usage {
				t.Errorf("usage error %v, want %v (%v)", !tt.usage, tt.usage, err)
			}
		})
	}
}

// TestGUIOptions: a flag wins over its environment variable, which wins
// over the Settings (an empty option leaves the Settings' choice).
func TestGUIOptions(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	tests := []struct {
		name          string
		flags         guiFlags
		vars          map[string]string
		dataDir, lang string
	}{
		{"settings decide", guiFlags{}, nil, "", ""},
		{"environment", guiFlags{}, map[string]string{envDataDir: "/env/data", envLang: "ru"}, "/env/data", "ru"},
		{"flags over environment", guiFlags{dataDir: "/flag/data", lang: "kk"}, map[string]string{envDataDir: "/env/data", envLang: "ru"}, "/flag/data", "kk"},
		{"one flag, one variable", guiFlags{lang: "en"}, map[string]string{envDataDir: "/env/data"}, "/env/data", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := guiOptions(tt.flags, env(tt.vars))
			if o.DataDir != tt.dataDir || o.Language != tt.lang {
				t.Errorf("data folder %q, language %q; want %q, %q", o.DataDir, o.Language, tt.dataDir, tt.lang)
			}
			if o.Version != version || o.Icon == nil {
				t.Errorf("version %q, icon %v: the window's identity is missing", o.Version, o.Icon)
			}
		})
	}
	o := guiOptions(guiFlags{}, env(map[string]string{envScreen: "documents", envOpen: "invoice.xml"}))
	if o.Screen != "documents" || o.Open != "invoice.xml" {
		t.Errorf("screen %q, open %q: the screenshot variables are lost", o.Screen, o.Open)
	}
	// A file opened from the file manager picks its screen.
	for file, screen := range map[string]string{"/k/head.p12": "keys", "/d/act.pdf.cms": "verify", "/d/x.P7S": "verify", "/d/act.pdf": "sign"} {
		if o := guiOptions(guiFlags{open: file, minimized: true}, env(nil)); o.Screen != screen || o.Open != file || !o.Minimized {
			t.Errorf("%s: screen %q, open %q, minimized %v; want %s", file, o.Screen, o.Open, o.Minimized, screen)
		}
	}
}

// TestGUICommand: "qoltanba gui …" and the bare "qoltanba --lang kk" reach
// the window with the flags parsed, in-process through run, with the window
// itself replaced; bad flags print the usage line and open nothing.
func TestGUICommand(t *testing.T) {
	if !slices.ContainsFunc(commands(), func(c command) bool { return c.name == "gui" }) {
		t.Skip("cli.go does not register guiCommand yet")
	}
	var opened []guiFlags
	startGUI = func(_ context.Context, f guiFlags) error { opened = append(opened, f); return nil }
	t.Cleanup(func() { startGUI = openGUIWith })
	dir := t.TempDir()
	key := filepath.Join(dir, "head.p12")
	os.WriteFile(key, []byte("x"), 0o600)
	tests := []struct {
		args   []string
		code   int
		opened *guiFlags
		stderr string
	}{
		{[]string{key}, 0, &guiFlags{open: key}, ""},
		{[]string{"gui", "--minimized"}, 0, &guiFlags{minimized: true}, ""},
		{[]string{"gui"}, 0, &guiFlags{}, ""},
		{[]string{"gui", "--data-dir", dir, "--lang", "ru"}, 0, &guiFlags{dataDir: dir, lang: "ru"}, ""},
		{[]string{"--lang", "kk"}, 0, &guiFlags{lang: "kk"}, ""},
		{[]string{"--data-dir=" + dir}, 0, &guiFlags{dataDir: dir}, ""},
		{[]string{"gui", "--lang", "fr"}, 1, nil, "usage: " + synopsis(guiCommand)},
		{[]string{"--nonsense"}, 1, nil, "qoltanba: error: flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			opened = nil
			code, _, stderr := runCLI(t, "", tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.stderr)
			}
			switch {
			case tt.opened == nil && len(opened) != 0:
				t.Errorf("a window opened with %+v", opened[0])
			case tt.opened != nil && (len(opened) != 1 || opened[0] != *tt.opened):
				t.Errorf("window opened with %+v, want %+v", opened, *tt.opened)
			}
		})
	}
	code, out, _ := runCLI(t, "", "help")
	if code != 0 || !strings.Contains(out, synopsis(guiCommand)) {
		t.Errorf("help does not list the window's flags:\n%s", out)
	}
}

func mustGetwd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}
