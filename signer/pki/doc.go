// Package pki holds what the signing core knows about certificates and trust
// in Kazakhstan's PKI: the identity a certificate names (IIN, BIN, role,
// purpose), certificate and CRL signature checks that also cover the GOST
// algorithms crypto/x509 cannot verify, and (later) chains, OCSP, CRL and TSA
// clients and the verification report.
//
// The facts this package relies on are collected in docs/kz-pki.md; where a
// real NCA test certificate contradicts that document, the certificate wins
// and the code says so.
package pki
