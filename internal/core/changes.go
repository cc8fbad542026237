package core

import (
	"slices"

	"github.com/qoltanba/qoltanba/sync/store"
)

// Change says that a document in the store changed through the core: a
// document imported, a signature added (from any face), an export
// journaled. Faces that show the store subscribe instead of re-querying on
// a timer or a keystroke.
type Change struct {
	Document store.ID
}

// Subscribe calls f, on the goroutine that made the change, after every
// Change; f must not block (a window hands the work to its own goroutine).
func (c *Core) Subscribe(f func(Change)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.listeners = append(c.listeners, f)
}

// changed tells the subscribers.
func (c *Core) changed(id store.ID) {
	c.mu.RLock()
	ls := slices.Clone(c.listeners)
	c.mu.RUnlock()
	for _, f := range ls {
		f(Change{Document: id})
	}
}

// Changed tells the subscribers that a face changed a document in the
// store by itself (the portal sync applies received documents and
// receipts in its own transactions).
func (c *Core) Changed(id store.ID) { c.changed(id) }
