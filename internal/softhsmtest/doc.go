// Package softhsmtest is test support, never used by the product: one
// SoftHSM2 fixture for every test of the module that needs a real PKCS#11
// token (signer/pkcs11, ui, cmd/qoltanba), so the configuration, the token
// set-up and the key import attributes are written once.
//
// SoftHSM reads SOFTHSM2_CONF and scans its token directory at C_Initialize
// only, once per process; tokens go into random slots and are found by
// label. The parts that need no cgo (configuration, softhsm2-util) are in
// config.go; the in-process set-up calls through miekg/pkcs11 (a C library)
// are in lib.go, built with cgo only.
package softhsmtest
