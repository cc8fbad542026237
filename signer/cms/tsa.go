package cms

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/qoltanba/qoltanba/signer/internal/ber"
	"github.com/qoltanba/qoltanba/signer/rawsig"
)

// TSAClient asks an RFC 3161 time-stamp authority over HTTP
// (application/timestamp-query), e.g. NCA's http://tsp.pki.gov.kz.
type TSAClient struct {
	// URL of the TSA.
	URL string
	// HTTP is the client to use; nil means one with a 30-second timeout.
	HTTP *http.Client
	// Policy is the reqPolicy to ask for (NCA: 1.2.398.3.3.2.6.2 RSA,
	// 1.2.398.3.3.2.6.4 GOST 2015); nil leaves the choice to the TSA.
	Policy asn1.ObjectIdentifier
	// DigestOID is the hash AddTimestamp and Sign stamp a signature value
	// with; nil means the signer's own digest algorithm.
	DigestOID asn1.ObjectIdentifier
}

var defaultHTTP = &http.Client{Timeout: 30 * time.Second}

// Timestamp asks for a token over digest (made with digestOID) and returns
// the token (a CMS ContentInfo) after checking the response: status granted,
// nonce and imprint echoed, policy as asked, and the token's signature valid
// under the TSA certificate it carries (which must have the timeStamping
// extended key usage). Whether that certificate is trusted is for the
// caller (signer/pki) to judge.
func (c *TSAClient) Timestamp(ctx context.Context, digestOID asn1.ObjectIdentifier, digest []byte) ([]byte, error) {
	d, ok := rawsig.DigestByOID(digestOID)
	if !ok {
		return nil, fmt.Errorf("%w: unsupported digest algorithm %s", ErrTSA, digestOID)
	}
	if len(digest) != d.Size {
		return nil, fmt.Errorf("%w: %d-byte %s digest", ErrTSA, len(digest), d.Name)
	}
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, fmt.Errorf("%w: nonce: %w", ErrTSA, err)
	}
	req := TimeStampReq{
		Version: 1,
		MessageImprint: MessageImprint{
			HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: d.OID, Parameters: asn1.NullRawValue},
			HashedMessage: digest,
		},
		ReqPolicy: c.Policy,
		Nonce:     nonce,
		CertReq:   true,
	}
	body, err := req.Marshal()
	if err != nil {
		return nil, err
	}
	respDER, err := c.post(ctx, body)
	if err != nil {
		return nil, err
	}
	resp, err := ParseTimeStampResp(respDER)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrTSA, c.URL, err)
	}
	if s := resp.Status; s.Status != StatusGranted && s.Status != StatusGrantedWithMods {
		return nil, fmt.Errorf("%w: %s refused: status %d %s%s", ErrTSA, c.URL, s.Status,
			strings.Join(s.StatusString, "; "), failText(s.FailInfo))
	}
	token := resp.Token.FullBytes
	if len(token) == 0 {
		return nil, fmt.Errorf("%w: %s granted without a token", ErrTSA, c.URL)
	}
	ev := verifyTokenDigest(token, nil, d, digest)
	if !ev.Valid {
		return nil, fmt.Errorf("%w: %s: token: %s", ErrTSA, c.URL, ev.Error)
	}
	info, _ := tokenInfo(token) // parsed fine in verifyToken
	if info.Nonce == nil || info.Nonce.Cmp(nonce) != 0 {
		return nil, fmt.Errorf("%w: %s: the token's nonce does not match the request", ErrTSA, c.URL)
	}
	if c.Policy != nil && !info.Policy.Equal(c.Policy) {
		return nil, fmt.Errorf("%w: %s: token policy %s, asked for %s", ErrTSA, c.URL, info.Policy, c.Policy)
	}
	return token, nil
}

// post sends the request and returns the response body.
func (c *TSAClient) post(ctx context.Context, body []byte) ([]byte, error) {
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTSA, err)
	}
	hreq.Header.Set("Content-Type", timeStampContentType)
	hresp, err := hc.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTSA, err)
	}
	defer hresp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(hresp.Body, timeStampRespMaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %w", ErrTSA, c.URL, err)
	}
	if hresp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s answered %s", ErrTSA, c.URL, hresp.Status)
	}
	if len(data) > timeStampRespMaxSize {
		return nil, fmt.Errorf("%w: %s: response over %d bytes", ErrTSA, c.URL, timeStampRespMaxSize)
	}
	if der, err := ber.ToDER(data); err == nil {
		data = der
	}
	return data, nil
}

var failNames = map[int]string{
	FailBadAlg: "badAlg", 2: "badRequest", FailBadDataFormat: "badDataFormat", 14: "timeNotAvailable",
	FailUnacceptedPolicy: "unacceptedPolicy", 16: "unacceptedExtension", 17: "addInfoNotAvailable",
	FailSystemFailure: "systemFailure",
}

func failText(b asn1.BitString) string {
	var names []string
	for i := 0; i < b.BitLength; i++ {
		if b.At(i) == 1 {
			if n, ok := failNames[i]; ok {
				names = append(names, n)
			} else {
				names = append(names, fmt.Sprintf("bit %d", i))
			}
		}
	}
	if len(names) == 0 {
		return ""
	}
	return " (" + strings.Join(names, ", ") + ")"
}
