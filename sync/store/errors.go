package store

import (
	"errors"
	"fmt"
)

// Sentinel errors: conditions callers (the CLI, the GUI, sync) act on. They
// are wrapped with context; test with errors.Is.
var (
	// ErrLocked: the database file is held by another process. bbolt's
	// exclusive file lock is also Qoltanba's single-instance guard.
	ErrLocked = errors.New("the database is in use: is another qoltanba running?")
	// ErrNotFound: no document, version or signature with that id.
	ErrNotFound = errors.New("not found")
	// ErrIllegalTransition: the document's state does not allow the change;
	// the error is a *TransitionError saying what is allowed.
	ErrIllegalTransition = errors.New("illegal state transition")
	// ErrTooLarge: the content exceeds Options.MaxContentSize.
	ErrTooLarge = errors.New("content too large")
	// ErrForbiddenType: executables and scripts are never stored.
	ErrForbiddenType = errors.New("forbidden file type")
	// ErrTypeMismatch: the file's name promises one type, its bytes are another.
	ErrTypeMismatch = errors.New("file name and content disagree")
	// ErrEmpty: a document needs content.
	ErrEmpty = errors.New("empty content")
	// ErrTampered: stored bytes no longer match the digests the journal
	// recorded: the database or a content file was changed behind our back.
	ErrTampered = errors.New("stored data does not match its recorded digest")
	// ErrSchemaTooNew: the database was written by a newer Qoltanba.
	ErrSchemaTooNew = errors.New("database schema is newer than this program")
	// ErrRetention: a signed document is kept at least RetentionPeriod.
	ErrRetention = errors.New("document is under retention")
	// ErrNotCurrent: signatures go on the current version only.
	ErrNotCurrent = errors.New("not the current version")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store is closed")
)

// TransitionError says which state change was refused and what the document
// could do instead.
type TransitionError struct {
	ID       ID
	From, To State
	Allowed  []State
	Why      string // optional extra reason
}

func (e *TransitionError) Error() string {
	msg := fmt.Sprintf("document %s is %s and cannot become %s", e.ID, e.From, e.To)
	if e.Why != "" {
		msg += ": " + e.Why
	}
	if len(e.Allowed) == 0 {
		return msg + " (no further changes are possible)"
	}
	return fmt.Sprintf("%s (from %s it can become: %s)", msg, e.From, joinStates(e.Allowed))
}

func (e *TransitionError) Unwrap() error { return ErrIllegalTransition }
