package testpki

import (
	"crypto"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/qoltanba/qoltanba/signer/pkcs12"
	"github.com/qoltanba/qoltanba/signer/pki"
)

// ErrNoManifest: the directory holds no manifest.json (not a test PKI, or
// one written before the CA keys were kept).
var ErrNoManifest = errors.New("testpki: no manifest.json")

// Load rebuilds a *PKI from a directory Generate wrote: CA certificates,
// keys (the ca/*.TEST-CA-KEY.p12 files) and CRLs, entity and service keys.
// password "" means the one recorded in the manifest. Revocation times come
// from the CAs' CRLs.
func Load(dir, password string) (*PKI, error) {
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("%w in %s: %w", ErrNoManifest, dir, err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("testpki: %s: manifest.json: %w", dir, err)
	}
	if password == "" {
		password = m.Password
	}
	now, err := time.Parse(time.RFC3339, m.Now)
	if err != nil {
		return nil, fmt.Errorf("testpki: manifest time %q: %w", m.Now, err)
	}
	p := &PKI{
		Options: Options{Dir: dir, BaseURL: m.BaseURL, Password: password, Now: now},
		Roots:   map[Family]*CA{}, CAs: map[Family]*CA{},
		OCSPResponders: map[Family]*Service{}, TSAs: map[Family]*Service{},
		Manifest: m, ManifestPath: filepath.Join(dir, "manifest.json"),
	}
	l := loader{dir: dir, password: password}
	byName := map[string]*CA{}
	for _, mc := range m.CAs {
		if mc.Key == "" {
			return nil, fmt.Errorf("testpki: %s: CA %s has no key file (written by an older version: run testpki init again)", dir, mc.Name)
		}
		ca := &CA{Name: mc.Name, Family: mc.Family, CertPath: l.path(mc.Cert), CRLPath: l.path(mc.CRL), KeyPath: l.path(mc.Key)}
		if ca.Key, ca.Cert, err = l.p12(mc.Key); err != nil {
			return nil, err
		}
		if ca.CRLDER, err = os.ReadFile(ca.CRLPath); err != nil {
			return nil, fmt.Errorf("testpki: %w", err)
		}
		if ca.CRL, err = pki.ParseRevocationList(ca.CRLDER); err != nil {
			return nil, fmt.Errorf("testpki: %s: %w", mc.CRL, err)
		}
		byName[ca.Name] = ca
		if mc.Root {
			p.Roots[ca.Family] = ca
		} else {
			p.CAs[ca.Family] = ca
		}
		if !hasFamily(p.Options.Families, ca.Family) {
			p.Options.Families = append(p.Options.Families, ca.Family)
		}
	}
	for f, ca := range p.CAs {
		ca.Issuer = p.Roots[f]
		if ca.Issuer == nil {
			return nil, fmt.Errorf("testpki: %s: %s family has no root", dir, f)
		}
	}
	for _, me := range m.Entities {
		issuer := byName[me.Issuer]
		if issuer == nil {
			return nil, fmt.Errorf("testpki: %s: entity %s names unknown issuer %s", dir, me.Name, me.Issuer)
		}
		e := &Entity{Name: me.Name, Family: me.Family, Roles: me.Roles, Purpose: me.Purpose, IIN: me.IIN, BIN: me.BIN,
			Revoked: me.Revoked, Expired: me.Expired, Issuer: issuer, P12Path: l.path(me.Path), CertPath: l.path(me.Cert)}
		if e.Key, e.Cert, err = l.p12(me.Path); err != nil {
			return nil, err
		}
		if r := revokedEntry(issuer.CRL, e.Cert.SerialNumber); r != nil {
			e.RevokedAt = r.RevocationTime
		}
		p.Entities = append(p.Entities, e)
	}
	for _, ms := range m.Services {
		issuer := byName[ms.Issuer]
		if issuer == nil {
			return nil, fmt.Errorf("testpki: %s: service %s names unknown issuer %s", dir, ms.Name, ms.Issuer)
		}
		s := &Service{Name: ms.Name, Family: ms.Family, Issuer: issuer, P12Path: l.path(ms.Path), CertPath: l.path(ms.Cert)}
		if s.Key, s.Cert, err = l.p12(ms.Path); err != nil {
			return nil, err
		}
		switch ms.Kind {
		case "ocsp":
			p.OCSPResponders[s.Family] = s
		case "tsa":
			p.TSAs[s.Family] = s
		}
	}
	return p, nil
}

type loader struct{ dir, password string }

func (l loader) path(rel string) string { return filepath.Join(l.dir, filepath.FromSlash(rel)) }

// p12 reads a key and its certificate.
func (l loader) p12(rel string) (key crypto.Signer, cert *x509.Certificate, err error) {
	data, err := os.ReadFile(l.path(rel))
	if err != nil {
		return nil, nil, fmt.Errorf("testpki: %w", err)
	}
	f, err := pkcs12.Decode(data, l.password)
	if err != nil {
		return nil, nil, fmt.Errorf("testpki: %s: %w", rel, err)
	}
	if len(f.Entries) != 1 || f.Entries[0].Certificate == nil {
		return nil, nil, fmt.Errorf("testpki: %s: %d keys, want one with its certificate", rel, len(f.Entries))
	}
	return f.Entries[0].PrivateKey, f.Entries[0].Certificate, nil
}
