// Package pkcs12 reads and writes PKCS#12 (RFC 7292) key files as NCA RK
// issues them, in pure Go.
//
// NCA's files are BER with indefinite lengths, protect the key bag with
// pbeWithSHA1And3-KeyTripleDES-CBC and the certificates with
// pbeWithSHA1And40BitRC2-CBC, MAC them with HMAC-SHA1, and may hold GOST
// keys; golang.org/x/crypto/pkcs12 and go-pkcs12 read none of them. This
// package reads those files and the ones OpenSSL 3 writes (PBES2 with
// PBKDF2 and AES, HMAC-SHA256 MACs), and writes both layouts.
//
// Decode returns every private key with its certificate and chain; Encode
// writes one key. Keys are crypto.Signers: *rsa.PrivateKey,
// *ecdsa.PrivateKey, ed25519.PrivateKey or *gost.PrivateKey.
package pkcs12
