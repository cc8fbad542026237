package pkcs11

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"
	"io"
	"slices"

	"github.com/qoltanba/qoltanba/signer/gost"
)

// tokenSigner is a crypto.Signer (and crypto.MessageSigner) whose private
// key stays on the token. Every signature takes the token's lock, so
// concurrent requests to one token run one after another.
type tokenSigner struct {
	tok     Token
	ts      *tokenState
	session uint
	key     uint
	pub     crypto.PublicKey
	gost    *gost.SignatureAlgorithm // nil for RSA and ECDSA
	mechs   []uint                   // what the token offers, for CKM_SHA256_RSA_PKCS
	closed  bool                     // guarded by ts.mu
}

var (
	_ crypto.Signer        = (*tokenSigner)(nil)
	_ crypto.MessageSigner = (*tokenSigner)(nil)
)

func newTokenSigner(t Token, ts *tokenState, session uint, p pair) (*tokenSigner, error) {
	k := &tokenSigner{tok: t, ts: ts, session: session, key: p.priv.handle}
	c := p.cert.cert
	switch pub := c.PublicKey.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey:
		k.pub = pub
	default:
		gk, err := gost.PublicKeyFromCertificate(c)
		if err != nil {
			return nil, fmt.Errorf("token %s: certificate %q: %w: %w", t, p.cert.label, ErrMechanism, err)
		}
		k.pub = gk
		k.gost = gost.SignatureAlgorithmForCurve(gk.Curve())
		if k.gost == nil {
			return nil, fmt.Errorf("token %s: %w: GOST curve %s", t, ErrMechanism, gk.Curve().Name())
		}
	}
	if mechs, err := t.Module.ck.Mechanisms(t.Slot); err == nil {
		k.mechs = mechs
	}
	return k, nil
}

// Public returns the certificate's public key (*rsa.PublicKey,
// *ecdsa.PublicKey or *gost.PublicKey).
func (k *tokenSigner) Public() crypto.PublicKey { return k.pub }

// Sign signs a digest, as crypto.Signer asks:
//   - RSA: CKM_RSA_PKCS over DigestInfo(opts.HashFunc(), digest); PSS is refused;
//   - ECDSA: CKM_ECDSA, the token's r‖s returned as ASN.1 DER;
//   - GOST: the module's GOST mechanism over the digest (computed in software
//     by the caller), the result in NCA's r‖s little-endian order.
func (k *tokenSigner) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	switch k.pub.(type) {
	case *rsa.PublicKey:
		if _, pss := opts.(*rsa.PSSOptions); pss {
			return nil, fmt.Errorf("%w: RSA-PSS (NCA documents use PKCS#1 v1.5)", ErrMechanism)
		}
		h := crypto.Hash(0)
		if opts != nil {
			h = opts.HashFunc()
		}
		block, err := digestInfo(h, digest)
		if err != nil {
			return nil, err
		}
		return k.sign(ckmRSAPKCS, block)
	case *ecdsa.PublicKey:
		raw, err := k.sign(ckmECDSA, digest)
		if err != nil {
			return nil, err
		}
		return ecdsaRawToDER(raw)
	}
	return k.signGOST(digest)
}

// SignMessage signs a whole message. RSA with SHA-256 hashes on the token
// (CKM_SHA256_RSA_PKCS) when it offers that mechanism; everything else is
// hashed here and signed with Sign. For GOST keys the hash is the one that
// goes with the curve (Streebog-512/256, or GOST 34.311-95) and opts is
// ignored.
func (k *tokenSigner) SignMessage(r io.Reader, msg []byte, opts crypto.SignerOpts) ([]byte, error) {
	if k.gost != nil {
		h := k.gost.NewHash()
		h.Write(msg)
		return k.signGOST(h.Sum(nil))
	}
	if opts == nil || opts.HashFunc() == 0 {
		return nil, fmt.Errorf("%w: SignMessage needs a hash in opts", ErrMechanism)
	}
	hf := opts.HashFunc()
	if _, ok := k.pub.(*rsa.PublicKey); ok {
		if _, pss := opts.(*rsa.PSSOptions); !pss {
			if mech, ok := map[crypto.Hash]uint{crypto.SHA256: ckmSHA256RSAPKCS, crypto.SHA384: ckmSHA384RSAPKCS, crypto.SHA512: ckmSHA512RSAPKCS}[hf]; ok && slices.Contains(k.mechs, mech) {
				return k.sign(mech, msg)
			}
		}
	}
	if !hf.Available() {
		return nil, fmt.Errorf("%w: hash %v is not linked in", ErrMechanism, hf)
	}
	h := hf.New()
	h.Write(msg)
	return k.Sign(r, h.Sum(nil), opts)
}

// signGOST signs a GOST digest: the mechanism configured for the module
// (CKM_GOSTR3410 for 256-bit keys, TC26 CKM_GOSTR3410_512 for 512-bit by
// default), then PKCS#11's s‖r big-endian reversed byte for byte into NCA's
// r‖s little-endian (docs/kz-pki.md), unless the module already uses NCA's
// order.
func (k *tokenSigner) signGOST(digest []byte) ([]byte, error) {
	size := k.gost.Curve.Size()
	if len(digest) != size {
		return nil, fmt.Errorf("sign: %s needs a %d-byte digest, got %d", k.gost.Name, size, len(digest))
	}
	cfg := k.tok.Module.cfg
	mech := cfg.GOST256Mechanism
	if mech == 0 {
		mech = ckmGOSTR3410
	}
	if size == 64 {
		mech = cfg.GOST512Mechanism
		if mech == 0 {
			mech = ckmGOSTR3410512
		}
	}
	sig, err := k.sign(mech, digest)
	if err != nil {
		return nil, err
	}
	if len(sig) != 2*size {
		return nil, fmt.Errorf("token %s: GOST signature is %d bytes, want %d", k.tok, len(sig), 2*size)
	}
	if !cfg.GOSTSignatureNCAOrder {
		slices.Reverse(sig)
	}
	return sig, nil
}

// sign runs one mechanism on the token under the token's lock.
func (k *tokenSigner) sign(mech uint, data []byte) ([]byte, error) {
	k.ts.mu.Lock()
	defer k.ts.mu.Unlock()
	if k.closed {
		return nil, fmt.Errorf("token %s: the key was closed", k.tok)
	}
	sig, err := k.tok.Module.ck.Sign(k.session, mech, k.key, data)
	switch {
	case err == nil:
		return sig, nil
	case isRV(err, ckrMechanismInvalid):
		return nil, fmt.Errorf("token %s: mechanism 0x%X: %w (%w)", k.tok, mech, ErrMechanism, err)
	case isRV(err, ckrUserNotLoggedIn):
		return nil, fmt.Errorf("token %s: logged out (was it removed and re-inserted?): %w: open the key again (%w)", k.tok, ErrTokenRemoved, err)
	case isGone(err):
		return nil, fmt.Errorf("token %s: %w during signing: insert it and open the key again (%w)", k.tok, ErrTokenRemoved, err)
	}
	return nil, fmt.Errorf("token %s: sign: %w", k.tok, err)
}

// close logs out (if this was the last Key on the token) and closes the
// session. It is Key.Close's release function.
func (k *tokenSigner) close() {
	k.ts.mu.Lock()
	defer k.ts.mu.Unlock()
	if k.closed {
		return
	}
	k.closed = true
	k.tok.logout(k.ts, k.session)
	_ = k.tok.Module.ck.CloseSession(k.session)
}
