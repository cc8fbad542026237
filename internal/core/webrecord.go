package core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/sync/store"
)

// webDetailPrefix starts the journal detail of a signature made for a website.
const webDetailPrefix = "signed for "

// RecordWebSigning keeps what a signing operation made for a website: each
// signed document or data (within the store's limit) becomes a stored
// document whose counterparty is the origin, with the signature verified
// and stored; a hash, a raw signature, a co-signature or an oversized
// item is journaled as a key event naming the origin, what was signed
// (its SHA-256) and the signature's digest. It returns the ids of the
// documents it stored.
func (c *Core) RecordWebSigning(ctx context.Context, req SignRequest, res *SignResult) ([]store.ID, error) {
	origin, format := req.Origin, req.Format
	if c.Store == nil {
		return nil, ErrNoStore
	}
	if res == nil {
		return nil, nil
	}
	var ids []store.ID
	cert := res.Key.Certificate
	at := c.now().Local().Format("2006-01-02 15.04.05")
	for i, out := range res.Outputs {
		it := out.Item
		storable := it.Digest == nil && it.Data != nil && len(it.Data) <= store.DefaultMaxContentSize &&
			(format == signer.FormatCMS || format == signer.FormatXML) && !req.CoSign
		if storable {
			name := fmt.Sprintf("%s %s", hostOf(origin), at)
			if len(res.Outputs) > 1 {
				name += fmt.Sprintf(" (%d)", i+1)
			}
			name += extensionOf(format, it)
			id, err := c.recordSigned(ctx, store.NewDocument{Name: name, Counterparty: origin, Content: it.Data}, false, format, out.Bytes, cert)
			if err == nil {
				ids = append(ids, id)
				continue
			}
			// A signature the verifier refuses to store is still journaled
			// below: the website has it, so the user must see it.
		}
		what, kind := it.Digest, "hash"
		switch {
		case req.CoSign:
			sum := sha256.Sum256(it.Data)
			what, kind = sum[:], "co-signature of the CMS with SHA-256"
		case what == nil:
			sum := sha256.Sum256(it.Data)
			what, kind = sum[:], "data SHA-256"
		}
		detail := fmt.Sprintf("%s%s: %s %s, %s %s", webDetailPrefix, origin, format, strings.TrimSpace(it.Name), kind, hex.EncodeToString(what))
		if _, err := c.Store.Record(ctx, store.Event{Action: store.ActionKey, Digest: sha256.Sum256(out.Bytes),
			Certificate: fingerprint(cert), Detail: clip(detail)}); err != nil {
			return ids, fmt.Errorf("journal the signing for %s: %w", origin, err)
		}
	}
	return ids, nil
}

// RecordWebDisclosure journals that a website was given a certificate
// (NCALayer's getKeyInfo): who the user is is disclosed, nothing signed.
func (c *Core) RecordWebDisclosure(ctx context.Context, origin string, ref signer.KeyRef) error {
	if c.Store == nil || ref.Certificate == nil {
		return nil
	}
	_, err := c.Store.Record(ctx, store.Event{Action: store.ActionKey, Certificate: fingerprint(ref.Certificate),
		Detail: clip(fmt.Sprintf("certificate of %s given to %s", ref.Label, origin))})
	if err != nil {
		return fmt.Errorf("journal the certificate given to %s: %w", origin, err)
	}
	return nil
}

// IsWebSigning reports whether a journal detail records a signature made
// for a website, and for which origin.
func IsWebSigning(detail string) (origin string, ok bool) {
	rest, ok := strings.CutPrefix(detail, webDetailPrefix)
	if !ok {
		return "", false
	}
	origin, _, ok = strings.Cut(rest, ": ")
	return origin, ok
}

func hostOf(origin string) string {
	if u, err := url.Parse(origin); err == nil && u.Host != "" {
		return u.Host
	}
	return "website"
}

func extensionOf(format signer.Format, it Item) string {
	if format == signer.FormatXML {
		return ".xml"
	}
	if strings.HasPrefix(it.MediaType, "text/") {
		return ".txt"
	}
	return ".bin"
}
