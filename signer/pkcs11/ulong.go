//go:build !windows

package pkcs11

import "unsafe"

// ulongSize is sizeof(CK_ULONG): C's unsigned long, the word size on Unix.
const ulongSize = int(unsafe.Sizeof(uintptr(0)))
