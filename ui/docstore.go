package ui

import (
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"

	"github.com/qoltanba/qoltanba/sync/store"
)

// storeState says where the document store stands. The store is opened off
// the path to the first frame (bbolt may wait up to a second for the lock of
// another Qoltanba), so the Documents screen starts in storeOpening.
type storeState int

const (
	storeOpening storeState = iota
	storeReady
	storeLocked // another Qoltanba holds the database
	storeFailed
)

// openStoreAsync opens the store on a worker goroutine and hands it to the
// GUI through fyne.Do. If the GUI was closed meanwhile, the store is closed
// at once so that the lock is released.
func (g *App) openStoreAsync() {
	if g.opts.Store != nil {
		g.store, g.storeState = g.opts.Store, storeReady
		g.core.Store = g.store
		g.startBridge()
		g.startPortalSync()
		return
	}
	open := g.opts.OpenStore
	if open == nil {
		dir := g.dataDir
		open = func() (store.Store, error) { return store.Open(dir, store.Options{}) }
	}
	g.storeState = storeOpening
	go func() {
		st, err := open()
		g.storeMu.Lock()
		if g.closed {
			g.storeMu.Unlock()
			if err == nil {
				st.Close()
			}
			return
		}
		g.pending = st
		g.storeMu.Unlock()
		runOnUI(func() {
			g.storeMu.Lock()
			if g.closed {
				g.storeMu.Unlock()
				return
			}
			if err == nil {
				g.store = g.pending
				g.core.Store = g.store
				// Every signature made for a website is recorded: the
				// bridge answers once the store is there.
				g.startBridge()
				g.startPortalSync()
			}
			g.pending = nil
			g.storeMu.Unlock()
			g.storeErr = err
			switch {
			case err == nil:
				g.storeState = storeReady
			case errors.Is(err, store.ErrLocked):
				g.storeState = storeLocked
				fyne.LogError("open the document store", err)
			default:
				g.storeState = storeFailed
				fyne.LogError("open the document store", err)
			}
			switch g.current {
			case "documents":
				g.show("documents")
				if err == nil {
					g.loadDocs()
				}
			case "registers", "agreements":
				// Built while the store was opening: build again on it.
				g.show(g.current)
			}
		})
	}()
}

// Close releases what the GUI holds: the document store (its lock) and the
// token modules. ShowAndRun calls it after the window closes; tests call it.
func (g *App) Close() {
	g.flushSettings()
	if g.web.stop != nil {
		g.web.stop()
	}
	if g.web.bridge != nil {
		g.web.bridge.Recorded() // what websites got is in the store before it closes
	}
	g.stopPortalSync()
	g.stopTokenWatch()
	g.closeTokens()
	g.storeMu.Lock()
	if g.closed {
		g.storeMu.Unlock()
		return
	}
	g.closed = true
	st := g.store
	if st == nil {
		st = g.pending
	}
	g.store, g.pending = nil, nil
	g.storeMu.Unlock()
	if st != nil {
		if err := st.Close(); err != nil {
			fyne.LogError("close the document store", err)
		}
	}
}

// storeProblem is the message for a store that is not there, or "".
func (g *App) storeProblem() (title, text string) {
	switch g.storeState {
	case storeOpening:
		return T("documents.opening"), ""
	case storeLocked:
		return T("documents.locked"), T("documents.lockedText", map[string]any{"Dir": g.dataDir})
	case storeFailed:
		return T("documents.failed"), T("documents.failedText", map[string]any{"Error": fmt.Sprint(g.storeErr)})
	}
	return "", ""
}

// storeTimeout bounds the store operations the screens start.
const storeTimeout = 30 * time.Second
