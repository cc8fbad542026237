package pki

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"time"
)

// OCSPClient asks OCSP responders about certificates: a POST of an
// unsigned request with a fresh nonce (RFC 8954) to the address in the
// certificate's Authority Information Access (or URL), then the response is
// parsed and verified here, GOST-signed ones included.
type OCSPClient struct {
	// HTTP is the client to use; nil means a client with a 15 s timeout.
	HTTP *http.Client
	// URL, when set, replaces the certificate's AIA OCSP address.
	URL string
	// TrustedResponders are locally trusted responder certificates,
	// accepted for any CA (for a responder the CA did not certify).
	TrustedResponders []*x509.Certificate
	// NoNonce sends no nonce (for responders that reject it); responses
	// are then not bound to the request.
	NoNonce bool
	// Hash for the CertID: crypto.SHA1 (default) or crypto.SHA256.
	Hash crypto.Hash
	// Now, MaxAge and Skew: see OCSPVerifyOptions.
	Now    func() time.Time
	MaxAge time.Duration
	// Cache, when set, keeps every verified response for offline use.
	Cache *Cache
}

// OCSPResult is a verified answer about one certificate.
type OCSPResult struct {
	OCSPSingleResponse
	URL        string
	ProducedAt time.Time
	// Responder is the certificate that signed the response.
	Responder *x509.Certificate
	// FetchedAt is when the response was received; FromCache reports that
	// it was read from the cache instead (offline).
	FetchedAt time.Time
	FromCache bool
	Raw       []byte
}

// ErrNoOCSPURL: the certificate names no OCSP responder and none is configured.
var ErrNoOCSPURL = fmt.Errorf("pki: no OCSP address")

// Check asks the responder about cert, issued by issuer.
func (c *OCSPClient) Check(ctx context.Context, cert, issuer *x509.Certificate) (*OCSPResult, error) {
	url := c.URL
	if url == "" && cert != nil && len(cert.OCSPServer) > 0 {
		url = cert.OCSPServer[0]
	}
	if url == "" {
		return nil, ErrNoOCSPURL
	}
	h := c.Hash
	if h == 0 {
		h = crypto.SHA1
	}
	id, err := NewOCSPCertID(cert, issuer, h)
	if err != nil {
		return nil, err
	}
	var nonce []byte
	if !c.NoNonce {
		if nonce, err = NewOCSPNonce(rand.Reader); err != nil {
			return nil, err
		}
	}
	reqDER, err := MarshalOCSPRequest([]OCSPCertID{id}, nonce)
	if err != nil {
		return nil, err
	}
	body, err := c.post(ctx, url, reqDER)
	if err != nil {
		return nil, err
	}
	resp, err := ParseOCSPResponse(body)
	if err != nil {
		return nil, fmt.Errorf("OCSP %s: %w", url, err)
	}
	now := c.now()
	single, signer, err := verifyOCSP(resp, cert, issuer, OCSPVerifyOptions{
		Nonce: nonce, Now: now, MaxAge: c.MaxAge, TrustedResponders: c.TrustedResponders,
	})
	if err != nil {
		return nil, fmt.Errorf("OCSP %s: %w", url, err)
	}
	if c.Cache != nil {
		// A failed cache write loses only offline convenience.
		_ = c.Cache.Put(KindOCSP, url, issuer, cert.SerialNumber.Text(16), body, now)
	}
	return &OCSPResult{OCSPSingleResponse: *single, URL: url, ProducedAt: resp.ProducedAt,
		Responder: signer, FetchedAt: now, Raw: body}, nil
}

// Cached returns the last response stored for cert, verified without nonce
// or time checks: the caller reports its date.
func (c *OCSPClient) Cached(cert, issuer *x509.Certificate) (*OCSPResult, error) {
	if c.Cache == nil {
		return nil, ErrNotCached
	}
	url := c.URL
	if url == "" && len(cert.OCSPServer) > 0 {
		url = cert.OCSPServer[0]
	}
	der, fetched, err := c.Cache.Get(KindOCSP, url, issuer, cert.SerialNumber.Text(16))
	if err != nil {
		return nil, err
	}
	resp, err := ParseOCSPResponse(der)
	if err != nil {
		return nil, fmt.Errorf("cached OCSP response: %w", err)
	}
	single, signer, err := verifyOCSP(resp, cert, issuer, OCSPVerifyOptions{IgnoreTimes: true, TrustedResponders: c.TrustedResponders})
	if err != nil {
		return nil, fmt.Errorf("cached OCSP response: %w", err)
	}
	return &OCSPResult{OCSPSingleResponse: *single, URL: url, ProducedAt: resp.ProducedAt,
		Responder: signer, FetchedAt: fetched, FromCache: true, Raw: der}, nil
}

func (c *OCSPClient) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *OCSPClient) post(ctx context.Context, url string, req []byte) ([]byte, error) {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(req))
	if err != nil {
		return nil, fmt.Errorf("OCSP request to %s: %w", url, err)
	}
	hreq.Header.Set("Content-Type", "application/ocsp-request")
	hreq.Header.Set("Accept", "application/ocsp-response")
	resp, err := httpClient(c.HTTP).Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("%w: OCSP %s: %w", ErrUnreachable, url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: OCSP %s: HTTP %s", ErrUnreachable, url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxOCSPResponse+1))
	if err != nil {
		return nil, fmt.Errorf("%w: OCSP %s: %w", ErrUnreachable, url, err)
	}
	return body, nil
}

// defaultHTTP is used when callers give no client.
var defaultHTTP = &http.Client{Timeout: 15 * time.Second}

func httpClient(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return defaultHTTP
}
