package pkcs11

import (
	"errors"
	"fmt"
)

// Token is a present, initialised token in one slot of a module.
type Token struct {
	Module                             *Module
	Slot                               uint
	Label, Manufacturer, Model, Serial string
	PIN                                PINState
	flags                              uint
}

// Tokens lists the initialised tokens present in the module's slots.
// (SoftHSM always shows one extra uninitialised token: it is skipped.) A slot
// whose token cannot be read is left out as if empty — that is how a token
// pulled mid-call, or a SoftHSM token whose files vanished, looks — and is
// reported in err alongside the tokens that could be read.
func (m *Module) Tokens() ([]Token, error) {
	ts, slotErrs, err := m.scanSlots()
	if err != nil {
		return nil, err
	}
	return ts, errors.Join(slotErrs...)
}

// scanSlots separates a failed C_GetSlotList (err: nothing is known) from
// unreadable slots (slotErrs: those tokens are gone).
func (m *Module) scanSlots() (out []Token, slotErrs []error, err error) {
	slots, err := m.ck.SlotList(true)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: C_GetSlotList: %w", m.Path, err)
	}
	for _, s := range slots {
		ti, err := m.ck.TokenInfo(s)
		if err != nil {
			if !isGone(err) {
				slotErrs = append(slotErrs, fmt.Errorf("%s: slot %d: C_GetTokenInfo: %w", m.Path, s, err))
			}
			continue
		}
		if ti.Flags&ckfTokenInitialized == 0 {
			continue
		}
		out = append(out, m.newToken(s, ti))
	}
	return out, slotErrs, nil
}

func (m *Module) newToken(slot uint, ti tokenInfo) Token {
	return Token{Module: m, Slot: slot, Label: ti.Label, Manufacturer: ti.Manufacturer, Model: ti.Model,
		Serial: ti.Serial, PIN: pinStateOf(ti.Flags), flags: ti.Flags}
}

func (t Token) info() tokenInfo {
	return tokenInfo{Label: t.Label, Manufacturer: t.Manufacturer, Model: t.Model, Serial: t.Serial, Flags: t.flags}
}

// URI names the token (with its module, so another process finds it).
func (t Token) URI() *URI {
	return &URI{Token: t.Label, Manufacturer: t.Manufacturer, Model: t.Model, Serial: t.Serial, SlotID: -1, ModulePath: t.Module.Path}
}

// refresh reads the token's flags again (after a wrong PIN the PIN state
// changes); it returns t unchanged if the token cannot be read.
func (t Token) refresh() Token {
	ti, err := t.Module.ck.TokenInfo(t.Slot)
	if err != nil || ti.Serial != t.Serial || ti.Label != t.Label {
		return t
	}
	return t.Module.newToken(t.Slot, ti)
}

func (t Token) String() string { return quote(t.Label) }
