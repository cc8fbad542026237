package xmldsig

import "errors"

// Errors callers act on. Functions wrap them with context: test with errors.Is.
var (
	// ErrNotXML: the input is not well-formed XML (or has no root element).
	ErrNotXML = errors.New("xmldsig: not well-formed XML")
	// ErrDTD: the document carries a DOCTYPE. DTDs are refused outright:
	// entity expansion ("billion laughs") and external entities are the
	// classic attacks on XML signature verifiers, and NCALayer never writes one.
	ErrDTD = errors.New("xmldsig: DOCTYPE/DTD not allowed")
	// ErrEncoding: the document declares an encoding other than UTF-8.
	ErrEncoding = errors.New("xmldsig: only UTF-8 documents are supported")
	// ErrTooLarge: the document exceeds a size, depth or count limit.
	ErrTooLarge = errors.New("xmldsig: document exceeds limits")
	// ErrNoSignature: Verify found no ds:Signature element.
	ErrNoSignature = errors.New("xmldsig: no signature in document")
	// ErrUnsupportedKey: Sign was given a key type it cannot sign XML with.
	ErrUnsupportedKey = errors.New("xmldsig: unsupported key type")
	// ErrKeyMismatch: the certificate does not carry the signing key's public key.
	ErrKeyMismatch = errors.New("xmldsig: certificate does not match the key")
	// ErrElementNotFound: SignOptions.ID or ParentXPath names no element.
	ErrElementNotFound = errors.New("xmldsig: element not found")
	// ErrAmbiguousID: more than one element carries the Id to sign or verify;
	// signing or verifying either would invite signature-wrapping attacks.
	ErrAmbiguousID = errors.New("xmldsig: Id is not unique")
)
