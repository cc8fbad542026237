// Package testpki generates an NCA-like test PKI: for each family (GOST
// 34.10-2015-512 and RSA-2048) a root CA, an issuing CA, their CRLs and
// end-entity keys in NCA's PKCS#12 layout for the roles Kazakhstan's PKI
// knows (individual, legal entity's head, signer, financial, HR, employee,
// treasury client, information system), plus a revoked and an expired key.
//
// Tests use it to sign and verify with keys that behave like NCA's without
// depending on real NCA material, and later to run local OCSP, TSA and CRL
// responders: the PKI value keeps every key and certificate in memory, and
// the directory it writes is laid out like the URLs the certificates name
// (BaseURL/ca/<ca>.cer, BaseURL/crl/<ca>.crl), so an http.FileServer over
// Dir serves the AIA and CRL addresses as they are.
//
// Each family also has an OCSP responder certificate (id-kp-OCSPSigning,
// id-pkix-ocsp-nocheck) and a TSA certificate (critical id-kp-timeStamping).
// NewServer serves the whole PKI over HTTP at the addresses its certificates
// name: the OCSP responder (OCSPResponder, good/revoked/unknown from the
// CRLs, nonce echoed, RSA or GOST signed), the CRLs, the CA certificates and
// the TSA. Load rebuilds a PKI from its directory (the CA keys are written
// as ca/<name>.TEST-CA-KEY.p12 for that), and Serve runs it until its
// context ends ("qoltanba testpki serve").
//
// GOST certificates are built in two steps, because crypto/x509 can neither
// sign with nor embed a GOST key: crypto/x509 encodes the TBSCertificate
// with a throw-away ECDSA key (all extensions included), then the TBS's
// signature AlgorithmIdentifier and SubjectPublicKeyInfo are swapped for the
// GOST ones, and the result is hashed with Streebog and signed with the GOST
// issuer key. CRLs are built the same way.
package testpki
