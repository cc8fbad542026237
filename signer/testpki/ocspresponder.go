package testpki

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/qoltanba/qoltanba/signer/pki"
)

// maxOCSPRequest bounds a request body; real ones are under 300 bytes.
const maxOCSPRequest = 64 << 10

// OCSPAuthority is one CA an OCSPResponder answers for.
type OCSPAuthority struct {
	// Issuer is the CA whose certificates are asked about.
	Issuer *x509.Certificate
	// CRL lists the revoked certificates (its entries' time and reason
	// are what the responder reports). May be nil: nothing revoked.
	CRL *x509.RevocationList
	// Signer and Key sign the responses: the CA itself, a delegated
	// responder the CA certified, or any certificate the client trusts
	// locally (for CAs whose key the test cannot hold, such as NCA's).
	Signer *x509.Certificate
	Key    crypto.Signer
	// Known, when set, tells issued serials from others: unknown ones get
	// the status "unknown". Nil answers "good" for every serial not revoked.
	Known func(serial *big.Int) bool
}

// OCSPResponder is an RFC 6960 responder over HTTP for tests and demos:
// POST application/ocsp-request, or GET /<base64 request>. It answers good,
// revoked or unknown from each authority's CRL, echoes the request's nonce
// (RFC 8954) and signs with the authority's responder key, RSA or GOST.
type OCSPResponder struct {
	Authorities []*OCSPAuthority
	// Now is the time of thisUpdate and producedAt; default time.Now.
	Now func() time.Time
	// Validity sets nextUpdate = thisUpdate + Validity; default one hour.
	Validity time.Duration
	Rand     io.Reader

	mu       sync.Mutex
	requests int
}

// Requests returns how many requests were answered (for tests of caching).
func (o *OCSPResponder) Requests() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.requests
}

// ServeHTTP answers one request. Requests that do not parse get the OCSP
// malformedRequest status, as RFC 6960 asks, not an HTTP error.
func (o *OCSPResponder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var der []byte
	switch r.Method {
	case http.MethodPost:
		body, err := io.ReadAll(io.LimitReader(r.Body, maxOCSPRequest+1))
		if err != nil || len(body) > maxOCSPRequest {
			http.Error(w, "request too large or unreadable", http.StatusRequestEntityTooLarge)
			return
		}
		der = body
	case http.MethodGet:
		p := r.URL.EscapedPath()
		if i := strings.LastIndex(p, "/ocsp/"); i >= 0 {
			p = p[i+len("/ocsp/"):]
		}
		enc, err := url.PathUnescape(strings.TrimPrefix(p, "/"))
		if err == nil {
			der, err = base64.StdEncoding.DecodeString(enc)
		}
		if err != nil {
			der = nil
		}
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "use GET or POST", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "application/ocsp-response")
	w.Write(o.Respond(der))
}

// Respond turns a DER OCSP request into a DER OCSP response.
func (o *OCSPResponder) Respond(reqDER []byte) []byte {
	o.mu.Lock()
	o.requests++
	o.mu.Unlock()
	req, err := pki.ParseOCSPRequest(reqDER)
	if err != nil {
		return pki.OCSPErrorResponse(pki.OCSPMalformedRequest)
	}
	var auth *OCSPAuthority
	for _, a := range o.Authorities {
		if req.CertIDs[0].IssuedBy(a.Issuer) {
			auth = a
			break
		}
	}
	if auth == nil {
		return pki.OCSPErrorResponse(pki.OCSPUnauthorized)
	}
	now := time.Now()
	if o.Now != nil {
		now = o.Now()
	}
	validity := o.Validity
	if validity == 0 {
		validity = time.Hour
	}
	tmpl := &pki.OCSPResponseTemplate{ProducedAt: now, Nonce: req.Nonce}
	if !auth.Signer.Equal(auth.Issuer) {
		tmpl.Certificates = []*x509.Certificate{auth.Signer}
	}
	for _, id := range req.CertIDs {
		sr := pki.OCSPSingleResponse{CertID: id, Status: pki.StatusGood, Reason: -1, ThisUpdate: now, NextUpdate: now.Add(validity)}
		switch {
		case !id.IssuedBy(auth.Issuer):
			sr.Status = pki.StatusUnknown
		case revokedEntry(auth.CRL, id.SerialNumber) != nil:
			e := revokedEntry(auth.CRL, id.SerialNumber)
			sr.Status, sr.RevokedAt, sr.Reason = pki.StatusRevoked, e.RevocationTime, e.ReasonCode
		case auth.Known != nil && !auth.Known(id.SerialNumber):
			sr.Status = pki.StatusUnknown
		}
		tmpl.Responses = append(tmpl.Responses, sr)
	}
	rnd := o.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	der, err := pki.CreateOCSPResponse(rnd, auth.Signer, auth.Key, tmpl)
	if err != nil {
		return pki.OCSPErrorResponse(pki.OCSPInternalError)
	}
	return der
}

func revokedEntry(crl *x509.RevocationList, serial *big.Int) *x509.RevocationListEntry {
	if crl == nil {
		return nil
	}
	for i := range crl.RevokedCertificateEntries {
		e := &crl.RevokedCertificateEntries[i]
		if e.SerialNumber.Cmp(serial) == 0 {
			return e
		}
	}
	return nil
}

// NewOCSPResponder returns the responder of p: for each family, the
// issuing CA's certificates answered by the family's delegated responder
// certificate (EKU OCSPSigning, ocsp-nocheck), and the root's (the issuing
// CA's status) signed by the root itself.
func (p *PKI) NewOCSPResponder() *OCSPResponder {
	o := &OCSPResponder{Rand: p.Options.Rand}
	for _, f := range Families {
		ca, root, svc := p.CAs[f], p.Roots[f], p.OCSPResponders[f]
		if ca == nil || svc == nil {
			continue
		}
		known := map[string]bool{}
		for _, e := range p.Entities {
			if e.Issuer == ca {
				known[e.Cert.SerialNumber.String()] = true
			}
		}
		for _, s := range p.Services() {
			if s.Issuer == ca {
				known[s.Cert.SerialNumber.String()] = true
			}
		}
		o.Authorities = append(o.Authorities,
			&OCSPAuthority{Issuer: ca.Cert, CRL: ca.CRL, Signer: svc.Cert, Key: svc.Key,
				Known: func(s *big.Int) bool { return known[s.String()] }},
			&OCSPAuthority{Issuer: root.Cert, CRL: root.CRL, Signer: root.Cert, Key: root.Key,
				Known: func(s *big.Int) bool { return s.Cmp(ca.Cert.SerialNumber) == 0 }},
		)
	}
	return o
}
