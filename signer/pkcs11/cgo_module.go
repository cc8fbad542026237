//go:build cgo

package pkcs11

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"unsafe"

	p11 "github.com/miekg/pkcs11"
)

// loadLibrary dlopens a module through github.com/miekg/pkcs11. A file that
// is missing, not a shared library, or lacks C_GetFunctionList is reported
// as ErrNotPKCS11, never a crash: the PKCS#11 entry point is looked up
// before anything in the library is called.
func loadLibrary(path string) (cryptoki, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrNotPKCS11, path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a file", ErrNotPKCS11, path)
	}
	ctx := p11.New(path)
	if ctx == nil {
		return nil, fmt.Errorf("%w: %s cannot be loaded as a shared library or has no C_GetFunctionList", ErrNotPKCS11, path)
	}
	return &miekgModule{ctx: ctx}, nil
}

// miekgModule implements cryptoki over github.com/miekg/pkcs11.
type miekgModule struct{ ctx *p11.Ctx }

// rv turns a miekg error into an RV so that the pure-Go code can match codes.
func rv(err error) error {
	var e p11.Error
	if errors.As(err, &e) {
		return RV(e)
	}
	return err
}

func (m *miekgModule) Initialize() error { return rv(m.ctx.Initialize()) }
func (m *miekgModule) Finalize() error   { return rv(m.ctx.Finalize()) }
func (m *miekgModule) Destroy()          { m.ctx.Destroy() }

func (m *miekgModule) Info() (libraryInfo, error) {
	i, err := m.ctx.GetInfo()
	if err != nil {
		return libraryInfo{}, rv(err)
	}
	return libraryInfo{
		Manufacturer: trim(i.ManufacturerID),
		Description:  trim(i.LibraryDescription),
		Version:      fmt.Sprintf("%d.%d", i.LibraryVersion.Major, i.LibraryVersion.Minor),
	}, nil
}

func (m *miekgModule) SlotList(present bool) ([]uint, error) {
	s, err := m.ctx.GetSlotList(present)
	return s, rv(err)
}

func (m *miekgModule) TokenInfo(slot uint) (tokenInfo, error) {
	t, err := m.ctx.GetTokenInfo(slot)
	if err != nil {
		return tokenInfo{}, rv(err)
	}
	return tokenInfo{Label: trim(t.Label), Manufacturer: trim(t.ManufacturerID), Model: trim(t.Model),
		Serial: trim(t.SerialNumber), Flags: t.Flags}, nil
}

func (m *miekgModule) Mechanisms(slot uint) ([]uint, error) {
	ms, err := m.ctx.GetMechanismList(slot)
	if err != nil {
		return nil, rv(err)
	}
	out := make([]uint, len(ms))
	for i, mm := range ms {
		out[i] = mm.Mechanism
	}
	return out, nil
}

func (m *miekgModule) OpenSession(slot uint) (uint, error) {
	s, err := m.ctx.OpenSession(slot, p11.CKF_SERIAL_SESSION)
	return uint(s), rv(err)
}

func (m *miekgModule) CloseSession(s uint) error { return rv(m.ctx.CloseSession(p11.SessionHandle(s))) }
func (m *miekgModule) Logout(s uint) error       { return rv(m.ctx.Logout(p11.SessionHandle(s))) }

// Login hands miekg/pkcs11 a string that aliases pin instead of a copy, so
// that zeroing pin after the call leaves no Go copy behind. Known gap:
// miekg/pkcs11 copies the PIN into C memory (C.CString) for the call and
// frees it without zeroing; calling the module's C_Login on pin's own memory
// would close it.
func (m *miekgModule) Login(s uint, pin []byte) error {
	var str string
	if len(pin) > 0 {
		str = unsafe.String(unsafe.SliceData(pin), len(pin))
	}
	return rv(m.ctx.Login(p11.SessionHandle(s), p11.CKU_USER, str))
}

func (m *miekgModule) FindObjects(s uint, template []attribute, max int) ([]uint, error) {
	sh := p11.SessionHandle(s)
	tpl := make([]*p11.Attribute, len(template))
	for i, a := range template {
		tpl[i] = p11.NewAttribute(a.Type, a.Value)
	}
	if err := m.ctx.FindObjectsInit(sh, tpl); err != nil {
		return nil, rv(err)
	}
	var out []uint
	for len(out) < max {
		hs, _, err := m.ctx.FindObjects(sh, min(maxObjectsPerFind, max-len(out)))
		if err != nil {
			_ = m.ctx.FindObjectsFinal(sh)
			return nil, rv(err)
		}
		if len(hs) == 0 {
			break
		}
		for _, h := range hs {
			out = append(out, uint(h))
		}
	}
	if err := m.ctx.FindObjectsFinal(sh); err != nil {
		return nil, rv(err)
	}
	return out, nil
}

// Attributes asks for all types at once and falls back to one at a time
// when the module refuses the batch (CKR_ATTRIBUTE_TYPE_INVALID or
// _SENSITIVE for any one of them fails the whole call on many modules).
func (m *miekgModule) Attributes(s, o uint, types []uint) ([]attribute, error) {
	sh, oh := p11.SessionHandle(s), p11.ObjectHandle(o)
	tpl := make([]*p11.Attribute, len(types))
	for i, t := range types {
		tpl[i] = p11.NewAttribute(t, nil)
	}
	got, err := m.ctx.GetAttributeValue(sh, oh, tpl)
	if err == nil {
		out := make([]attribute, len(got))
		for i, a := range got {
			out[i] = attribute{a.Type, a.Value}
		}
		return out, nil
	}
	if !isRV(rv(err), ckrAttributeTypeInvalid, ckrAttributeSensitive) {
		return nil, rv(err)
	}
	out := make([]attribute, len(types))
	for i, t := range types {
		out[i].Type = t
		one, err := m.ctx.GetAttributeValue(sh, oh, []*p11.Attribute{p11.NewAttribute(t, nil)})
		switch {
		case err == nil && len(one) == 1:
			out[i].Value = one[0].Value
		case err != nil && !isRV(rv(err), ckrAttributeTypeInvalid, ckrAttributeSensitive):
			return nil, rv(err)
		}
	}
	return out, nil
}

func (m *miekgModule) Sign(s uint, mech uint, key uint, data []byte) ([]byte, error) {
	sh := p11.SessionHandle(s)
	if err := m.ctx.SignInit(sh, []*p11.Mechanism{p11.NewMechanism(mech, nil)}, p11.ObjectHandle(key)); err != nil {
		return nil, rv(err)
	}
	sig, err := m.ctx.Sign(sh, data)
	return sig, rv(err)
}

// trim drops the blank padding of PKCS#11's fixed-width strings and any NULs
// a careless module leaves.
func trim(s string) string { return strings.TrimRight(s, " \x00") }
