package pkcs11

import (
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"slices"
	"sync"

	"github.com/qoltanba/qoltanba/signer/gost"
)

// double is a test double of the cryptoki interface: an in-memory module
// with tokens that hold GOST keys (no PKCS#11 module on this machine signs
// GOST: SoftHSM has no GOST mechanisms), PIN counters that reach the
// final-try and locked states (SoftHSM never locks a user PIN), and tokens
// that can be pulled and re-inserted.
type double struct {
	mu       sync.Mutex
	slots    map[uint]*dtoken
	sessions map[uint]uint // session → slot
	next     uint
	loggedIn map[uint]bool // slot → user logged in
	calls    []string
	// signed records the mechanisms used, for assertions.
	signed []uint
	// mechs is what Mechanisms returns.
	mechs []uint
	// gostMech is the mechanism the double's GOST keys accept; ncaOrder
	// makes it return r‖s little-endian instead of PKCS#11's s‖r big-endian.
	gostMech uint
	ncaOrder bool
}

type dtoken struct {
	info     tokenInfo
	present  bool
	pin      string
	tries    int // wrong PINs left before the lock
	objects  []dobject
	sessions map[uint]bool
}

type dobject struct {
	class uint
	id    []byte
	label string
	cert  *x509.Certificate
	key   *gost.PrivateKey
}

func newDouble() *double {
	return &double{slots: map[uint]*dtoken{}, sessions: map[uint]uint{}, loggedIn: map[uint]bool{}, next: 100,
		gostMech: ckmGOSTR3410512}
}

// addToken puts a token with one GOST key and its certificate in slot.
func (d *double) addToken(slot uint, label, pin string, key *gost.PrivateKey, cert *x509.Certificate, id []byte) {
	d.slots[slot] = &dtoken{
		info:    tokenInfo{Label: label, Manufacturer: "Test Double", Model: "KZ GOST", Serial: fmt.Sprintf("SN%04d", slot), Flags: ckfTokenInitialized | ckfLoginRequired | ckfUserPINInitialized},
		present: true, pin: pin, tries: 3, sessions: map[uint]bool{},
		objects: []dobject{
			{class: ckoCertificate, id: id, label: label + " cert", cert: cert},
			{class: ckoPrivateKey, id: id, label: label + " key", key: key},
		},
	}
}

// pull and insert simulate taking the token out of the reader and back.
func (d *double) pull(slot uint) {
	d.mu.Lock()
	defer d.mu.Unlock()
	t := d.slots[slot]
	t.present = false
	for s := range t.sessions {
		delete(d.sessions, s)
	}
	t.sessions = map[uint]bool{}
	d.loggedIn[slot] = false
}

func (d *double) insert(slot uint) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.slots[slot].present = true
}

func (d *double) Initialize() error { return nil }
func (d *double) Finalize() error   { return nil }
func (d *double) Destroy()          {}
func (d *double) Info() (libraryInfo, error) {
	return libraryInfo{Manufacturer: "Qoltanba tests", Description: "cryptoki test double", Version: "1.0"}, nil
}

func (d *double) SlotList(present bool) ([]uint, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []uint
	for s, t := range d.slots {
		if t.present || !present {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (d *double) TokenInfo(slot uint) (tokenInfo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	t := d.slots[slot]
	if t == nil {
		return tokenInfo{}, RV(ckrSlotIDInvalid)
	}
	if !t.present {
		return tokenInfo{}, RV(ckrTokenNotPresent)
	}
	return t.info, nil
}

func (d *double) Mechanisms(uint) ([]uint, error) { return d.mechs, nil }

func (d *double) OpenSession(slot uint) (uint, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	t := d.slots[slot]
	if t == nil || !t.present {
		return 0, RV(ckrTokenNotPresent)
	}
	d.next++
	d.sessions[d.next] = slot
	t.sessions[d.next] = true
	return d.next, nil
}

// token returns the token of a live session; the caller holds d.mu.
func (d *double) token(session uint) (*dtoken, uint, error) {
	slot, ok := d.sessions[session]
	if !ok {
		return nil, 0, RV(ckrSessionHandleInvalid)
	}
	t := d.slots[slot]
	if !t.present {
		return nil, 0, RV(ckrDeviceRemoved)
	}
	return t, slot, nil
}

func (d *double) CloseSession(session uint) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	slot, ok := d.sessions[session]
	if !ok {
		return RV(ckrSessionHandleInvalid)
	}
	delete(d.sessions, session)
	delete(d.slots[slot].sessions, session)
	return nil
}

func (d *double) Login(session uint, pin []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, "login")
	t, slot, err := d.token(session)
	if err != nil {
		return err
	}
	if t.info.Flags&ckfUserPINLocked != 0 {
		return RV(ckrPINLocked)
	}
	if d.loggedIn[slot] {
		return RV(ckrUserAlreadyLoggedIn)
	}
	if string(pin) != t.pin {
		t.tries--
		t.info.Flags &^= ckfUserPINCountLow | ckfUserPINFinalTry
		switch {
		case t.tries <= 0:
			t.info.Flags |= ckfUserPINLocked
		case t.tries == 1:
			t.info.Flags |= ckfUserPINFinalTry | ckfUserPINCountLow
		default:
			t.info.Flags |= ckfUserPINCountLow
		}
		return RV(ckrPINIncorrect)
	}
	t.tries = 3
	t.info.Flags &^= ckfUserPINCountLow | ckfUserPINFinalTry
	d.loggedIn[slot] = true
	return nil
}

func (d *double) Logout(session uint) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, "logout")
	_, slot, err := d.token(session)
	if err != nil {
		return err
	}
	d.loggedIn[slot] = false
	return nil
}

// Handles are slot*1000 + index + 1.
func (d *double) FindObjects(session uint, tpl []attribute, max int) ([]uint, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	t, slot, err := d.token(session)
	if err != nil {
		return nil, err
	}
	var class uint = 1<<63 - 1
	for _, a := range tpl {
		if a.Type == ckaClass {
			class = uint(fromULong(a.Value))
		}
	}
	var out []uint
	for i, o := range t.objects {
		if o.class == class && (o.class != ckoPrivateKey || d.loggedIn[slot]) && len(out) < max {
			out = append(out, slot*1000+uint(i)+1)
		}
	}
	return out, nil
}

func (d *double) object(session, h uint) (*dobject, error) {
	t, slot, err := d.token(session)
	if err != nil {
		return nil, err
	}
	i := int(h) - int(slot*1000) - 1
	if i < 0 || i >= len(t.objects) {
		return nil, RV(ckrObjectHandleInvalid)
	}
	return &t.objects[i], nil
}

func (d *double) Attributes(session, h uint, types []uint) ([]attribute, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	o, err := d.object(session, h)
	if err != nil {
		return nil, err
	}
	out := make([]attribute, len(types))
	for i, typ := range types {
		out[i].Type = typ
		switch {
		case typ == ckaID:
			out[i].Value = o.id
		case typ == ckaLabel:
			out[i].Value = []byte(o.label)
		case typ == ckaValue && o.cert != nil:
			out[i].Value = o.cert.Raw
		case typ == ckaCertificateType && o.cert != nil:
			out[i].Value = ulong(ckcX509)
		case typ == ckaKeyType && o.key != nil:
			out[i].Value = ulong(ckkGOSTR3410512)
		}
	}
	return out, nil
}

func (d *double) Sign(session, mech, h uint, data []byte) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	o, err := d.object(session, h)
	if err != nil {
		return nil, err
	}
	_, slot, _ := d.token(session)
	if !d.loggedIn[slot] {
		return nil, RV(ckrUserNotLoggedIn)
	}
	if o.key == nil || mech != d.gostMech {
		return nil, RV(ckrMechanismInvalid)
	}
	d.signed = append(d.signed, mech)
	sig, err := o.key.Sign(rand.Reader, data, nil) // r‖s little-endian
	if err != nil {
		return nil, RV(ckrFunctionFailed)
	}
	if !d.ncaOrder {
		slices.Reverse(sig) // PKCS#11: s‖r big-endian
	}
	return sig, nil
}

var _ cryptoki = (*double)(nil)

// doubleStore loads d as a module named path into a fresh Store.
func doubleStore(d *double, cfg ModuleConfig) (*Store, error) {
	m, err := loadWith(cfg, func(string) (cryptoki, error) { return d, nil })
	if err != nil {
		return nil, err
	}
	return &Store{modules: []*Module{m}}, nil
}
