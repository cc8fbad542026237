package cms

import (
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"io"

	"github.com/qoltanba/qoltanba/signer/rawsig"
)

// CoSign adds a signer to an existing CMS (DER, BER, PEM or base64): a new
// SignerInfo over the same content, its digest algorithm and certificates.
// content is the data of a detached CMS and must be nil for an attached one.
// The existing SignerInfos are copied byte for byte (so their signatures
// and timestamps stay valid) and keep their positions; the new one is last.
// opts.Detached is ignored: the result keeps the existing form.
//
// CoSign does not verify the existing signatures; run Verify for that.
func CoSign(existing []byte, content io.Reader, key crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate, opts SignOptions) ([]byte, error) {
	der, err := Decode(existing)
	if err != nil {
		return nil, fmt.Errorf("cms co-sign: %w", err)
	}
	sd, err := parse(der)
	if err != nil {
		return nil, fmt.Errorf("cms co-sign: %w", err)
	}
	opts.ContentType = sd.contentType
	d, err := digestFor(key, cert, opts)
	if err != nil {
		return nil, err
	}
	h := d.New()
	switch {
	case sd.attached && content != nil:
		return nil, fmt.Errorf("cms co-sign: %w: the CMS carries its content; pass nil content", ErrUnsupported)
	case sd.attached:
		h.Write(sd.content)
	case content == nil:
		return nil, fmt.Errorf("cms co-sign: %w", ErrNoContent)
	default:
		if _, err := io.Copy(h, content); err != nil {
			return nil, fmt.Errorf("cms co-sign: read content: %w", err)
		}
	}
	if err := addSigner(sd, h.Sum(nil), d, key, cert, chain, opts); err != nil {
		return nil, err
	}
	return sd.marshal(), nil
}

// AddTimestamp turns CAdES-BES into CAdES-T: every SignerInfo without a
// timeStampToken gets one from tsa over the hash of its signature value
// (tsa.DigestOID, else the signer's digest algorithm). SignerInfos that
// already have a token are left untouched. The signatures are not
// verified first.
func AddTimestamp(ctx context.Context, cmsData []byte, tsa *TSAClient) ([]byte, error) {
	if tsa == nil {
		return nil, fmt.Errorf("cms timestamp: %w: no TSA", ErrTSA)
	}
	der, err := Decode(cmsData)
	if err != nil {
		return nil, fmt.Errorf("cms timestamp: %w", err)
	}
	sd, err := parse(der)
	if err != nil {
		return nil, fmt.Errorf("cms timestamp: %w", err)
	}
	for i, raw := range sd.signers {
		si, err := parseSignerInfo(raw)
		if err != nil {
			return nil, fmt.Errorf("cms timestamp: signer %d: %w", i, err)
		}
		if _, n := find(si.unsignedAttrs, OIDTimeStampAttr); n > 0 {
			continue
		}
		d, ok := rawsig.DigestByOID(si.digestAlg.Algorithm)
		if !ok {
			return nil, fmt.Errorf("cms timestamp: signer %d: %w digest algorithm %s", i, ErrUnsupported, si.digestAlg.Algorithm)
		}
		td := tsaDigest(tsa, d)
		token, err := tsa.Timestamp(ctx, td.OID, td.Sum(si.signature))
		if err != nil {
			return nil, fmt.Errorf("cms timestamp: signer %d: %w", i, err)
		}
		sd.signers[i] = seq(append(si.fieldsBeforeUAt, unsignedAttrs(si.unsignedAttrs, token))...)
	}
	return sd.marshal(), nil
}

// Content returns the content an attached CMS carries, and ErrNoContent
// for a detached one. It does not verify anything.
func Content(cmsData []byte) ([]byte, error) {
	der, err := Decode(cmsData)
	if err != nil {
		return nil, fmt.Errorf("cms content: %w", err)
	}
	sd, err := parse(der)
	if err != nil {
		return nil, fmt.Errorf("cms content: %w", err)
	}
	if !sd.attached {
		return nil, fmt.Errorf("cms content: %w", ErrNoContent)
	}
	return sd.content, nil
}
