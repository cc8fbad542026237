package cms

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"io"
	"time"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/rawsig"
)

// Scopes Verify reports in pki.Evidence.Scope.
const (
	ScopeAttached = "attached content"
	ScopeDetached = "detached data"
	ScopeDigest   = "digest only"
)

// Verify checks every SignerInfo of a CMS SignedData (DER, BER, PEM or
// base64: see Decode) and returns one pki.Evidence per signer, in order.
// detached is the content of a detached CMS (nil for an attached one; it is
// ignored, with a warning, when the CMS carries its content) and is read
// once, in constant memory, whatever the number of signers.
//
// The error is only for input that cannot be parsed (ErrMalformed) or a
// detached reader that fails; everything about the signatures themselves,
// including a missing certificate or an unsupported algorithm, is in the
// evidence.
func Verify(cmsData []byte, detached io.Reader) ([]pki.Evidence, error) {
	sd, sis, warnings, unverified, err := parseForVerify(cmsData)
	if err != nil {
		return nil, err
	}
	scope := ScopeAttached
	digests := map[*rawsig.Digest][]byte{}
	switch {
	case sd.attached:
		if detached != nil {
			warnings = append(warnings, "detached data ignored: the CMS carries its own content")
		}
		for _, si := range sis {
			if d, ok := rawsig.DigestByOID(si.digestAlg.Algorithm); ok && digests[d] == nil {
				digests[d] = d.Sum(sd.content)
			}
		}
	case detached != nil:
		scope = ScopeDetached
		if digests, err = hashStream(detached, sis); err != nil {
			return nil, err
		}
	default:
		scope = ScopeDetached
	}
	evs := make([]pki.Evidence, len(sis))
	for i, si := range sis {
		evs[i] = verifySigner(sd, si, scope, func(d *rawsig.Digest) []byte { return digests[d] })
		evs[i].Index = i
		evs[i].Warnings = append(evs[i].Warnings, warnings...)
		evs[i].Unverified = unverified
		if !sd.attached && detached == nil {
			evs[i].CryptoError = joinErr(evs[i].CryptoError, "detached CMS: the signed data was not given")
		}
	}
	return evs, nil
}

// VerifyDigest is Verify for a detached CMS whose content is known only by
// its digest, made with digestOID (for CMS made by SignDigest). Signers
// that used another digest algorithm get a CryptoError.
func VerifyDigest(cmsData []byte, digestOID asn1.ObjectIdentifier, digest []byte) ([]pki.Evidence, error) {
	sd, sis, warnings, unverified, err := parseForVerify(cmsData)
	if err != nil {
		return nil, err
	}
	evs := make([]pki.Evidence, len(sis))
	for i, si := range sis {
		evs[i] = verifySigner(sd, si, ScopeDigest, func(d *rawsig.Digest) []byte {
			if d.OID.Equal(digestOID) {
				return digest
			}
			return nil
		})
		evs[i].Index = i
		evs[i].Warnings = append(evs[i].Warnings, warnings...)
		evs[i].Unverified = unverified
		if !si.digestAlg.Algorithm.Equal(digestOID) {
			evs[i].CryptoError = joinErr(evs[i].CryptoError, fmt.Sprintf("the digest given is %s, the signer used %s", digestOID, si.digestAlg.Algorithm))
		}
	}
	return evs, nil
}

// parseForVerify reads the CMS and its signers; warnings name what the
// verification does not cover (unknown algorithms listed but used by no
// signer) and unverified what of the input was not read at all (a second
// PEM block, data after it), so that no report is silent about it.
func parseForVerify(input []byte) (*signedData, []*signerInfo, []string, []string, error) {
	der, ignored, err := decode(input)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("cms verify: %w", err)
	}
	sd, err := parse(der)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("cms verify: %w", err)
	}
	if len(sd.signers) == 0 {
		return nil, nil, nil, nil, fmt.Errorf("cms verify: %w: no signer infos", ErrMalformed)
	}
	sis := make([]*signerInfo, len(sd.signers))
	for i, raw := range sd.signers {
		if sis[i], err = parseSignerInfo(raw); err != nil {
			return nil, nil, nil, nil, fmt.Errorf("cms verify: signer %d: %w", i, err)
		}
	}
	var warnings, unverified []string
	if ignored != "" {
		unverified = append(unverified, ignored)
	}
	for _, raw := range sd.digestAlgs {
		var alg pkix.AlgorithmIdentifier
		if _, err := asn1.Unmarshal(raw, &alg); err != nil {
			warnings = append(warnings, "digestAlgorithms holds an unreadable entry")
			continue
		}
		if _, ok := rawsig.DigestByOID(alg.Algorithm); !ok {
			warnings = append(warnings, fmt.Sprintf("digestAlgorithms names an unknown algorithm %s", alg.Algorithm))
		}
	}
	return sd, sis, warnings, unverified, nil
}

// hashStream reads r once through every digest the signers use.
func hashStream(r io.Reader, sis []*signerInfo) (map[*rawsig.Digest][]byte, error) {
	hashes := map[*rawsig.Digest]interface {
		io.Writer
		Sum([]byte) []byte
	}{}
	var ws []io.Writer
	for _, si := range sis {
		if d, ok := rawsig.DigestByOID(si.digestAlg.Algorithm); ok && hashes[d] == nil {
			h := d.New()
			hashes[d] = h
			ws = append(ws, h)
		}
	}
	if _, err := io.Copy(io.MultiWriter(ws...), r); err != nil {
		return nil, fmt.Errorf("cms verify: read detached data: %w", err)
	}
	out := map[*rawsig.Digest][]byte{}
	for d, h := range hashes {
		out[d] = h.Sum(nil)
	}
	return out, nil
}

func joinErr(have, add string) string {
	if have == "" {
		return add
	}
	return have + "; " + add
}

// verifySigner establishes what one SignerInfo proves. digestOf returns the
// content's digest with an algorithm, or nil when the content is unknown.
func verifySigner(sd *signedData, si *signerInfo, scope string, digestOf func(*rawsig.Digest) []byte) pki.Evidence {
	ev := pki.Evidence{Format: "cms", Scope: scope, Certificates: sd.parsedCerts}
	fail := func(msg string, args ...any) { ev.CryptoError = joinErr(ev.CryptoError, fmt.Sprintf(msg, args...)) }

	ev.Certificate = findSigner(si.sid, sd.parsedCerts)
	var pub crypto.PublicKey
	if ev.Certificate == nil {
		fail("the signer's certificate is not in the CMS")
	} else if k, err := rawsig.CertificateKey(ev.Certificate); err != nil {
		fail("%v", err)
	} else {
		pub = k
	}
	d, ok := rawsig.DigestByOID(si.digestAlg.Algorithm)
	if !ok {
		fail("unsupported digest algorithm %s", si.digestAlg.Algorithm)
		ev.SignatureAlgorithm = si.sigAlg.Algorithm.String()
		return ev
	}
	ev.DigestAlgorithm = d.Name
	if d.Weak {
		ev.Warnings = append(ev.Warnings, d.Name+" digest is weak")
	}
	if k, ok := pub.(*rsa.PublicKey); ok && k.N.BitLen() < 2048 {
		ev.Warnings = append(ev.Warnings, fmt.Sprintf("RSA key of %d bits is weak", k.N.BitLen()))
	}
	contentDigest := digestOf(d)
	ev.ScopeDigest = contentDigest
	ev.SignatureAlgorithm = signatureName(si.sigAlg.Algorithm, pub, d)
	if pub != nil {
		if err := checkSignatureAlgorithm(si.sigAlg.Algorithm, pub, d); err != nil {
			fail("%v", err)
			pub = nil
		}
	}

	if si.signedAttrsRaw == nil {
		// The signature is over the content's digest itself.
		if !sd.contentType.Equal(OIDData) {
			fail("no signed attributes for content type %s", sd.contentType)
			return ev
		}
		if contentDigest == nil || pub == nil {
			return ev
		}
		if err := rawsig.VerifyDigest(pub, d, contentDigest, si.signature); err != nil {
			fail("signature: %v", err)
			return ev
		}
		ev.DigestValid, ev.SignatureValid = true, true
		ev.Timestamps = verifyTimestamps(si, sd.parsedCerts)
		return ev
	}

	bindingOK := checkSignedAttrs(&ev, sd, si, contentDigest, fail)
	if pub != nil {
		signed := append([]byte{tagSet}, si.signedAttrsRaw[1:]...)
		if err := rawsig.VerifyDigest(pub, d, d.Sum(signed), si.signature); err != nil {
			fail("signature over the signed attributes: %v", err)
		} else {
			ev.SignatureValid = bindingOK
		}
	}
	ev.Timestamps = verifyTimestamps(si, sd.parsedCerts)
	return ev
}

// checkSignedAttrs checks contentType, messageDigest, signingTime and the
// signing certificate binding, filling ev. It returns false when an
// attribute contradicts the signature's claims (wrong contentType, a
// binding to another certificate), which makes the signature invalid.
func checkSignedAttrs(ev *pki.Evidence, sd *signedData, si *signerInfo, contentDigest []byte, fail func(string, ...any)) bool {
	ok := true
	if vals, n := find(si.signedAttrs, oidContentType); n != 1 || len(vals) != 1 {
		fail("signed attributes need exactly one contentType")
		ok = false
	} else {
		var ct asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(vals[0].FullBytes, &ct); err != nil || !ct.Equal(sd.contentType) {
			fail("signed contentType %s differs from the content's %s", ct, sd.contentType)
			ok = false
		}
	}
	if vals, n := find(si.signedAttrs, oidMessageDigest); n != 1 || len(vals) != 1 {
		fail("signed attributes need exactly one messageDigest")
	} else {
		var md []byte
		_, err := asn1.Unmarshal(vals[0].FullBytes, &md)
		switch {
		case err != nil:
			fail("messageDigest is not an OCTET STRING")
		case contentDigest == nil:
			// Content unknown: Verify says so.
		case bytes.Equal(md, contentDigest):
			ev.DigestValid = true
		default:
			fail("messageDigest does not match the content: the content was changed or is not the signed one")
		}
	}
	if vals, n := find(si.signedAttrs, oidSigningTime); n >= 1 && len(vals) == 1 {
		var t time.Time
		if _, err := asn1.Unmarshal(vals[0].FullBytes, &t); err == nil {
			ev.ClaimedTime = t.UTC()
		} else {
			ev.Warnings = append(ev.Warnings, "signingTime is unreadable")
		}
	}
	if ev.Certificate != nil {
		bound, err := checkBinding(si.signedAttrs, ev.Certificate)
		if err != nil {
			fail("%v", err)
			ok = false
		}
		ev.SigningCertificateBound = bound
	}
	return ok
}

// findSigner returns the certificate a SignerIdentifier names:
// issuerAndSerialNumber, or [0] subjectKeyIdentifier.
func findSigner(sid asn1.RawValue, certs []*x509.Certificate) *x509.Certificate {
	switch {
	case sid.Class == asn1.ClassUniversal && sid.Tag == asn1.TagSequence:
		var ias issuerAndSerial
		if rest, err := asn1.Unmarshal(sid.FullBytes, &ias); err != nil || len(rest) > 0 || ias.Serial == nil {
			return nil
		}
		for _, c := range certs {
			if bytes.Equal(c.RawIssuer, ias.Issuer.FullBytes) && c.SerialNumber.Cmp(ias.Serial) == 0 {
				return c
			}
		}
	case sid.Class == asn1.ClassContextSpecific && sid.Tag == 0 && len(sid.Bytes) > 0:
		for _, c := range certs {
			if bytes.Equal(c.SubjectKeyId, sid.Bytes) {
				return c
			}
		}
	}
	return nil
}

// signatureName names the algorithm for the evidence, from the key when
// known, else from the OID.
func signatureName(oid asn1.ObjectIdentifier, pub crypto.PublicKey, d *rawsig.Digest) string {
	if pub != nil {
		return rawsig.SignatureName(pub, d)
	}
	if alg, ok := gostByOID(oid); ok {
		return alg
	}
	return oid.String()
}

// verifyTimestamps checks every timeStampToken of si.
func verifyTimestamps(si *signerInfo, outerCerts []*x509.Certificate) []pki.TimestampEvidence {
	var out []pki.TimestampEvidence
	for _, a := range si.unsignedAttrs {
		if !a.Type.Equal(OIDTimeStampAttr) {
			continue
		}
		for _, v := range a.Values {
			out = append(out, verifyTokenOver(v.FullBytes, outerCerts, si.signature))
		}
	}
	return out
}
