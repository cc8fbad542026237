//go:build !cgo

package pkcs11

import "fmt"

// loadLibrary without cgo: PKCS#11 modules are C libraries, so a pure-Go
// build can list no tokens. Everything else in the package still builds.
func loadLibrary(path string) (cryptoki, error) {
	return nil, fmt.Errorf("load %s: %w (this build of qoltanba was made with CGO_ENABLED=0)", path, ErrNeedsCgo)
}
