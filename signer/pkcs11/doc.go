// Package pkcs11 finds, unlocks and signs with keys on hardware tokens
// (Kaztoken, eToken, JaCarta, Rutoken, and SoftHSM in tests) through their
// PKCS#11 modules, behind the same signer.KeyStore → crypto.Signer interface as
// PKCS#12 files, so every format and every face signs with a token exactly as
// with a file.
//
// Layout: everything that decides (URIs, pairing keys with certificates, PIN
// state, mechanisms, the watcher, the registry of loaded modules) is pure Go
// and talks to a module through the small cryptoki interface (cryptoki.go).
// Only cgo_module.go wraps github.com/miekg/pkcs11; without cgo, nocgo.go
// makes every load fail with ErrNeedsCgo, so pure-Go builds still compile and
// the decision code is still tested against a test double.
//
// A PKCS#11 module is initialised once per process (C_Initialize is not
// reentrant across callers of one library): Load hands out references to one
// shared Module per path and finalises it when the last reference closes.
package pkcs11
