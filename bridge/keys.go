package bridge

import (
	"context"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/pkcs11"
	"github.com/qoltanba/qoltanba/signer/pki"
)

// Storage names of the protocol.
const (
	StorageFile     = "PKCS12"
	StorageJKS      = "JKS"
	StorageKaztoken = "AKKaztokenStore"
	StorageIDCard   = "AKKZIDCardStore"
	StorageEToken72 = "AKEToken72KStore"
	StorageEToken51 = "AKEToken5110Store"
	StorageJaCarta  = "AKJaCartaStore"
	StorageAKey     = "AKAKEYStore"
)

// storages are the names a page may name, in NCALayer's order.
var storages = []string{StorageFile, StorageJKS, StorageKaztoken, StorageIDCard, StorageEToken72, StorageEToken51, StorageJaCarta, StorageAKey}

// tokenStorage names the storage of a token by its driver, manufacturer
// and model, as NCALayer names them. A token whose driver is not known (a
// Rutoken, SoftHSM) is offered as Kaztoken: the hardware storage every
// portal accepts.
func tokenStorage(t pkcs11.Token) string {
	s := strings.ToLower(t.Manufacturer + " " + t.Model + " " + t.Label)
	if t.Module != nil {
		s += " " + strings.ToLower(t.Module.Path)
	}
	switch {
	case strings.Contains(s, "idcard") || strings.Contains(s, "id card") || strings.Contains(s, "kzidcard"):
		return StorageIDCard
	case strings.Contains(s, "jacarta") || strings.Contains(s, "jcpkcs11") || strings.Contains(s, "aladdin"):
		return StorageJaCarta
	case strings.Contains(s, "5110"):
		return StorageEToken51
	case strings.Contains(s, "etoken") || strings.Contains(s, "etpkcs11") || strings.Contains(s, "safenet"):
		return StorageEToken72
	case strings.Contains(s, "akey"):
		return StorageAKey
	}
	return StorageKaztoken
}

// candidate is a key a site may be offered, with its storage.
type candidate struct {
	ref     signer.KeyRef
	storage string
}

// candidates lists the user's keys with their storages: key files from
// the registry's folders and the keys on every present token.
func (b *Bridge) candidates(ctx context.Context) ([]candidate, error) {
	var out []candidate
	files, err := b.core.KeyFiles(ctx)
	if err != nil {
		return nil, fmt.Errorf("list key files: %w", err)
	}
	for _, r := range files {
		out = append(out, candidate{ref: r, storage: StorageFile})
	}
	tokens := b.core.Keys.Tokens()
	if tokens == nil {
		return out, nil
	}
	present, err := tokens.Tokens()
	if err != nil {
		return out, nil // no driver loads: the files are still offered
	}
	refs, err := tokens.List(ctx)
	if err != nil {
		return out, nil
	}
	for _, r := range refs {
		storage := StorageKaztoken
		for _, t := range present {
			if t.Label == r.Token {
				storage = tokenStorage(t)
				break
			}
		}
		out = append(out, candidate{ref: r, storage: storage})
	}
	return out, nil
}

// activeTokens are the storage names of the tokens present.
func (b *Bridge) activeTokens() []string {
	names := []string{}
	tokens := b.core.Keys.Tokens()
	if tokens == nil {
		return names
	}
	present, err := tokens.Tokens()
	if err != nil {
		return names
	}
	for _, t := range present {
		if s := tokenStorage(t); !slices.Contains(names, s) {
			names = append(names, s)
		}
	}
	return names
}

// conditions are a site's requirements on the signer (basics'
// signerParams), checked on the certificate.
type conditions struct {
	// Requirements: every EKU must be in the certificate's extended key
	// usage (NCA puts the roles there too), and IIN, BIN, serial match.
	Requirements
	// Chain: the certificate must chain to a current (non-TEST) anchor;
	// NCALayer's chain:null. chain:[] skips this.
	Chain bool
	// AllowExpired, AllowRevoked are the protocol's test-only flags; they
	// are read and ignored: the core's policy is not a site's to lift.
}

// Errors a site's conditions give; they reach the page as NCALayer's
// error replies.
var (
	errNoKey       = errors.New("no key matches the site's conditions")
	errWrongSigner = errors.New("the chosen key does not match the site's conditions")
)

// EKUName names the EKU and role OIDs portals ask for, in English.
func EKUName(oid string) string {
	switch oid {
	case "1.3.6.1.5.5.7.3.4":
		return "signing key"
	case "1.3.6.1.5.5.7.3.2":
		return "authentication key"
	case "1.2.398.3.3.4.1.1":
		return "individual"
	case "1.2.398.3.3.4.1.2":
		return "legal entity"
	case "1.2.398.3.3.4.1.2.1":
		return "head of the organisation"
	case "1.2.398.3.3.4.1.2.2":
		return "right to sign"
	case "1.2.398.3.3.4.1.2.5":
		return "employee"
	}
	return oid
}

// accept checks a certificate against the conditions; trusted reports
// whether it chains to a current anchor (asked only when Chain is set).
func (c conditions) accept(cert *x509.Certificate, trusted func(*x509.Certificate) bool) error {
	id := pki.IdentityOf(cert, cert.NotBefore)
	var have []string
	for _, u := range cert.ExtKeyUsage {
		if oid, ok := extKeyUsageOID[u]; ok {
			have = append(have, oid)
		}
	}
	for _, u := range cert.UnknownExtKeyUsage {
		have = append(have, u.String())
	}
	for _, want := range c.EKUs {
		if !slices.Contains(have, want) {
			return fmt.Errorf("%w: the certificate is not for %q", errWrongSigner, EKUName(want))
		}
	}
	switch {
	case c.IIN != "" && id.IIN != c.IIN:
		return fmt.Errorf("%w: the site asks for IIN %s", errWrongSigner, c.IIN)
	case c.BIN != "" && id.BIN != c.BIN:
		return fmt.Errorf("%w: the site asks for BIN %s", errWrongSigner, c.BIN)
	case c.Serial != "" && !strings.EqualFold(strings.TrimLeft(c.Serial, "0"), strings.TrimLeft(id.SerialNumber, "0")):
		return fmt.Errorf("%w: the site asks for the certificate with serial %s", errWrongSigner, c.Serial)
	case c.Chain && trusted != nil && !trusted(cert):
		return fmt.Errorf("%w: the site accepts only certificates of NCA RK's current CAs", errWrongSigner)
	}
	return nil
}

var extKeyUsageOID = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageClientAuth:      asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}.String(),
	x509.ExtKeyUsageEmailProtection: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 4}.String(),
	x509.ExtKeyUsageServerAuth:      asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 1}.String(),
	x509.ExtKeyUsageCodeSigning:     asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}.String(),
	x509.ExtKeyUsageTimeStamping:    asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}.String(),
	x509.ExtKeyUsageOCSPSigning:     asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 9}.String(),
}
