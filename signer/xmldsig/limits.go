package xmldsig

// Limits on untrusted input. They are far above anything NCALayer or a portal
// produces and low enough that a hostile document costs little to reject.
const (
	// MaxDocumentSize bounds the bytes Verify and Sign accept.
	MaxDocumentSize = 64 << 20
	// maxElements bounds the elements of a document, counted before its
	// tree is built: the tree costs 100–250 bytes an element, so this
	// keeps it within some 50 MB whatever the document is made of. Portal
	// documents (an invoice of a thousand lines) have tens of thousands.
	maxElements = 200_000
	// maxAttributes bounds the attributes (and namespace declarations)
	// likewise: each costs about as much as an element.
	maxAttributes = 400_000
	// cheapTreeElements: a document this small is parsed whole even when
	// it has no Signature element (its tree costs at most a few MB).
	cheapTreeElements = 10_000
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
