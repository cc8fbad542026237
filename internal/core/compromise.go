package core

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/store"
)

// Compromised reports whether cert was reported compromised, and since when.
func (c *Core) Compromised(cert *x509.Certificate) (time.Time, bool) {
	if cert == nil {
		return time.Time{}, false
	}
	since, ok := c.Settings().Compromised[pki.Fingerprint(cert)]
	return since, ok
}

// MarkCompromised records that cert's key is compromised from since (at
// the latest now): kept in the settings, so that the policy refuses it
// from then on, and journaled.
func (c *Core) MarkCompromised(ctx context.Context, cert *x509.Certificate, since time.Time, reason string) (time.Time, error) {
	now := c.now()
	if since.IsZero() || since.After(now) {
		since = now
	}
	fp := pki.Fingerprint(cert)
	if err := c.UpdateSettings(func(s *Settings) {
		if s.Compromised == nil {
			s.Compromised = map[string]time.Time{}
		}
		if old, ok := s.Compromised[fp]; !ok || since.Before(old) {
			s.Compromised[fp] = since.UTC()
		}
	}); err != nil {
		return since, err
	}
	if c.Store != nil {
		id := pki.IdentityOf(cert, now)
		detail := fmt.Sprintf("reported compromised from %s: %s (IIN %s, serial %s)", since.UTC().Format(time.RFC3339), id.CommonName, id.IIN, id.SerialNumber)
		if reason != "" {
			detail += ": " + reason
		}
		if _, err := c.Store.Record(ctx, store.Event{Action: store.ActionKey, Certificate: fingerprintDigest(fp), Detail: detail}); err != nil {
			return since, err
		}
	}
	return since, nil
}

func fingerprintDigest(hexFP string) store.Digest32 {
	var d store.Digest32
	if b, err := hex.DecodeString(hexFP); err == nil && len(b) == len(d) {
		copy(d[:], b)
	}
	return d
}
