package core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/sync/store"
)

// webDetailPrefix starts the journal detail of a signature made for a
// website; WebHistory finds them by it.
const webDetailPrefix = "signed for "

// RecordWebSigning keeps what a signing operation made for a website.
// Each signed document or data within the store's limit becomes a stored
// document whose counterparty is the origin, with the signature verified
// and stored. Every signature, stored or not (a hash, a raw signature, a
// co-signature, an oversized item), gets one journal entry naming the
// origin, what was signed (its SHA-256, or the hash itself) and the
// signature's digest: the "signed for websites" history.
func (c *Core) RecordWebSigning(ctx context.Context, req SignRequest, res *SignResult) ([]store.ID, error) {
	if c.Store == nil {
		return nil, ErrNoStore
	}
	if res == nil {
		return nil, nil
	}
	origin, format := req.Origin, req.Format
	var ids []store.ID
	cert := res.Key.Certificate
	at := c.now().Local().Format("2006-01-02 15.04.05")
	for i, out := range res.Outputs {
		it := out.Item
		var doc store.ID
		storable := it.Digest == nil && it.Data != nil && len(it.Data) <= store.DefaultMaxContentSize &&
			(format == signer.FormatCMS || format == signer.FormatXML) && !req.CoSign
		if storable {
			name := fmt.Sprintf("%s %s", hostOf(origin), at)
			if len(res.Outputs) > 1 {
				name += fmt.Sprintf(" (%d)", i+1)
			}
			name += extensionOf(format, it)
			// A signature the verifier refuses to store is still
			// journaled below: the website has it, the user must see it.
			if id, err := c.recordSigned(ctx, store.NewDocument{Name: name, Counterparty: origin, Content: it.Data}, false, format, out.Bytes, cert); err == nil {
				ids, doc = append(ids, id), id
			}
		}
		what, kind := it.Digest, "hash"
		switch {
		case req.CoSign:
			sum := sha256.Sum256(it.Data)
			what, kind = sum[:], "co-signature of a CMS, SHA-256"
		case what == nil:
			sum := sha256.Sum256(it.Data)
			what, kind = sum[:], "SHA-256"
		}
		detail := fmt.Sprintf("%s%s: %s, %s, %s %s", webDetailPrefix, origin, format, strings.TrimSpace(it.Name), kind, hex.EncodeToString(what))
		if _, err := c.Store.Record(ctx, store.Event{Action: store.ActionKey, Document: doc, Digest: sha256.Sum256(out.Bytes),
			Certificate: fingerprint(cert), Detail: clip(detail)}); err != nil {
			return ids, fmt.Errorf("journal the signing for %s: %w", origin, err)
		}
	}
	c.changed(store.ID{})
	return ids, nil
}

// RecordWebDisclosure journals that a website was given a certificate
// (NCALayer's getKeyInfo): who the user is was disclosed, nothing signed.
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

// WebSigning is one signature made for a website, as the journal keeps it.
type WebSigning struct {
	Time   time.Time
	Origin string
	// What says the format, the item and what was signed (the SHA-256, or
	// the hash the website sent).
	What string
	// Document is the stored document, zero when only journaled.
	Document    store.ID
	Certificate store.Digest32
}

// WebHistory lists the signatures made for websites, newest first, at
// most limit (0: all).
func (c *Core) WebHistory(ctx context.Context, limit int) ([]WebSigning, error) {
	if c.Store == nil {
		return nil, ErrNoStore
	}
	entries, err := c.Store.Journal(ctx, store.JournalQuery{})
	if err != nil {
		return nil, fmt.Errorf("read the journal: %w", err)
	}
	var out []WebSigning
	for _, e := range slices.Backward(entries) {
		origin, what, ok := parseWebDetail(e.Detail)
		if e.Action != store.ActionKey || !ok {
			continue
		}
		out = append(out, WebSigning{Time: e.Time, Origin: origin, What: what, Document: e.Document, Certificate: e.Certificate})
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out, nil
}

// IsWebSigning reports whether a journal detail records a signature made
// for a website, and for which origin.
func IsWebSigning(detail string) (origin string, ok bool) {
	origin, _, ok = parseWebDetail(detail)
	return origin, ok
}

func parseWebDetail(detail string) (origin, what string, ok bool) {
	rest, ok := strings.CutPrefix(detail, webDetailPrefix)
	if !ok {
		return "", "", false
	}
	return strings.Cut(rest, ": ")
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
