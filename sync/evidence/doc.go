// Package evidence writes and checks evidence packages: one zip file that
// holds everything needed to show, years later and without a network,
// that a stored document was signed, by whom, with what certificate
// status, and that the local journal recorded it.
//
// Layout of a package (every path is fixed by this package; names are
// never taken from the document except the content's base name, cleaned):
//
//	manifest.json               format, document, and SHA-256 + size of every other file
//	README.txt                  what is inside and how to check it by hand
//	document.json               the document, its versions and signature records
//	content/v<N>/<name>         each version's content, as stored
//	signatures/v<N>-s<I>.xml    signature I of version N (XMLDSig: the signed document)
//	signatures/v<N>-s<I>.p7s    … (CMS, DER)
//	certificates/<sha256>.cer   every certificate involved (signers, CAs, TSAs), DER,
//	                            named by its SHA-256 fingerprint
//	chains.json                 per signature, the chain the verifier built (fingerprints)
//	revocation/<n>.der          OCSP responses and CRLs the verification used
//	revocation.json             what each of those is: kind, URL, issuer, subject, fetched
//	report.json, report.txt     the verification reports at export time
//	journal/journal.json        the journal from the document's first entry to the
//	                            head: each entry's stored bytes (hex) and fields,
//	                            the hash before the first, and the head
//	journal/ENCODING.txt        the entry encoding, to check the chain with SHA-256 alone
//
// Why the journal extract runs from the document's first entry to the head
// and not just the document's own entries: an entry's hash covers its
// whole encoding, so a chain can only be checked over consecutive entries.
// The extract therefore also carries the other entries of that period
// (their actions, digests and short details). The head it ends with is the
// value `qoltanba journal verify` prints; comparing the two ties the
// package to the live journal.
//
// The manifest is not signed: a forger can rewrite it. It catches damage
// and careless edits; forgery is caught by the deeper checks (signatures
// over the packaged content, the journal's digests of content and
// signatures, the hash chain up to a head the owner can compare).
package evidence
