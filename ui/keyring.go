package ui

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/keyfile"
	"github.com/qoltanba/qoltanba/signer/pki"
)

// keySource says where the GUI learnt of a key.
type keySource int

const (
	sourceOpened keySource = iota // a file the user opened or dropped (remembered)
	sourceFound                   // a file found in the usual folders
	sourceToken                   // a key on a PKCS#11 token
)

// keyItem is one key the user can sign with. Nothing secret is held: the
// certificate is public, and it is known either without a password (a token,
// a .cer next to the file) or after the file was unlocked once this session.
type keyItem struct {
	// KeyRef is the key as the core's registry describes it: its URI,
	// label, token and certificate (when known).
	signer.KeyRef
	Source keySource
	Test   bool // from a test PKI: marked TEST wherever it appears
	// Generated: the welcome's test key, whose password Qoltanba knows.
	Generated bool
}

// name is what a list shows: the holder when known, else the file name.
func (k *keyItem) name() string {
	if k.Certificate != nil {
		if id := pki.IdentityOf(k.Certificate, time.Now()); id.CommonName != "" {
			return id.CommonName
		}
	}
	return k.Label
}

// validity is a certificate's status on a given day.
type validity int

const (
	validUnknown validity = iota
	validOK
	validExpiring // within pki.RenewBeforeDays of the end
	validExpired
	validNotYet
)

func validityOf(cert *x509.Certificate, now time.Time) (validity, int) {
	if cert == nil {
		return validUnknown, 0
	}
	days := int(cert.NotAfter.Sub(now).Hours() / 24)
	switch {
	case now.Before(cert.NotBefore):
		return validNotYet, days
	case now.After(cert.NotAfter):
		return validExpired, days
	case pki.RenewSoon(days):
		return validExpiring, days
	}
	return validOK, days
}

func (v validity) level() level {
	switch v {
	case validOK:
		return levelOK
	case validExpiring:
		return levelWarn
	case validExpired, validNotYet:
		return levelBad
	}
	return levelNone
}

// text is the validity in words, with the days left when they matter.
func (v validity) text(cert *x509.Certificate, days int) string {
	switch v {
	case validOK:
		return T("validity.ok", map[string]any{"Date": cert.NotAfter.Format(time.DateOnly), "Days": days})
	case validExpiring:
		return T("validity.expiring", map[string]any{"Date": cert.NotAfter.Format(time.DateOnly), "Days": days})
	case validExpired:
		return T("validity.expired", map[string]any{"Date": cert.NotAfter.Format(time.DateOnly)})
	case validNotYet:
		return T("validity.notYet", map[string]any{"Date": cert.NotBefore.Format(time.DateOnly)})
	}
	return T("validity.locked")
}

// collectKeys merges the remembered files, the files found in the usual
// folders (found: scanned once, off the UI goroutine) and the token keys
// into one list, without duplicates, remembered first.
func collectKeys(remembered, test []string, found []string, tokens []*keyItem, session map[string]*x509.Certificate) []*keyItem {
	seen := map[string]bool{}
	var out []*keyItem
	add := func(path string, src keySource) {
		abs, err := filepath.Abs(path)
		if err == nil {
			path = abs
		}
		if seen[path] {
			return
		}
		if _, err := os.Stat(path); err != nil {
			return // moved or deleted since: not offered
		}
		seen[path] = true
		k := &keyItem{KeyRef: signer.KeyRef{URI: path, Label: filepath.Base(path)}, Source: src, Test: slices.Contains(test, path), Generated: slices.Contains(test, path)}
		if c := session[path]; c != nil {
			k.Certificate = c
		} else {
			k.Certificate = keyfile.SiblingCertificate(path)
		}
		k.Test = k.Test || pki.IssuedByTestCA(k.Certificate)
		out = append(out, k)
	}
	for _, p := range remembered {
		add(p, sourceOpened)
	}
	for _, f := range found {
		add(f, sourceFound)
	}
	for _, t := range tokens {
		if !seen[t.URI] {
			seen[t.URI] = true
			out = append(out, t)
		}
	}
	return out
}

// scanKeyFolders walks the usual folders for key files: seconds on a big
// home folder or a slow USB stick, so it runs on a worker.
func scanKeyFolders(folders []string) []string {
	var paths []string
	for _, f := range keyfile.Find(folders) {
		paths = append(paths, f.Path)
	}
	return paths
}
