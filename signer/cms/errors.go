package cms

import "errors"

// Errors callers act on; functions wrap them with detail, so test with errors.Is.
var (
	// ErrMalformed: the input is not a CMS SignedData this package can
	// parse (truncated, garbage, another content type).
	ErrMalformed = errors.New("cms: malformed")
	// ErrNoContent: a detached CMS was given without its content where the
	// content is needed (co-signing).
	ErrNoContent = errors.New("cms: detached content not given")
	// ErrUnsupported: a key or algorithm the package cannot sign with.
	ErrUnsupported = errors.New("cms: unsupported")
	// ErrTSA: the time-stamp authority failed, refused the request, or
	// answered something that does not match it.
	ErrTSA = errors.New("cms: time-stamp authority")
)
