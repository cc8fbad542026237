package testpki

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/qoltanba/qoltanba/signer/pki"
)

// buildManifest describes p's files with paths relative to Dir.
func buildManifest(p *PKI) Manifest {
	m := Manifest{
		BaseURL:  p.Options.BaseURL,
		Password: p.Options.Password,
		Now:      p.Options.Now.Format(time.RFC3339),
	}
	for _, ca := range p.AllCAs() {
		m.CAs = append(m.CAs, ManifestCA{
			Name:    ca.Name,
			Family:  ca.Family,
			Root:    ca.Issuer == nil,
			Subject: pki.IdentityOf(ca.Cert, p.Options.Now).SubjectDN,
			Cert:    "ca/" + ca.Name + ".cer",
			CRL:     "crl/" + ca.Name + ".crl",
			Key:     "ca/" + ca.Name + ".TEST-CA-KEY.p12",
			Serial:  hex.EncodeToString(ca.Cert.SerialNumber.Bytes()),
		})
	}
	for _, e := range p.Entities {
		m.Entities = append(m.Entities, ManifestEntry{
			Name:         e.Name,
			Family:       e.Family,
			Path:         e.Name + ".p12",
			Cert:         e.Name + ".cer",
			Role:         mainRole(e.Roles),
			Roles:        e.Roles,
			Purpose:      e.Purpose,
			IIN:          e.IIN,
			BIN:          e.BIN,
			CommonName:   e.Cert.Subject.CommonName,
			Issuer:       e.Issuer.Name,
			Serial:       hex.EncodeToString(e.Cert.SerialNumber.Bytes()),
			SubjectKeyID: hex.EncodeToString(e.Cert.SubjectKeyId),
			Revoked:      e.Revoked,
			Expired:      e.Expired,
			NotAfter:     e.Cert.NotAfter.UTC().Format(time.RFC3339),
		})
	}
	for _, s := range p.Services() {
		kind := s.Name[len(s.Family)+1:]
		m.Services = append(m.Services, ManifestService{
			Name:    s.Name,
			Family:  s.Family,
			Kind:    kind,
			Path:    s.Name + ".p12",
			Cert:    s.Name + ".cer",
			Subject: pki.IdentityOf(s.Cert, p.Options.Now).SubjectDN,
			Issuer:  s.Issuer.Name,
		})
	}
	return m
}

// write stores p under p.Options.Dir and records the paths.
func write(p *PKI) error {
	dir := p.Options.Dir
	put := func(rel string, data []byte, mode os.FileMode) (string, error) {
		path := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(path, data, mode); err != nil {
			return "", err
		}
		return path, nil
	}
	var err error
	for i, ca := range p.AllCAs() {
		mc := p.Manifest.CAs[i]
		if ca.CertPath, err = put(mc.Cert, ca.Cert.Raw, 0o644); err != nil {
			return err
		}
		if ca.CRLPath, err = put(mc.CRL, ca.CRLDER, 0o644); err != nil {
			return err
		}
		p12, err := encodeP12(p.Options, ca.Key, ca.Cert)
		if err != nil {
			return fmt.Errorf("%s key: %w", ca.Name, err)
		}
		if ca.KeyPath, err = put(mc.Key, p12, 0o600); err != nil {
			return err
		}
	}
	for i, e := range p.Entities {
		me := p.Manifest.Entities[i]
		p12, err := encodeP12(p.Options, e.Key, e.Cert)
		if err != nil {
			return fmt.Errorf("%s: %w", e.Name, err)
		}
		if e.P12Path, err = put(me.Path, p12, 0o600); err != nil {
			return err
		}
		if e.CertPath, err = put(me.Cert, e.Cert.Raw, 0o644); err != nil {
			return err
		}
	}
	for i, s := range p.Services() {
		ms := p.Manifest.Services[i]
		p12, err := encodeP12(p.Options, s.Key, s.Cert)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		if s.P12Path, err = put(ms.Path, p12, 0o600); err != nil {
			return err
		}
		if s.CertPath, err = put(ms.Cert, s.Cert.Raw, 0o644); err != nil {
			return err
		}
	}
	j, err := json.MarshalIndent(p.Manifest, "", "  ")
	if err != nil {
		return fmt.Errorf("marshal manifest: %w", err)
	}
	p.ManifestPath, err = put("manifest.json", append(j, '\n'), 0o644)
	return err
}
