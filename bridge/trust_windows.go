package bridge

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The Windows user's Root store, through the certificate API (Wine's
// certutil.exe -addstore does nothing; the API works there too). Adding
// to it shows Windows' own confirmation dialog, once per new CA.

const certEncoding = windows.X509_ASN_ENCODING | windows.PKCS_7_ASN_ENCODING

// openRootStore opens the current user's own Root store in the registry
// (not the system store, a collection with the machine's roots, from
// which Wine cannot delete).
func openRootStore() (windows.Handle, error) {
	name, err := windows.UTF16PtrFromString("ROOT")
	if err != nil {
		return 0, err
	}
	store, err := windows.CertOpenStore(windows.CERT_STORE_PROV_SYSTEM_REGISTRY_W, 0, 0,
		windows.CERT_SYSTEM_STORE_CURRENT_USER, uintptr(unsafe.Pointer(name)))
	if err != nil {
		return 0, fmt.Errorf("open the Windows Root store: %w", err)
	}
	return store, nil
}

// ourCAs lists this program's CAs in the store, as duplicated contexts the
// caller frees (or deletes).
func ourCAs(store windows.Handle) []*windows.CertContext {
	var out []*windows.CertContext
	var ctx *windows.CertContext
	for {
		next, err := windows.CertEnumCertificatesInStore(store, ctx)
		if err != nil || next == nil {
			return out
		}
		ctx = next
		der := unsafe.Slice(ctx.EncodedCert, ctx.Length)
		if cert, err := x509.ParseCertificate(bytes.Clone(der)); err == nil && strings.HasPrefix(cert.Subject.CommonName, caNamePrefix) {
			out = append(out, windows.CertDuplicateCertificateContext(ctx))
		}
	}
}

func windowsCheck(c *Certificates, t TrustTarget) TrustStatus {
	s := TrustStatus{Target: t}
	store, err := openRootStore()
	if err != nil {
		s.Reason, s.Detail = ReasonUnreadable, err.Error()
		return s
	}
	defer windows.CertCloseStore(store, 0)
	found := ourCAs(store)
	s.Reason = ReasonMissing
	if len(found) > 0 {
		s.Reason = ReasonOld
	}
	for _, ctx := range found {
		if bytes.Equal(unsafe.Slice(ctx.EncodedCert, ctx.Length), c.CA.Raw) {
			s.Reason = ReasonTrusted
		}
		windows.CertFreeCertificateContext(ctx)
	}
	return s
}

func windowsInstall(c *Certificates) error {
	store, err := openRootStore()
	if err != nil {
		return err
	}
	defer windows.CertCloseStore(store, 0)
	err = removeOurs(store, c.CA.Raw)
	ctx, cerr := windows.CertCreateCertificateContext(certEncoding, &c.CA.Raw[0], uint32(len(c.CA.Raw)))
	if cerr != nil {
		return errors.Join(err, fmt.Errorf("read the CA certificate: %w", cerr))
	}
	defer windows.CertFreeCertificateContext(ctx)
	if aerr := windows.CertAddCertificateContextToStore(store, ctx, windows.CERT_STORE_ADD_REPLACE_EXISTING, nil); aerr != nil {
		err = errors.Join(err, fmt.Errorf("add the CA to the Windows Root store: %w", aerr))
	}
	return err
}

// removeOurs deletes this program's CAs from the store, but keep (DER).
// Each deletion is of the context the enumeration gave (the API frees it),
// so the enumeration starts again after each.
func removeOurs(store windows.Handle, keep []byte) error {
	for {
		var ctx *windows.CertContext
		found := false
		for {
			next, err := windows.CertEnumCertificatesInStore(store, ctx)
			if err != nil || next == nil {
				break
			}
			ctx = next
			der := unsafe.Slice(ctx.EncodedCert, ctx.Length)
			if cert, err := x509.ParseCertificate(bytes.Clone(der)); err == nil &&
				strings.HasPrefix(cert.Subject.CommonName, caNamePrefix) && !bytes.Equal(der, keep) {
				found = true
				break
			}
		}
		if !found {
			return nil
		}
		if err := windows.CertDeleteCertificateFromStore(ctx); err != nil {
			return fmt.Errorf("remove an earlier CA: %w", err)
		}
	}
}

func windowsUntrust() error {
	store, err := openRootStore()
	if err != nil {
		return err
	}
	defer windows.CertCloseStore(store, 0)
	return removeOurs(store, nil)
}
