package xmldsig

// Limits on untrusted input. They are far above anything NCALayer or a portal
// produces and low enough that a hostile document costs little to reject.
const (
	// MaxDocumentSize bounds the bytes Verify and Sign accept.
	MaxDocumentSize = 64 << 20
	// maxDepth bounds element nesting (the parser and the recursive
	// canonicalizer both rely on it).
	maxDepth = 256
	// maxSignatures bounds the ds:Signature elements Verify examines.
	maxSignatures = 64
	// maxReferences bounds ds:Reference elements per SignedInfo.
	maxReferences = 16
	// maxTransforms bounds ds:Transform elements per Reference.
	maxTransforms = 8
	// maxCertificates bounds X509Certificate elements per KeyInfo.
	maxCertificates = 16
)
