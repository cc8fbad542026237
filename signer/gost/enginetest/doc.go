// Package enginetest cross-checks Qoltanba's GOST signatures against an
// independent implementation: the reference GOST engine of OpenSSL (Debian
// package libengine-gost-openssl, `openssl ... -engine gost`). It holds tests
// only, and Digest, which the hash packages' tests share; they skip with a
// message when openssl or the engine is missing.
//
// The engine speaks the Russian dialect of the same mathematics, so the tests
// translate at the boundary:
//   - keys travel as PEM PKCS#8 / SubjectPublicKeyInfo with the Russian OIDs
//     (id-tc26-gost3410-12-512 with paramSetA, id-tc26-gost3410-12-256 with
//     paramSetA, id-GostR3410-2001 with CryptoPro-A); the private key is an
//     OCTET STRING holding the little-endian scalar and the public key an
//     OCTET STRING holding x‖y little-endian, the same bytes as KZ uses;
//   - digests are passed unchanged: both sides read the hash output bytes as
//     a little-endian integer;
//   - a signature is s‖r big-endian on the engine's side (RFC 4491/7091) and
//     r‖s little-endian on ours (NCA RK), so one is the other reversed byte
//     for byte as a whole.
//
// GOST 34.310-2004 keys are checked over a 32-byte digest, and also over
// whole messages hashed with GOST R 34.11-94 with the CryptoPro S-box (the
// engine's md_gost94); KZ hashes with the test S-box, which the engine does
// not offer, so the 2004 message test checks the signature scheme, not the
// KZ hash.
package enginetest
