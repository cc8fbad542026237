package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// maxSignatureSize bounds stored signature bytes: an attached CMS carries
// the content, so allow the content limit plus room for certificates.
func (c *core) maxSignatureSize() int64 { return c.opts.MaxContentSize + 1<<20 }

func (c *core) AddSignature(ctx context.Context, id ID, version uint32, ns NewSignature) (Signature, error) {
	if err := ctx.Err(); err != nil {
		return Signature{}, err
	}
	switch {
	case ns.Format == "":
		return Signature{}, fmt.Errorf("add signature to %s: no format", id)
	case len(ns.Bytes) == 0:
		return Signature{}, fmt.Errorf("add signature to %s: %w: no signature bytes", id, ErrEmpty)
	case int64(len(ns.Bytes)) > c.maxSignatureSize():
		return Signature{}, fmt.Errorf("add signature to %s: %w: %s", id, ErrTooLarge, humanSize(int64(len(ns.Bytes))))
	}
	if ns.Origin == "" {
		ns.Origin = "made"
	}
	sum := Digest32(sha256.Sum256(ns.Bytes))
	storage, err := c.stage(sum, ns.Bytes)
	if err != nil {
		return Signature{}, fmt.Errorf("add signature to %s: %w", id, err)
	}
	var s Signature
	err = c.kv.update(func(tx kvTx) (err error) {
		s, err = c.addSignatureTx(tx, id, version, ns, storage, sum)
		return err
	})
	if err != nil {
		return Signature{}, fmt.Errorf("add signature to %s: %w", id, err)
	}
	return s, nil
}

// AddSignedVersion: see Store.
func (c *core) AddSignedVersion(ctx context.Context, id ID, name, note string, content []byte, sigs []NewSignature) (Version, []Signature, error) {
	if err := ctx.Err(); err != nil {
		return Version{}, nil, err
	}
	p, err := c.prepare(name, content)
	if err != nil {
		return Version{}, nil, fmt.Errorf("add a signed version to %s: %w", id, err)
	}
	staged := make([]stagedSig, len(sigs))
	for i, ns := range sigs {
		switch {
		case ns.Format == "":
			return Version{}, nil, fmt.Errorf("add a signed version to %s: a signature has no format", id)
		case len(ns.Bytes) == 0:
			return Version{}, nil, fmt.Errorf("add a signed version to %s: %w: no signature bytes", id, ErrEmpty)
		case int64(len(ns.Bytes)) > c.maxSignatureSize():
			return Version{}, nil, fmt.Errorf("add a signed version to %s: %w", id, ErrTooLarge)
		}
		if ns.Origin == "" {
			sigs[i].Origin = "made"
		}
		sum := Digest32(sha256.Sum256(ns.Bytes))
		storage, err := c.stage(sum, ns.Bytes)
		if err != nil {
			return Version{}, nil, err
		}
		staged[i] = stagedSig{storage, sum}
	}
	var v Version
	out := make([]Signature, len(sigs))
	err = c.kv.update(func(tx kvTx) (err error) {
		if v, err = c.addVersionTx(tx, id, p, note); err != nil {
			return err
		}
		for i, ns := range sigs {
			if out[i], err = c.addSignatureTx(tx, id, v.Number, ns, staged[i].storage, staged[i].sum); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Version{}, nil, fmt.Errorf("add a signed version to %s: %w", id, err)
	}
	return v, out, nil
}

// SignatureAdd is one signature of AddSignatures.
type SignatureAdd struct {
	Document ID
	Version  uint32
	Sig      NewSignature
}

// AddSignatures adds many signatures in one transaction, all or none: a
// batch commits once per group instead of once per document.
func (c *core) AddSignatures(ctx context.Context, adds []SignatureAdd) ([]Signature, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	staged := make([]stagedSig, len(adds))
	for i, a := range adds {
		switch {
		case a.Sig.Format == "":
			return nil, fmt.Errorf("add signature to %s: no format", a.Document)
		case len(a.Sig.Bytes) == 0:
			return nil, fmt.Errorf("add signature to %s: %w: no signature bytes", a.Document, ErrEmpty)
		case int64(len(a.Sig.Bytes)) > c.maxSignatureSize():
			return nil, fmt.Errorf("add signature to %s: %w", a.Document, ErrTooLarge)
		}
		if a.Sig.Origin == "" {
			adds[i].Sig.Origin = "made"
		}
		sum := Digest32(sha256.Sum256(a.Sig.Bytes))
		storage, err := c.stage(sum, a.Sig.Bytes)
		if err != nil {
			return nil, err
		}
		staged[i] = stagedSig{storage, sum}
	}
	out := make([]Signature, len(adds))
	err := c.kv.update(func(tx kvTx) error {
		for i, a := range adds {
			s, err := c.addSignatureTx(tx, a.Document, a.Version, a.Sig, staged[i].storage, staged[i].sum)
			if err != nil {
				return fmt.Errorf("add signature to %s: %w", a.Document, err)
			}
			out[i] = s
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// addSignatureTx stores a staged signature on the current version; the
// document becomes signed. Journaled as a sign entry.
func (c *core) addSignatureTx(tx kvTx, id ID, version uint32, ns NewSignature, storage string, sum Digest32) (Signature, error) {
	var s Signature
	d, err := getDoc(tx, id)
	if err != nil {
		return s, err
	}
	if version != d.Version {
		return s, fmt.Errorf("version %d (the current one is %d): %w", version, d.Version, ErrNotCurrent)
	}
	if !signable[d.State] {
		return s, &TransitionError{ID: id, From: d.State, To: StateSigned, Allowed: transitions[d.State],
			Why: "only draft, ready or signed documents can be signed"}
	}
	if err := putBlob(tx, storage, sum, ns.Bytes); err != nil {
		return s, err
	}
	now := c.now()
	s = Signature{Document: id, Version: version, Index: countSigs(tx, id, version) + 1,
		Format: ns.Format, Detached: ns.Detached, Signer: ns.Signer, SigningTime: ns.SigningTime.UTC(),
		Origin: ns.Origin, Report: ns.Report, Added: now, Size: int64(len(ns.Bytes)), SHA256: sum, Storage: storage}
	if err := putJSON(tx.bucket(bucketSigs), sigKey(id, version, s.Index), s); err != nil {
		return s, err
	}
	old := d
	d.State, d.Modified = StateSigned, now
	if d.SignedAt.IsZero() {
		d.SignedAt = now
	}
	if err := putDoc(tx, &d, &old); err != nil {
		return s, err
	}
	detail := fmt.Sprintf("%s signature %d by %s", ns.Format, s.Index, ns.Signer.CommonName)
	if old.State != StateSigned {
		detail += fmt.Sprintf(", %s→signed", old.State)
	}
	_, err = appendEntry(tx, Entry{Time: now, Action: ActionSign, Document: id, Version: version,
		Digest: sum, Certificate: fingerprint(ns.Signer.Fingerprint), Detail: detail})
	return s, err
}

// fingerprint reads a hex SHA-256 certificate fingerprint; anything else
// gives zero (the journal then records no certificate).
func fingerprint(s string) Digest32 {
	var d Digest32
	b, err := hex.DecodeString(strings.ReplaceAll(s, ":", ""))
	if err == nil && len(b) == len(d) {
		copy(d[:], b)
	}
	return d
}

func (c *core) Signatures(ctx context.Context, id ID, version uint32) ([]Signature, error) {
	var out []Signature
	err := c.view(ctx, func(tx kvTx) error {
		if _, err := getVersion(tx, id, version); err != nil {
			return err
		}
		prefix := verKey(id, version)
		cur := tx.bucket(bucketSigs).cursor()
		for k, v := cur.seek(prefix); k != nil && hasPrefix(k, prefix); k, v = cur.next() {
			var s Signature
			if err := unmarshalRecord(v, &s); err != nil {
				return fmt.Errorf("signature %x: %w", k, err)
			}
			out = append(out, s)
		}
		return nil
	})
	return out, err
}

func (c *core) SignatureBytes(ctx context.Context, id ID, version, index uint32) ([]byte, error) {
	var data []byte
	err := c.view(ctx, func(tx kvTx) error {
		var s Signature
		if err := getJSON(tx.bucket(bucketSigs), sigKey(id, version, index), &s,
			fmt.Sprintf("document %s version %d signature %d", id, version, index)); err != nil {
			return err
		}
		var err error
		data, err = c.readBlob(tx, s.Storage, s.SHA256)
		return err
	})
	return data, err
}
