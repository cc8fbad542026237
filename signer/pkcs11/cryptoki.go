package pkcs11

// cryptoki is the part of the PKCS#11 API this package calls. A loaded module
// implements it through github.com/miekg/pkcs11 (cgo_module.go); tests also
// run the decision code against a test double of it. Errors from the module
// are RV values. Handles and slot IDs are the module's CK_ULONGs.
type cryptoki interface {
	Initialize() error
	Finalize() error
	// Destroy unloads the library; nothing may be called afterwards.
	Destroy()
	Info() (libraryInfo, error)
	SlotList(tokenPresent bool) ([]uint, error)
	TokenInfo(slot uint) (tokenInfo, error)
	Mechanisms(slot uint) ([]uint, error)
	// OpenSession opens a read-only serial session.
	OpenSession(slot uint) (uint, error)
	CloseSession(session uint) error
	// Login logs the user in; pin is nil on a protected authentication
	// path (a PIN pad). The implementation must not keep pin.
	Login(session uint, pin []byte) error
	Logout(session uint) error
	// FindObjects runs C_FindObjectsInit/C_FindObjects/C_FindObjectsFinal.
	FindObjects(session uint, template []attribute, max int) ([]uint, error)
	// Attributes reads the types; a type the object lacks (or keeps
	// sensitive) comes back with a nil Value and no error.
	Attributes(session, object uint, types []uint) ([]attribute, error)
	// Sign runs C_SignInit and C_Sign with a mechanism without parameters.
	Sign(session uint, mechanism uint, key uint, data []byte) ([]byte, error)
}

type attribute struct {
	Type  uint
	Value []byte
}

type libraryInfo struct {
	Manufacturer, Description string
	Version                   string
}

type tokenInfo struct {
	Label, Manufacturer, Model, Serial string
	Flags                              uint
}
