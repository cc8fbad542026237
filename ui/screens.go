package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Screen is one entry of the registry: what the sidebar shows and how the
// screen is built. Build runs on Fyne's goroutine and must not block.
type Screen struct {
	ID    string
	Title string // translation key
	Icon  fyne.Resource
	// InNav: listed in the sidebar (the welcome is reached otherwise).
	InNav bool
	// Hidden hides a screen whose backend is not there yet.
	Hidden func(*App) bool
	Build  func(*App) fyne.CanvasObject
}

// screens is the registry, in sidebar order.
func screens() []Screen {
	return []Screen{
		{ID: "welcome", Title: "nav.welcome", Icon: theme.HomeIcon(), Build: (*App).welcomeScreen},
		{ID: "keys", Title: "nav.keys", Icon: theme.AccountIcon(), InNav: true, Build: (*App).keysScreen},
		{ID: "sign", Title: "nav.sign", Icon: theme.DocumentCreateIcon(), InNav: true, Build: (*App).signScreen},
		{ID: "verify", Title: "nav.verify", Icon: theme.ConfirmIcon(), InNav: true, Build: (*App).verifyScreen},
		{ID: "documents", Title: "nav.documents", Icon: theme.FolderIcon(), InNav: true, Build: (*App).documentsScreen},
		{ID: "registers", Title: "nav.registers", Icon: theme.ListIcon(), InNav: true, Build: (*App).registersScreen},
		{ID: "agreements", Title: "nav.agreements", Icon: theme.DocumentIcon(), InNav: true, Build: (*App).agreementsScreen},
		{ID: "settings", Title: "nav.settings", Icon: theme.SettingsIcon(), InNav: true, Build: (*App).settingsScreen},
		{ID: "about", Title: "nav.about", Icon: theme.InfoIcon(), InNav: true, Build: (*App).aboutScreen},
	}
}

// ScreenIDs lists the registry's screen IDs (for QOLTANBA_SCREEN and the
// screenshot script).
func ScreenIDs() []string {
	var ids []string
	for _, s := range screens() {
		ids = append(ids, s.ID)
	}
	return ids
}

func screenByID(id string) *Screen {
	for _, s := range screens() {
		if s.ID == id {
			return &s
		}
	}
	return nil
}
