// Package xmldsig signs XML the way NCALayer (Kalkan) does and verifies
// XML signatures without being fooled by them.
//
// Signing (Sign) reproduces NCALayer's two shapes byte for byte (checked
// against Kalkan's own output in ../shared/testdata/kalkan):
//
//   - whole document: an enveloped ds:Signature appended to the root (or to
//     SignOptions.ParentXPath), SignedInfo canonicalized with inclusive
//     C14N 1.0, Reference URI="" with the transforms enveloped-signature
//     and REC-xml-c14n-20010315#WithComments;
//   - one element: Reference URI="#Id", SignedInfo canonicalized with
//     exclusive C14N, the single transform c14n#WithComments.
//
// In both, "#WithComments" changes nothing: a same-document reference ("" or
// "#Id") selects its nodes without comments (XMLDSig 4.4.3.3), as Santuario
// and xmlsec1 both implement, so comments are never signed. GOST digests
// and signatures are written as Kalkan writes them: DigestValue is the
// base64 of the Streebog output bytes, SignatureValue r‖s little-endian.
// Layout is the Style: StyleNCALayer (commonUtils.signXml) or StyleCompact
// (basics.sign, what egov.kz accepts).
//
// Verification (Verify) reports one pki.Evidence per ds:Signature. It
// refuses DTDs, bounds size, depth and work, accepts only same-document
// references resolving to the whole document or to exactly one element
// (duplicate Ids fail), runs only the enveloped-signature and C14N
// transforms, and names in Evidence.Scope the element actually covered and
// where it is, so that signature wrapping cannot pass unnoticed.
//
// Canonicalization is this package's own (c14n.go); goxmldsig's exported
// canonicalizers are used only as a cross-check in tests.
package xmldsig
