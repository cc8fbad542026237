package cms

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/rawsig"
)

// tokenInfo parses a time-stamp token's TSTInfo without checking it.
func tokenInfo(token []byte) (*TSTInfo, error) {
	sd, err := parse(token)
	if err != nil {
		return nil, err
	}
	if !sd.contentType.Equal(OIDTSTInfo) || !sd.attached {
		return nil, malformed("time-stamp token content is %s, not an attached TSTInfo", sd.contentType)
	}
	return ParseTSTInfo(sd.content)
}

// ParseToken returns the TSTInfo of a time-stamp token (a CMS ContentInfo)
// without verifying it.
func ParseToken(token []byte) (*TSTInfo, error) { return tokenInfo(token) }

// verifyTokenDigest checks a token whose imprint must be digest made with d.
func verifyTokenDigest(token []byte, extra []*x509.Certificate, d *rawsig.Digest, digest []byte) pki.TimestampEvidence {
	return checkToken(token, extra, func(info *TSTInfo) error {
		if !info.MessageImprint.HashAlgorithm.Algorithm.Equal(d.OID) || !bytes.Equal(info.MessageImprint.HashedMessage, digest) {
			return errors.New("the message imprint is not the one requested")
		}
		return nil
	})
}

// verifyTokenOver checks a token whose imprint must be the hash of stamped
// (a SignerInfo's signature value) with the token's own hash algorithm.
func verifyTokenOver(token []byte, extra []*x509.Certificate, stamped []byte) pki.TimestampEvidence {
	return checkToken(token, extra, func(info *TSTInfo) error {
		d, ok := rawsig.DigestByOID(info.MessageImprint.HashAlgorithm.Algorithm)
		if !ok {
			return fmt.Errorf("message imprint uses unsupported hash %s", info.MessageImprint.HashAlgorithm.Algorithm)
		}
		if !bytes.Equal(info.MessageImprint.HashedMessage, d.Sum(stamped)) {
			return errors.New("the message imprint is not the hash of this signature: the token stamps something else")
		}
		return nil
	})
}

// checkToken verifies a time-stamp token: one signer, whose signature and
// messageDigest verify over the TSTInfo, with a certificate (from the token
// or, failing that, extra) carrying the timeStamping extended key usage;
// then expect judges the TSTInfo.
func checkToken(token []byte, extra []*x509.Certificate, expect func(*TSTInfo) error) pki.TimestampEvidence {
	var te pki.TimestampEvidence
	sd, err := parse(token)
	if err != nil {
		te.Error = fmt.Sprintf("time-stamp token: %v", err)
		return te
	}
	te.Certificates = sd.parsedCerts
	if !sd.contentType.Equal(OIDTSTInfo) || !sd.attached {
		te.Error = "time-stamp token does not hold a TSTInfo"
		return te
	}
	info, err := ParseTSTInfo(sd.content)
	if err != nil {
		te.Error = err.Error()
		return te
	}
	te.Time = info.GenTime.UTC()
	te.Policy = info.Policy.String()
	if len(sd.signers) != 1 {
		te.Error = fmt.Sprintf("time-stamp token has %d signers, not one", len(sd.signers))
		return te
	}
	si, err := parseSignerInfo(sd.signers[0])
	if err != nil {
		te.Error = fmt.Sprintf("time-stamp token: %v", err)
		return te
	}
	certs := sd.parsedCerts
	if findSigner(si.sid, certs) == nil {
		certs = append(slices.Clone(certs), extra...)
		sd.parsedCerts = certs
	}
	ev := verifySigner(sd, si, ScopeAttached, func(d *rawsig.Digest) []byte { return d.Sum(sd.content) })
	te.Certificate = ev.Certificate
	var problems []string
	if !ev.SignatureValid || !ev.DigestValid {
		problems = append(problems, "token signature: "+orText(ev.CryptoError, "invalid"))
	}
	if c := te.Certificate; c != nil && !slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageTimeStamping) {
		problems = append(problems, fmt.Sprintf("certificate %q is not a time-stamping certificate", c.Subject.CommonName))
	}
	if err := expect(info); err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		te.Error = joinAll(problems)
		return te
	}
	te.Valid = true
	return te
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func joinAll(msgs []string) string {
	out := ""
	for _, m := range msgs {
		out = joinErr(out, m)
	}
	return out
}

// Stamp asks the TSA for a token over the hash of data (the TSA's
// DigestOID, else d): a timestamp over another format's signature value.
func (c *TSAClient) Stamp(ctx context.Context, d *rawsig.Digest, data []byte) ([]byte, error) {
	td := tsaDigest(c, d)
	return c.Timestamp(ctx, td.OID, td.Sum(data))
}

// VerifyTimestampOver checks a token whose imprint must be the hash of
// stamped (another format's signature value, e.g. XAdES's canonical
// ds:SignatureValue), with the certificates in the token.
func VerifyTimestampOver(token, stamped []byte) pki.TimestampEvidence {
	return verifyTokenOver(token, nil, stamped)
}
