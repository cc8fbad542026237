package pki

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sync"
	"time"
)

// Errors of CRL checking.
var (
	// ErrCRLIssuer: the CRL is not issued by the certificate's issuer
	// (other name, or a signature that does not verify).
	ErrCRLIssuer = errors.New("pki: CRL not issued by the certificate's issuer")
	// ErrNoCRL: the certificate names no CRL distribution point.
	ErrNoCRL = errors.New("pki: no CRL address")
)

// maxCRL bounds a downloaded CRL (NCA's production CRLs are a few MB).
const maxCRL = 64 << 20

// CRLClient downloads, verifies and caches CRLs, and merges delta CRLs
// (freshestCRL / deltaCRLIndicator, RFC 5280 5.2.4 and 5.2.6) into the
// status it reports. Offline, or when the server cannot be reached, it
// answers from the Cache with the date the CRL was fetched.
type CRLClient struct {
	HTTP  *http.Client
	Cache *Cache
	Now   func() time.Time

	mu     sync.Mutex
	memory map[string]*CRLInfo // verified CRLs of this client's life, by URL and issuer
}

// CRLInfo is a verified CRL and where it came from.
type CRLInfo struct {
	CRL       *x509.RevocationList
	URL       string
	FetchedAt time.Time
	// FromCache: read from the disk cache, not downloaded now.
	FromCache bool
	// Stale: nextUpdate has passed at the time of use.
	Stale bool
	// Delta reports a delta CRL (deltaCRLIndicator); BaseNumber is its
	// base CRL number.
	Delta      bool
	BaseNumber *big.Int
	// FreshestURLs are the delta CRL addresses a complete CRL names.
	FreshestURLs []string
}

// CRLStatus is what the CRLs say about one certificate.
type CRLStatus struct {
	Status    CertStatusValue
	RevokedAt time.Time
	Reason    int
	// Base is the complete CRL used; Delta the delta CRL merged, if any.
	Base, Delta *CRLInfo
	// Warnings: a delta CRL that could not be used, a stale CRL.
	Warnings []string
}

func (c *CRLClient) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Get returns the CRL at url issued by issuer: downloaded and verified, or
// (offline, or when the download fails) the cached one.
func (c *CRLClient) Get(ctx context.Context, url string, issuer *x509.Certificate, offline bool) (*CRLInfo, error) {
	key := url + "\x00" + string(issuer.RawSubjectPublicKeyInfo)
	c.mu.Lock()
	if info := c.memory[key]; info != nil && (offline || !info.FromCache) {
		c.mu.Unlock()
		return c.withStale(info), nil
	}
	c.mu.Unlock()
	var fetchErr error
	if !offline {
		der, err := c.download(ctx, url)
		if err == nil {
			info, verr := c.verify(der, url, issuer)
			if verr != nil {
				return nil, verr
			}
			info.FetchedAt = c.now()
			_ = c.Cache.Put(KindCRL, url, issuer, "", der, info.FetchedAt)
			c.remember(key, info)
			return c.withStale(info), nil
		}
		fetchErr = err
	}
	der, fetched, err := c.Cache.Get(KindCRL, url, issuer, "")
	if err != nil {
		if fetchErr != nil {
			return nil, fetchErr
		}
		return nil, fmt.Errorf("CRL %s: %w", url, err)
	}
	info, err := c.verify(der, url, issuer)
	if err != nil {
		return nil, fmt.Errorf("cached %w", err)
	}
	info.FetchedAt, info.FromCache = fetched, true
	c.remember(key, info)
	return c.withStale(info), nil
}

func (c *CRLClient) remember(key string, info *CRLInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.memory == nil {
		c.memory = map[string]*CRLInfo{}
	}
	c.memory[key] = info
}

// withStale returns a copy of info with Stale set for the current time.
func (c *CRLClient) withStale(info *CRLInfo) *CRLInfo {
	cp := *info
	cp.Stale = !info.CRL.NextUpdate.IsZero() && c.now().After(info.CRL.NextUpdate)
	return &cp
}

func (c *CRLClient) download(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("CRL %s: %w", url, err)
	}
	resp, err := httpClient(c.HTTP).Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: CRL %s: %w", ErrUnreachable, url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: CRL %s: HTTP %s", ErrUnreachable, url, resp.Status)
	}
	der, err := io.ReadAll(io.LimitReader(resp.Body, maxCRL+1))
	if err != nil {
		return nil, fmt.Errorf("%w: CRL %s: %w", ErrUnreachable, url, err)
	}
	if len(der) > maxCRL {
		return nil, fmt.Errorf("CRL %s: %w: larger than %d bytes", url, ErrMalformed, maxCRL)
	}
	return der, nil
}

// verify parses der and checks that issuer issued and signed it.
func (c *CRLClient) verify(der []byte, url string, issuer *x509.Certificate) (*CRLInfo, error) {
	return ParseAndVerifyCRL(der, url, issuer)
}

// ParseAndVerifyCRL parses a DER CRL (NCA's GOST CRLs included), checks its
// issuer name and signature against issuer, and reads its delta-CRL
// extensions.
func ParseAndVerifyCRL(der []byte, url string, issuer *x509.Certificate) (*CRLInfo, error) {
	crl, err := ParseRevocationList(der)
	if err != nil {
		return nil, fmt.Errorf("CRL %s: %w", url, err)
	}
	if !bytes.Equal(crl.RawIssuer, issuer.RawSubject) {
		return nil, fmt.Errorf("CRL %s: %w: issued by %q, not %q", url, ErrCRLIssuer, crl.Issuer.CommonName, issuer.Subject.CommonName)
	}
	if err := CheckCRLSignatureFrom(crl, issuer); err != nil {
		return nil, fmt.Errorf("CRL %s: %w: %w", url, ErrCRLIssuer, err)
	}
	info := &CRLInfo{CRL: crl, URL: url}
	for _, ext := range crl.Extensions {
		switch {
		case ext.Id.Equal(oidDeltaCRL):
			var n *big.Int
			if rest, err := asn1.Unmarshal(ext.Value, &n); err != nil || len(rest) > 0 {
				return nil, fmt.Errorf("CRL %s: %w: deltaCRLIndicator", url, ErrMalformed)
			}
			info.Delta, info.BaseNumber = true, n
		case ext.Id.Equal(oidFreshestCRL):
			urls, err := distributionPointURLs(ext.Value)
			if err != nil {
				return nil, fmt.Errorf("CRL %s: %w: freshestCRL: %w", url, ErrMalformed, err)
			}
			info.FreshestURLs = urls
		}
	}
	return info, nil
}

// distributionPointURLs reads the URIs of a CRLDistributionPoints-shaped
// value (also freshestCRL's): SEQUENCE OF DistributionPoint with
// distributionPoint [0] { fullName [0] GeneralNames }.
func distributionPointURLs(der []byte) ([]string, error) {
	var dps []struct {
		DistributionPoint asn1.RawValue  `asn1:"optional,tag:0"`
		Reason            asn1.BitString `asn1:"optional,tag:1"`
		CRLIssuer         asn1.RawValue  `asn1:"optional,tag:2"`
	}
	if rest, err := asn1.Unmarshal(der, &dps); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("distribution points: %v", err)
	}
	var urls []string
	for _, dp := range dps {
		var name asn1.RawValue
		if len(dp.DistributionPoint.Bytes) == 0 {
			continue
		}
		if _, err := asn1.Unmarshal(dp.DistributionPoint.Bytes, &name); err != nil {
			return nil, fmt.Errorf("distribution point name: %w", err)
		}
		if name.Tag != 0 { // nameRelativeToCRLIssuer: no URL
			continue
		}
		for rest := name.Bytes; len(rest) > 0; {
			var gn asn1.RawValue
			var err error
			if rest, err = asn1.Unmarshal(rest, &gn); err != nil {
				return nil, fmt.Errorf("general name: %w", err)
			}
			if gn.Class == asn1.ClassContextSpecific && gn.Tag == 6 {
				urls = append(urls, string(gn.Bytes))
			}
		}
	}
	return urls, nil
}

// Status checks cert against the CRLs it names (the first that can be had),
// merged with a delta CRL when the complete CRL points to one.
func (c *CRLClient) Status(ctx context.Context, cert, issuer *x509.Certificate, offline bool) (*CRLStatus, error) {
	if len(cert.CRLDistributionPoints) == 0 {
		return nil, ErrNoCRL
	}
	var errs []error
	for _, url := range cert.CRLDistributionPoints {
		base, err := c.Get(ctx, url, issuer, offline)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if base.Delta {
			errs = append(errs, fmt.Errorf("CRL %s: %w: a delta CRL where a complete one was expected", url, ErrMalformed))
			continue
		}
		return c.statusFrom(ctx, cert, issuer, base, offline), nil
	}
	return nil, errors.Join(errs...)
}

// statusFrom looks cert up in base and its delta CRL.
func (c *CRLClient) statusFrom(ctx context.Context, cert, issuer *x509.Certificate, base *CRLInfo, offline bool) *CRLStatus {
	st := &CRLStatus{Status: StatusGood, Reason: -1, Base: base}
	if base.Stale {
		st.Warnings = append(st.Warnings, fmt.Sprintf("CRL %s is past its nextUpdate (%s)", base.URL, base.CRL.NextUpdate.UTC().Format(time.RFC3339)))
	}
	if e := findEntry(base.CRL, cert.SerialNumber); e != nil {
		st.Status, st.RevokedAt, st.Reason = StatusRevoked, e.RevocationTime, e.ReasonCode
	}
	for _, url := range base.FreshestURLs {
		delta, err := c.Get(ctx, url, issuer, offline)
		if err != nil {
			st.Warnings = append(st.Warnings, fmt.Sprintf("delta CRL unavailable: %v", err))
			continue
		}
		if err := deltaFits(base, delta); err != nil {
			st.Warnings = append(st.Warnings, err.Error())
			continue
		}
		st.Delta = delta
		if e := findEntry(delta.CRL, cert.SerialNumber); e != nil {
			if e.ReasonCode == 8 { // removeFromCRL: a hold was lifted
				st.Status, st.RevokedAt, st.Reason = StatusGood, time.Time{}, -1
			} else {
				st.Status, st.RevokedAt, st.Reason = StatusRevoked, e.RevocationTime, e.ReasonCode
			}
		}
		break
	}
	return st
}

// deltaFits checks that delta completes base (RFC 5280 5.2.4): it is a
// delta CRL whose base number is at most base's number and whose own number
// is greater.
func deltaFits(base, delta *CRLInfo) error {
	switch {
	case !delta.Delta:
		return fmt.Errorf("CRL %s named as delta has no deltaCRLIndicator", delta.URL)
	case base.CRL.Number == nil || delta.CRL.Number == nil || delta.BaseNumber == nil:
		return fmt.Errorf("delta CRL %s or its base lacks a CRL number", delta.URL)
	case delta.BaseNumber.Cmp(base.CRL.Number) > 0:
		return fmt.Errorf("delta CRL %s needs base CRL %s, have %s", delta.URL, delta.BaseNumber, base.CRL.Number)
	case delta.CRL.Number.Cmp(base.CRL.Number) <= 0:
		return fmt.Errorf("delta CRL %s (number %s) is older than the complete CRL (%s)", delta.URL, delta.CRL.Number, base.CRL.Number)
	}
	return nil
}

// findEntry returns crl's entry for serial, or nil.
func findEntry(crl *x509.RevocationList, serial *big.Int) *x509.RevocationListEntry {
	for i := range crl.RevokedCertificateEntries {
		e := &crl.RevokedCertificateEntries[i]
		if e.SerialNumber != nil && e.SerialNumber.Cmp(serial) == 0 {
			return e
		}
	}
	return nil
}
