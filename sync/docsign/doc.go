// Package docsign signs a stored document version: it reads the version
// from the store, signs it through the formats code (signer/xmldsig,
// signer/cms), verifies the result at once with a pki.Verifier and stores
// the signature with the signer's summary, the signing time and the
// report. The CLI (`qoltanba docs sign`), the GUI and the bridge share it,
// so all three show the same plan before a secret is asked and store the
// same record.
package docsign
