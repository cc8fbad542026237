package ui

import (
	"fyne.io/fyne/v2"
)

// DocumentStore is the seam for the Documents screen: the store's list of
// documents with their states. SEAM(documents): sync/store exists but is not
// wired into the GUI yet; when it is, set documentsBackend and build the
// list, search, filters, versions, signatures and journal here.
type DocumentStore interface {
	Count() (int, error)
}

// documentsBackend is nil until the store is wired: the screen is hidden.
var documentsBackend DocumentStore

func (g *App) documentsScreen() fyne.CanvasObject {
	return page(T("nav.documents"), T("documents.soon"), wrapped(""))
}
