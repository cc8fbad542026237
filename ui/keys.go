// Package ui is Qoltanba's Fyne GUI. Screens are functions of a window that
// return a canvas object; widgets are touched only on Fyne's goroutine
// (fyne.Do) once work leaves it. The package never imports fyne/v2/app, so
// its tests run headless with fyne.io/fyne/v2/test and CGO_ENABLED=0.
package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/keyfile"
	"github.com/qoltanba/qoltanba/signer/pki"
)

// KeysScreen lists the key files found in folders and lets the user open one
// with its password to see whose key it is.
type KeysScreen struct {
	window  fyne.Window
	folders []string
	found   []keyfile.Found

	where    *widget.Label
	list     *widget.List
	selected *widget.Label
	password *widget.Entry
	open     *widget.Button
	result   *widget.Label
	current  int
}

// NewKeysScreen builds the screen and searches folders for key files.
func NewKeysScreen(w fyne.Window, folders []string) *KeysScreen {
	s := &KeysScreen{window: w, current: -1}
	s.where = widget.NewLabel("")
	s.where.Wrapping = fyne.TextWrapWord
	s.list = widget.NewList(
		func() int { return len(s.found) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			f := s.found[i]
			text := f.Name()
			if f.Kind != keyfile.KindUnknown {
				text += " — " + string(f.Kind)
			}
			o.(*widget.Label).SetText(text)
		},
	)
	s.list.OnSelected = s.choose
	s.selected = widget.NewLabel("Choose a key file")
	s.password = widget.NewPasswordEntry()
	s.password.SetPlaceHolder("Key password")
	s.password.OnSubmitted = func(string) { s.openSelected() }
	s.open = widget.NewButton("Open", s.openSelected)
	s.open.Importance = widget.HighImportance
	s.result = widget.NewLabel("")
	s.result.Wrapping = fyne.TextWrapWord
	s.setFolders(folders)
	return s
}

// Content is the screen's canvas object.
func (s *KeysScreen) Content() fyne.CanvasObject {
	other := widget.NewButton("Search another folder…", func() {
		dialog.ShowFolderOpen(func(dir fyne.ListableURI, err error) {
			if err == nil && dir != nil {
				s.setFolders([]string{dir.Path()})
			}
		}, s.window)
	})
	details := container.NewVBox(
		s.selected,
		s.password,
		s.open,
		widget.NewSeparator(),
		s.result,
	)
	split := container.NewHSplit(s.list, container.NewVScroll(details))
	split.Offset = 0.45
	return container.NewBorder(container.NewVBox(s.where, other), nil, nil, nil, split)
}

func (s *KeysScreen) setFolders(folders []string) {
	s.folders = folders
	s.found = keyfile.Find(folders)
	s.current = -1
	s.list.UnselectAll()
	s.list.Refresh()
	switch {
	case len(folders) == 0:
		s.where.SetText("No key folder found. Put your .p12 key files in Documents, or search another folder.")
	case len(s.found) == 0:
		s.where.SetText("No key files in " + strings.Join(folders, ", ") + ".")
	default:
		s.where.SetText(fmt.Sprintf("%d key files in %s", len(s.found), strings.Join(folders, ", ")))
	}
}

func (s *KeysScreen) choose(i widget.ListItemID) {
	s.current = i
	s.selected.SetText(s.found[i].Path)
	s.result.SetText("")
	s.password.SetText("")
	s.window.Canvas().Focus(s.password)
}

// openSelected decodes the chosen file off the UI goroutine: PBKDF work on a
// big file must not freeze the window.
func (s *KeysScreen) openSelected() {
	if s.current < 0 {
		s.result.SetText("Choose a key file first.")
		return
	}
	path := s.found[s.current].Path
	password := []byte(s.password.Text)
	s.password.SetText("")
	s.open.Disable()
	s.result.SetText("Opening…")
	go func() {
		text := describeKey(path, password)
		signer.Zero(password)
		fyne.Do(func() {
			s.result.SetText(text)
			s.open.Enable()
		})
	}()
}

func describeKey(path string, password []byte) string {
	key, err := keyfile.Open(path, password)
	if errors.Is(err, signer.ErrWrongPassword) {
		return "Wrong password. Passwords are case-sensitive: check Caps Lock and the keyboard layout."
	}
	if err != nil {
		return "Cannot open this file: " + err.Error()
	}
	defer key.Close()
	id := pki.IdentityOf(key.Certificate, time.Now())
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", id.CommonName)
	if id.IIN != "" {
		fmt.Fprintf(&b, "IIN %s\n", id.IIN)
	}
	if id.Organization != "" {
		fmt.Fprintf(&b, "%s, BIN %s\n", id.Organization, id.BIN)
	}
	roles := make([]string, len(id.Roles))
	for i, r := range id.Roles {
		roles[i] = string(r)
	}
	fmt.Fprintf(&b, "Roles: %s\nPurpose: %s\nAlgorithm: %s\n", strings.Join(roles, ", "), id.Purpose, id.Algorithm)
	fmt.Fprintf(&b, "Valid until %s (%d days left)\nIssuer: %s", id.NotAfter.Format(time.DateOnly), id.DaysLeft, id.Issuer)
	return b.String()
}
