package pki

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
)

// ProductionRootURLs are the addresses NCA RK publishes its root (and
// issuing) certificates at, as open-source NCA clients (NCANode) use them.
// The list is a default: callers pass their own to FetchRoots.
var ProductionRootURLs = []string{
	"http://pki.gov.kz/cert/root_gost_2022.cer",
	"https://root.gov.kz/cert/root_gost2015_2022.cer",
	"http://root.gov.kz/cert/root_rsa_2020.cer",
	"http://root.gov.kz/cert/root_gost_2020.cer",
}

// ProductionRootPins are SHA-256 fingerprints of the NCA production roots a
// fetched certificate must match to be trusted without the user's explicit
// import. It is empty on purpose: the build machines cannot reach NCA to
// check the published roots, and an unchecked pin is worse than none. Until
// it is filled (from the certificates shipped in assets/), every fetched
// root waits for Import.
var ProductionRootPins []string

// FetchedRoot is one downloaded certificate and whether it is now trusted.
type FetchedRoot struct {
	URL         string
	Cert        *x509.Certificate
	Fingerprint string
	// Trusted: the fingerprint is pinned and the certificate was added as
	// an anchor. Otherwise Err says why not (ErrNotPinned, a download or
	// parse error) and Path, when set, is the cached file the user may
	// Import after checking the fingerprint.
	Trusted bool
	Path    string
	Err     error
}

// FetchRoots downloads root certificates from urls. A certificate whose
// SHA-256 fingerprint is in pins becomes an anchor; any other is only cached
// in Dir/fetched and reported with ErrNotPinned, never trusted silently.
func (s *TrustStore) FetchRoots(ctx context.Context, client *http.Client, urls, pins []string) []FetchedRoot {
	var out []FetchedRoot
	for _, url := range urls {
		certs, err := fetchCertificates(ctx, client, url)
		if err != nil {
			out = append(out, FetchedRoot{URL: url, Err: err})
			continue
		}
		for _, c := range certs {
			fr := FetchedRoot{URL: url, Cert: c, Fingerprint: Fingerprint(c)}
			if s.Dir != "" {
				dir := filepath.Join(s.Dir, "fetched")
				if err := saveCert(dir, c); err == nil {
					fr.Path = filepath.Join(dir, fr.Fingerprint+".cer")
				}
			}
			if pinned(c, pins) {
				s.AddAnchor(c)
				fr.Trusted = true
			} else {
				fr.Err = fmt.Errorf("%w: %s (SHA-256 %s)", ErrNotPinned, c.Subject.CommonName, fr.Fingerprint)
			}
			out = append(out, fr)
		}
	}
	return out
}

// fetchCertificates downloads DER or PEM certificates from url.
func fetchCertificates(ctx context.Context, client *http.Client, url string) ([]*x509.Certificate, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	resp, err := httpClient(client).Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrUnreachable, url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s: HTTP %s", ErrUnreachable, url, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrUnreachable, url, err)
	}
	certs, err := ParseCertificates(data)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	return certs, nil
}
