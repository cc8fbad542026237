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

// openRootStore opens the current user's Root store.
func openRootStore() (windows.Handle, error) {
	name, err := windows.UTF16PtrFromString("ROOT")
	if err != nil {
		return 0, err
	}
	store, err := windows.CertOpenStore(windows.CERT_STORE_PROV_SYSTEM_W, 0, 0,
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
	var errs []error
	for _, ctx := range ourCAs(store) {
		if bytes.Equal(unsafe.Slice(ctx.EncodedCert, ctx.Length), c.CA.Raw) {
			windows.CertFreeCertificateContext(ctx)
			continue
		}
		if err := windows.CertDeleteCertificateFromStore(ctx); err != nil { // frees ctx
			errs = append(errs, fmt.Errorf("remove an earlier CA: %w", err))
		}
	}
	ctx, err := windows.CertCreateCertificateContext(certEncoding, &c.CA.Raw[0], uint32(len(c.CA.Raw)))
	if err != nil {
		return fmt.Errorf("read the CA certificate: %w", err)
	}
	defer windows.CertFreeCertificateContext(ctx)
	if err := windows.CertAddCertificateContextToStore(store, ctx, windows.CERT_STORE_ADD_REPLACE_EXISTING, nil); err != nil {
		errs = append(errs, fmt.Errorf("add the CA to the Windows Root store: %w", err))
	}
	return errors.Join(errs...)
}

func windowsUntrust() error {
	store, err := openRootStore()
	if err != nil {
		return err
	}
	defer windows.CertCloseStore(store, 0)
	var errs []error
	for _, ctx := range ourCAs(store) {
		if err := windows.CertDeleteCertificateFromStore(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
