package cms

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"
)

// MessageImprint is RFC 3161's hash of the stamped data.
type MessageImprint struct {
	HashAlgorithm pkix.AlgorithmIdentifier
	HashedMessage []byte
}

// TimeStampReq is an RFC 3161 request (extensions are not supported).
type TimeStampReq struct {
	Version        int
	MessageImprint MessageImprint
	ReqPolicy      asn1.ObjectIdentifier `asn1:"optional"`
	Nonce          *big.Int              `asn1:"optional"`
	CertReq        bool                  `asn1:"optional,default:false"`
	Extensions     asn1.RawValue         `asn1:"optional,tag:0"`
}

// Marshal encodes the request in DER.
func (r *TimeStampReq) Marshal() ([]byte, error) {
	der, err := asn1.Marshal(*r)
	if err != nil {
		return nil, fmt.Errorf("marshal time-stamp request: %w", err)
	}
	return der, nil
}

// ParseTimeStampReq reads a DER request, as a TSA receives it.
func ParseTimeStampReq(der []byte) (*TimeStampReq, error) {
	var r TimeStampReq
	rest, err := asn1.Unmarshal(der, &r)
	if err != nil {
		return nil, malformed("time-stamp request: %v", err)
	}
	if len(rest) > 0 {
		return nil, malformed("bytes after the time-stamp request")
	}
	if r.Version != 1 {
		return nil, malformed("time-stamp request version %d", r.Version)
	}
	return &r, nil
}

// PKI status values and failure bits of RFC 3161 2.4.2.
const (
	StatusGranted         = 0
	StatusGrantedWithMods = 1
	StatusRejection       = 2

	FailBadAlg              = 0
	FailBadRequest          = 2
	FailBadDataFormat       = 5
	FailUnacceptedPolicy    = 15
	FailSystemFailure       = 25
	maxFailBit              = 25
	failInfoBytes           = (maxFailBit + 8) / 8
	timeStampRespMaxSize    = 1 << 20
	timeStampContentType    = "application/timestamp-query"
	timeStampReplyMediaType = "application/timestamp-reply"
)

// PKIStatusInfo is a response's status.
type PKIStatusInfo struct {
	Status       int
	StatusString []string // PKIFreeText: UTF8Strings
	FailInfo     asn1.BitString
}

// TimeStampResp is an RFC 3161 response; Token is a CMS ContentInfo.
type TimeStampResp struct {
	Status PKIStatusInfo
	Token  asn1.RawValue
}

// rawResp is the wire form: encoding/asn1 cannot write a SEQUENCE OF
// UTF8String from []string, so the texts travel as raw values.
type rawResp struct {
	Status struct {
		Status   int
		Text     []asn1.RawValue `asn1:"optional"`
		FailInfo asn1.BitString  `asn1:"optional"`
	}
	Token asn1.RawValue `asn1:"optional"`
}

// FailureBits returns a failInfo BIT STRING with the given bits set.
func FailureBits(bits ...int) asn1.BitString {
	b := asn1.BitString{Bytes: make([]byte, failInfoBytes)}
	top := 0
	for _, n := range bits {
		if n < 0 || n > maxFailBit {
			continue
		}
		b.Bytes[n/8] |= 0x80 >> (n % 8)
		top = max(top, n+1)
	}
	b.Bytes = b.Bytes[:(top+7)/8]
	b.BitLength = top
	return b
}

// MarshalTimeStampResp encodes a response: a granted one with token, or a
// rejection with a reason and failure bits.
func MarshalTimeStampResp(status PKIStatusInfo, token []byte) ([]byte, error) {
	var resp rawResp
	resp.Status.Status = status.Status
	resp.Status.FailInfo = status.FailInfo
	for _, s := range status.StatusString {
		resp.Status.Text = append(resp.Status.Text, asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte(s)})
	}
	if token != nil {
		resp.Token = asn1.RawValue{FullBytes: token}
	}
	der, err := asn1.Marshal(resp)
	if err != nil {
		return nil, fmt.Errorf("marshal time-stamp response: %w", err)
	}
	return der, nil
}

// ParseTimeStampResp reads a DER (or BER) response.
func ParseTimeStampResp(data []byte) (*TimeStampResp, error) {
	var raw rawResp
	rest, err := asn1.Unmarshal(data, &raw)
	if err != nil {
		return nil, malformed("time-stamp response: %v", err)
	}
	if len(rest) > 0 {
		return nil, malformed("bytes after the time-stamp response")
	}
	r := &TimeStampResp{Token: raw.Token}
	r.Status.Status, r.Status.FailInfo = raw.Status.Status, raw.Status.FailInfo
	for _, t := range raw.Status.Text {
		r.Status.StatusString = append(r.Status.StatusString, string(t.Bytes))
	}
	return r, nil
}

// Accuracy is TSTInfo's accuracy; zero fields are left out.
type Accuracy struct {
	Seconds int `asn1:"optional"`
	Millis  int `asn1:"optional,tag:0"`
	Micros  int `asn1:"optional,tag:1"`
}

// TSTInfo is the content of a time-stamp token (RFC 3161 2.4.2).
type TSTInfo struct {
	Version        int
	Policy         asn1.ObjectIdentifier
	MessageImprint MessageImprint
	SerialNumber   *big.Int
	GenTime        time.Time     `asn1:"generalized"`
	Accuracy       Accuracy      `asn1:"optional"`
	Ordering       bool          `asn1:"optional,default:false"`
	Nonce          *big.Int      `asn1:"optional"`
	TSA            asn1.RawValue `asn1:"optional,tag:0"`
	Extensions     asn1.RawValue `asn1:"optional,tag:1"`
}

// Marshal encodes the TSTInfo in DER. genTime is written to the second,
// or with fractions when it has them (encoding/asn1's GeneralizedTime).
func (t *TSTInfo) Marshal() ([]byte, error) {
	c := *t
	c.GenTime = c.GenTime.UTC()
	der, err := asn1.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("marshal TSTInfo: %w", err)
	}
	return der, nil
}

// ParseTSTInfo reads a TSTInfo.
func ParseTSTInfo(der []byte) (*TSTInfo, error) {
	var t TSTInfo
	rest, err := asn1.Unmarshal(der, &t)
	if err != nil {
		return nil, malformed("TSTInfo: %v", err)
	}
	if len(rest) > 0 {
		return nil, malformed("bytes after TSTInfo")
	}
	if t.Version != 1 || t.SerialNumber == nil {
		return nil, malformed("TSTInfo version %d or no serial number", t.Version)
	}
	return &t, nil
}
