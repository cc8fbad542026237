// Package diskerr recognises a disk that refuses a write — full, or
// read-only — so that the window and the command line can say what to do
// instead of the system's words. The store commits whole or not at all, so
// such a refusal never costs what was stored before.
package diskerr

// Full reports whether err says the disk has no room left.
func Full(err error) bool { return full(err) }

// ReadOnly reports whether err says the disk takes no writes.
func ReadOnly(err error) bool { return readOnly(err) }
