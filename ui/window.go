package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/signer/keyfile"
)

// NewMainWindow creates Qoltanba's window in app: the version and the keys
// found in the user's usual key folders.
func NewMainWindow(app fyne.App, version string) fyne.Window {
	w := app.NewWindow("Qoltanba")
	w.SetContent(MainContent(w, version, keyfile.UsualFolders()))
	w.Resize(fyne.NewSize(900, 600))
	return w
}

// MainContent is the window's content; tests build it with a test window.
func MainContent(w fyne.Window, version string, folders []string) fyne.CanvasObject {
	title := widget.NewLabelWithStyle("Qoltanba "+version, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	subtitle := widget.NewLabel("Electronic digital signature with NCA RK keys")
	keys := NewKeysScreen(w, folders)
	return container.NewBorder(container.NewVBox(title, subtitle, widget.NewSeparator()), nil, nil, nil, keys.Content())
}
