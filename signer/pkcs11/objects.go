package pkcs11

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"fmt"

	"github.com/qoltanba/qoltanba/signer/gost"
)

// object is what this package reads of a certificate or key object.
type object struct {
	handle  uint
	class   uint
	id      []byte
	label   string
	keyType uint
	modulus []byte // RSA keys
	ecPoint []byte // EC public keys (CKA_EC_POINT, usually a DER OCTET STRING)
	value   []byte // GOST public keys: x‖y little-endian; certificates: DER
	cert    *x509.Certificate
}

// objects are a token's certificates and keys as seen by one session.
type objects struct {
	certs, privs, pubs []object
	// bad lists certificates that did not parse: reported, not fatal.
	bad []error
}

// scan reads the token's certificates and keys. Before login a token shows
// its certificates and public keys; private keys usually appear only after.
func scan(ck cryptoki, session uint) (*objects, error) {
	var o objects
	for _, class := range []uint{ckoCertificate, ckoPrivateKey, ckoPublicKey} {
		handles, err := ck.FindObjects(session, []attribute{{ckaClass, ulong(class)}}, maxObjectsPerToken)
		if err != nil {
			return nil, fmt.Errorf("find objects: %w", err)
		}
		types := []uint{ckaID, ckaLabel}
		switch class {
		case ckoCertificate:
			types = append(types, ckaCertificateType, ckaValue)
		case ckoPrivateKey:
			types = append(types, ckaKeyType, ckaModulus)
		case ckoPublicKey:
			types = append(types, ckaKeyType, ckaModulus, ckaECPoint, ckaValue)
		}
		for _, h := range handles {
			attrs, err := ck.Attributes(session, h, types)
			if err != nil {
				return nil, fmt.Errorf("read object attributes: %w", err)
			}
			obj := object{handle: h, class: class}
			for _, a := range attrs {
				switch a.Type {
				case ckaID:
					obj.id = a.Value
				case ckaLabel:
					obj.label = string(a.Value)
				case ckaKeyType:
					obj.keyType = uint(fromULong(a.Value))
				case ckaModulus:
					obj.modulus = bytes.TrimLeft(a.Value, "\x00")
				case ckaECPoint:
					obj.ecPoint = a.Value
				case ckaValue:
					obj.value = a.Value
				case ckaCertificateType:
					if len(a.Value) > 0 && fromULong(a.Value) != ckcX509 {
						obj.class = 0 // not X.509: ignored
					}
				}
			}
			switch {
			case obj.class == 0:
			case class == ckoCertificate:
				c, err := x509.ParseCertificate(obj.value)
				if err != nil {
					o.bad = append(o.bad, fmt.Errorf("certificate %q: %w", obj.label, err))
					continue
				}
				obj.cert = c
				o.certs = append(o.certs, obj)
			case class == ckoPrivateKey:
				o.privs = append(o.privs, obj)
			default:
				o.pubs = append(o.pubs, obj)
			}
		}
	}
	return &o, nil
}

// pair is a certificate with its private key; either may be missing (a
// private key hidden until login, or a key without certificate). pub is set
// when only a public key object stands for a key (before login).
type pair struct {
	cert, priv, pub *object
}

// id and label name the pair in a URI: the certificate's when it has one.
func (p pair) id() []byte {
	for _, o := range []*object{p.cert, p.priv, p.pub} {
		if o != nil && len(o.id) > 0 {
			return o.id
		}
	}
	return nil
}

func (p pair) label() string {
	for _, o := range []*object{p.cert, p.priv, p.pub} {
		if o != nil && o.label != "" {
			return o.label
		}
	}
	return ""
}

// pairs matches certificates with private keys: by CKA_ID first, then by
// public key (an RSA private key shows its modulus; an EC or GOST private
// key is found through a public key object with the certificate's key and
// an ID). Keys left over form pairs without certificate.
func (o *objects) pairs() []pair {
	usedPriv := make([]bool, len(o.privs))
	usedPub := make([]bool, len(o.pubs))
	var out []pair
	findPriv := func(match func(*object) bool) *object {
		for i := range o.privs {
			if !usedPriv[i] && match(&o.privs[i]) {
				usedPriv[i] = true
				return &o.privs[i]
			}
		}
		return nil
	}
	for i := range o.certs {
		c := &o.certs[i]
		p := pair{cert: c}
		if len(c.id) > 0 {
			p.priv = findPriv(func(k *object) bool { return bytes.Equal(k.id, c.id) })
		}
		if p.priv == nil {
			if n := rsaModulus(c.cert); n != nil {
				p.priv = findPriv(func(k *object) bool { return bytes.Equal(k.modulus, n) })
			}
		}
		// A public key object with the certificate's key ties the two.
		for j := range o.pubs {
			if usedPub[j] || !publicKeyMatches(&o.pubs[j], c.cert) {
				continue
			}
			usedPub[j] = true
			pub := &o.pubs[j]
			if p.priv == nil && len(pub.id) > 0 {
				p.priv = findPriv(func(k *object) bool { return bytes.Equal(k.id, pub.id) })
			}
			break
		}
		// Certificates sharing an ID with a consumed public key are fine; a
		// public key whose ID equals the certificate's is the same key.
		for j := range o.pubs {
			if !usedPub[j] && len(c.id) > 0 && bytes.Equal(o.pubs[j].id, c.id) {
				usedPub[j] = true
			}
		}
		out = append(out, p)
	}
	for i := range o.privs {
		if !usedPriv[i] {
			p := pair{priv: &o.privs[i]}
			for j := range o.pubs {
				if !usedPub[j] && len(p.priv.id) > 0 && bytes.Equal(o.pubs[j].id, p.priv.id) {
					usedPub[j] = true
				}
			}
			out = append(out, p)
		}
	}
	for j := range o.pubs {
		if !usedPub[j] {
			out = append(out, pair{pub: &o.pubs[j]})
		}
	}
	return out
}

func rsaModulus(c *x509.Certificate) []byte {
	if k, ok := c.PublicKey.(*rsa.PublicKey); ok {
		return k.N.Bytes()
	}
	return nil
}

// publicKeyMatches compares a public key object with a certificate's key.
func publicKeyMatches(pub *object, c *x509.Certificate) bool {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return len(pub.modulus) > 0 && bytes.Equal(pub.modulus, k.N.Bytes())
	case *ecdsa.PublicKey:
		ek, err := k.ECDH()
		if err != nil || len(pub.ecPoint) == 0 {
			return false
		}
		want := ek.Bytes()
		if bytes.Equal(pub.ecPoint, want) {
			return true
		}
		var inner []byte // CKA_EC_POINT is DER OCTET STRING in PKCS#11 v2.20+
		rest, err := asn1.Unmarshal(pub.ecPoint, &inner)
		return err == nil && len(rest) == 0 && bytes.Equal(inner, want)
	}
	if gk, err := gost.PublicKeyFromCertificate(c); err == nil {
		return len(pub.value) > 0 && bytes.Equal(pub.value, gk.Bytes())
	}
	return false
}

// ulong encodes a CK_ULONG attribute value in host order and size, as
// modules expect it (8 bytes on 64-bit Linux, 4 on Windows).
func ulong(v uint) []byte {
	b := make([]byte, ulongSize)
	if ulongSize == 8 {
		binary.NativeEndian.PutUint64(b, uint64(v))
	} else {
		binary.NativeEndian.PutUint32(b, uint32(v))
	}
	return b
}

func fromULong(b []byte) uint64 {
	switch len(b) {
	case 8:
		return binary.NativeEndian.Uint64(b)
	case 4:
		return uint64(binary.NativeEndian.Uint32(b))
	}
	return ^uint64(0)
}
