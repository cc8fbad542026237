package testpki

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"io"
	"math/big"
	"net/http"
	"sync"
	"time"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/rawsig"
)

// TSA policy OIDs NCA RK uses (docs/kz-pki.md).
var (
	TSAPolicyRSA      = asn1.ObjectIdentifier{1, 2, 398, 3, 3, 2, 6, 2}
	TSAPolicyGOST     = asn1.ObjectIdentifier{1, 2, 398, 3, 3, 2, 6, 4}
	TSAPolicyGOST2004 = asn1.ObjectIdentifier{1, 2, 398, 3, 3, 2, 6, 1}
)

// maxTSARequest bounds a request body; real ones are under 200 bytes.
const maxTSARequest = 64 << 10

// TSA is an RFC 3161 time-stamp authority over HTTP for tests and demos:
// POST application/timestamp-query, answer application/timestamp-reply.
// Tokens are CMS SignedData over a TSTInfo (serial, genTime, accuracy of
// one second, the request's nonce echoed), signed like Kalkan's CMS
// (signingCertificateV2 binds the TSA certificate) with an RSA or GOST key;
// the TSA certificate (and chain) is included when the request sets certReq.
type TSA struct {
	key    crypto.Signer
	cert   *x509.Certificate
	chain  []*x509.Certificate
	policy asn1.ObjectIdentifier
	// Now returns the time to stamp; default time.Now.
	Now func() time.Time

	mu     sync.Mutex
	serial *big.Int
}

// NewTSA returns a TSA signing with key under cert (which should carry the
// critical extended key usage id-kp-timeStamping), stamping with policy.
func NewTSA(key crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate, policy asn1.ObjectIdentifier) *TSA {
	return &TSA{key: key, cert: cert, chain: chain, policy: policy, Now: time.Now, serial: big.NewInt(time.Now().UnixNano())}
}

// ServeHTTP answers one time-stamp request. Protocol errors (a bad method,
// an unreadable body) get HTTP errors; requests the TSA will not serve get
// an RFC 3161 rejection with the failure bit saying why.
func (t *TSA) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST an application/timestamp-query", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxTSARequest+1))
	if err != nil || len(body) > maxTSARequest {
		http.Error(w, "unreadable or too large request", http.StatusBadRequest)
		return
	}
	resp := t.Respond(body)
	w.Header().Set("Content-Type", "application/timestamp-reply")
	_, _ = w.Write(resp)
}

// Respond turns a DER TimeStampReq into a DER TimeStampResp.
func (t *TSA) Respond(reqDER []byte) []byte {
	req, err := cms.ParseTimeStampReq(reqDER)
	if err != nil {
		return reject("malformed request", cms.FailBadRequest)
	}
	d, ok := rawsig.DigestByOID(req.MessageImprint.HashAlgorithm.Algorithm)
	if !ok || d.Weak {
		return reject("unsupported hash algorithm", cms.FailBadAlg)
	}
	if len(req.MessageImprint.HashedMessage) != d.Size {
		return reject("imprint length does not fit the hash", cms.FailBadDataFormat)
	}
	if req.ReqPolicy != nil && !req.ReqPolicy.Equal(t.policy) {
		return reject("policy not served: "+req.ReqPolicy.String(), cms.FailUnacceptedPolicy)
	}
	if len(req.Extensions.FullBytes) > 0 {
		return reject("extensions not supported", 16) // unacceptedExtension
	}
	info := cms.TSTInfo{
		Version:        1,
		Policy:         t.policy,
		MessageImprint: req.MessageImprint,
		SerialNumber:   t.nextSerial(),
		GenTime:        t.Now().UTC().Truncate(time.Second),
		Accuracy:       cms.Accuracy{Seconds: 1},
		Nonce:          req.Nonce,
	}
	content, err := info.Marshal()
	if err != nil {
		return reject("system failure", cms.FailSystemFailure)
	}
	token, err := cms.Sign(bytes.NewReader(content), t.key, t.cert, t.chain, cms.SignOptions{
		SigningTime:     info.GenTime,
		ContentType:     cms.OIDTSTInfo,
		IncludeChain:    req.CertReq,
		OmitCertificate: !req.CertReq,
	})
	if err != nil {
		return reject("system failure", cms.FailSystemFailure)
	}
	resp, err := cms.MarshalTimeStampResp(cms.PKIStatusInfo{Status: cms.StatusGranted}, token)
	if err != nil {
		return reject("system failure", cms.FailSystemFailure)
	}
	return resp
}

func (t *TSA) nextSerial() *big.Int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.serial.Add(t.serial, big.NewInt(1))
	return new(big.Int).Set(t.serial)
}

// reject encodes a rejection; it cannot fail for these inputs.
func reject(why string, failBit int) []byte {
	resp, err := cms.MarshalTimeStampResp(cms.PKIStatusInfo{
		Status:       cms.StatusRejection,
		StatusString: []string{why},
		FailInfo:     cms.FailureBits(failBit),
	}, nil)
	if err != nil {
		return nil
	}
	return resp
}
