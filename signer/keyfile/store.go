package keyfile

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/pki"
)

// Store is the signer.KeyStore of PKCS#12 key files: List finds them in
// Folders (the usual folders when empty), Open opens any file named by a
// path or a file: URI.
type Store struct {
	Folders []string
}

var _ signer.KeyStore = (*Store)(nil)

// List describes the key files found, with the certificate kept beside a
// file when there is one.
func (s *Store) List(ctx context.Context) ([]signer.KeyRef, error) {
	folders := s.Folders
	if len(folders) == 0 {
		folders = UsualFolders()
	}
	var refs []signer.KeyRef
	for _, f := range Find(folders) {
		if err := ctx.Err(); err != nil {
			return refs, err
		}
		refs = append(refs, Ref(f.Path))
	}
	return refs, nil
}

// Open asks for the file's password once and opens it. The file is checked
// first, so that no password is asked for a file that is not there.
func (s *Store) Open(ctx context.Context, uri string, ui signer.UI) (*signer.Key, error) {
	path, err := PathOf(uri)
	if err != nil {
		return nil, err
	}
	if err := Check(path); err != nil {
		return nil, err
	}
	password, err := ui.RequestSecret(ctx, signer.SecretRequest{Kind: signer.SecretPassword, Key: Ref(path), Attempt: 1})
	defer signer.Zero(password)
	if err != nil {
		return nil, err
	}
	return Open(path, password)
}

// PathOf turns a key file's name (a path or a file: URI) into a path.
func PathOf(uri string) (string, error) {
	if !strings.HasPrefix(strings.ToLower(uri), "file:") {
		return uri, nil
	}
	u, err := url.Parse(uri)
	if err != nil || (u.Host != "" && u.Host != "localhost") {
		return "", fmt.Errorf("key %s: %w: not a local file URI", uri, signer.ErrNoKey)
	}
	return filepath.FromSlash(u.Path), nil
}

// Check tells, before a password is asked, whether path can hold a key:
// a regular file that begins as DER does.
func Check(path string) error {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("key file %s does not exist: %w", path, signer.ErrNoKey)
	}
	if err != nil {
		return fmt.Errorf("key file %s: %w (%w)", path, signer.ErrNoKey, err)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("key file %s: %w: not a regular file", path, signer.ErrNoKey)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("key file %s: %w", path, err)
	}
	defer f.Close()
	var first [1]byte
	if _, err := f.Read(first[:]); err != nil || first[0] != 0x30 {
		return fmt.Errorf("key file %s: %w: not a PKCS#12 file", path, signer.ErrNoKey)
	}
	return nil
}

// Ref describes a key file without its password: its name, and the
// certificate kept beside it when there is one.
func Ref(path string) signer.KeyRef {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return signer.KeyRef{URI: path, Label: filepath.Base(path), Certificate: SiblingCertificate(path)}
}

// SiblingCertificate reads a certificate kept next to a key file under the
// same name (name.cer, .crt or .pem), as the test PKI and some NCA users
// keep them: it shows the holder without a password.
func SiblingCertificate(path string) *x509.Certificate {
	stem := strings.TrimSuffix(path, filepath.Ext(path))
	for _, ext := range []string{".cer", ".crt", ".pem"} {
		if _, err := os.Stat(stem + ext); err != nil {
			continue
		}
		certs, err := pki.ReadCertificates(stem + ext)
		if err == nil && len(certs) > 0 {
			return certs[0]
		}
	}
	return nil
}
