//go:build !cgo

package pkcs11

import "testing"

func cleanupSoftHSM() {}

type hsm struct{}

func softHSM(t testing.TB) *hsm {
	t.Helper()
	t.Skip("SoftHSM tests need cgo (PKCS#11 modules are C libraries)")
	return nil
}
