package bridge

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // logos portals send
	_ "image/jpeg"
	_ "image/png"
	"net/http"
	"slices"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/xmldsig"
)

// basicsArgs are basics.sign's named args.
type basicsArgs struct {
	AllowedStorages []string `json:"allowedStorages"`
	Format          string   `json:"format"`
	Data            dataList `json:"data"`
	SigningParams   *struct {
		Decode      *bool           `json:"decode"`
		Encapsulate *bool           `json:"encapsulate"`
		Digested    *bool           `json:"digested"`
		TSAProfile  json.RawMessage `json:"tsaProfile"`
		OutputCert  bool            `json:"outputCert"`
	} `json:"signingParams"`
	SignerParams *struct {
		ExtKeyUsageOids []string        `json:"extKeyUsageOids"`
		IIN             string          `json:"iin"`
		BIN             string          `json:"bin"`
		SerialNumber    string          `json:"serialNumber"`
		Chain           json.RawMessage `json:"chain"`
		// allowExpired and allowRevoked are read and ignored: the
		// core's policy is not a website's to lift.
		AllowExpired bool `json:"allowExpired"`
		AllowRevoked bool `json:"allowRevoked"`
	} `json:"signerParams"`
	Locale string `json:"locale"`
	Logo   string `json:"logo"`
}

// MaxLogo bounds the image a page may show in the dialog.
const MaxLogo = 256 << 10

// errParams: basics' arguments do not make a request.
var errParams = errors.New("invalid signing parameters")

// basicsSign answers kz.gov.pki.knca.basics sign.
func (b *Bridge) basicsSign(ctx context.Context, s *session, raw json.RawMessage) basicsReply {
	v, err := b.basicsMethod(ctx, s, raw)
	switch {
	case err == nil:
		return basicsOK(v)
	case canceled(err):
		return basicsCanceled()
	case errors.Is(err, errParams):
		return basicsError(codeSigningParams, err.Error())
	case errors.Is(err, core.ErrInput):
		return basicsError(codeSigningParams, err.Error())
	case errors.Is(err, errNoKey), errors.Is(err, errWrongSigner):
		return basicsError(codeGeneral, err.Error())
	}
	return basicsError(codeSigning, err.Error())
}

func (b *Bridge) basicsMethod(ctx context.Context, s *session, raw json.RawMessage) (any, error) {
	var a basicsArgs
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, fmt.Errorf("%w: %w", errParams, err)
	}
	if a.Locale != "" {
		s.locale = locale(a.Locale)
	}
	var params struct {
		decode, encapsulate, digested, timestamp, outputCert bool
	}
	params.encapsulate = true
	if p := a.SigningParams; p != nil {
		params.decode = p.Decode != nil && *p.Decode
		params.encapsulate = p.Encapsulate == nil || *p.Encapsulate
		params.digested = p.Digested != nil && *p.Digested
		params.timestamp = len(p.TSAProfile) > 0 && string(p.TSAProfile) != "null"
		params.outputCert = p.OutputCert
	}
	data := []string(a.Data)
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: no data to sign", errParams)
	}
	job := keyJob{action: ActionSign, use: core.UseSign}
	if a.AllowedStorages != nil {
		for _, st := range a.AllowedStorages {
			if !slices.Contains(storages, st) {
				return nil, fmt.Errorf("%w: unknown storage %q", errParams, st)
			}
		}
		job.storages = a.AllowedStorages
	}
	job.cond.Chain = true
	if p := a.SignerParams; p != nil {
		job.cond.EKUs, job.cond.IIN, job.cond.BIN, job.cond.Serial = p.ExtKeyUsageOids, p.IIN, p.BIN, p.SerialNumber
		// chain: null (or absent) builds the chain to a current NCA CA;
		// an array (empty: skip) does not.
		job.cond.Chain = len(p.Chain) == 0 || string(p.Chain) == "null"
		if slices.Contains(p.ExtKeyUsageOids, oidClientAuth) && !slices.Contains(p.ExtKeyUsageOids, oidEmailProtection) {
			job.use = core.UseAuthenticate
		}
	}
	var err error
	if a.Logo != "" {
		if job.logo, err = checkLogo(a.Logo); err != nil {
			return nil, err
		}
	}
	req := core.SignRequest{}
	switch a.Format {
	case "cms":
		req.Format, req.Detached = signer.FormatCMS, !params.encapsulate
		if req.TSA, err = b.timestampFor(params.timestamp); err != nil {
			return nil, err
		}
		req.RequireTimestamp = req.TSA != ""
		if params.digested && params.encapsulate {
			return nil, fmt.Errorf("%w: a hash (digested) cannot be encapsulated", errParams)
		}
	case "xml":
		req.Format = signer.FormatXML
		if params.digested {
			return nil, fmt.Errorf("%w: XML is signed as a document, not a hash", errParams)
		}
	case "raw":
		req.Format = signer.FormatRaw
	default:
		return nil, fmt.Errorf("%w: format %q: cms, xml or raw", errParams, a.Format)
	}
	for i, d := range data {
		it := core.Item{Name: itemName(i, len(data), extensionFor(req.Format))}
		switch {
		case params.digested:
			job.action = ActionSignHash
			if it.Digest, err = decodeBase64(d); err != nil {
				return nil, fmt.Errorf("%w: %w", errParams, err)
			}
			it.Name = "hash"
		case params.decode:
			if it.Data, err = decodeBase64(d); err != nil {
				return nil, fmt.Errorf("%w: %w", errParams, err)
			}
		default:
			it.Data = []byte(d)
		}
		if it.Data != nil {
			it.MediaType = mediaType(it.Data)
			if req.Format == signer.FormatXML {
				it.MediaType = "application/xml"
			}
		}
		req.Items = append(req.Items, it)
	}
	res, err := b.sign(ctx, s, job, req)
	if err != nil {
		return nil, err
	}
	signatures := outputs(res, func(sig []byte) string {
		switch req.Format {
		case signer.FormatCMS:
			return string(cms.EncodePEM(sig))
		case signer.FormatXML:
			return string(sig)
		}
		return base64.StdEncoding.EncodeToString(sig)
	})
	if params.outputCert {
		return struct {
			Signatures  []string `json:"signatures"`
			Certificate string   `json:"certificate"`
		}{signatures, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: res.Key.Certificate.Raw}))}, nil
	}
	return signatures, nil
}

// dataList is basics' data: one string or an array of them. Documents
// of tens of megabytes come as base64, which needs no JSON unescaping: a
// string without a backslash is taken as it is, saving a pass over it.
type dataList []string

func (d *dataList) UnmarshalJSON(raw []byte) error {
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		*d = dataList{string(raw[1 : n-1])}
		return nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		*d = dataList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return fmt.Errorf("data is a string or an array of strings")
	}
	*d = many
	return nil
}

// checkLogo decodes a page's logo and checks it is a small image.
func checkLogo(logo64 string) ([]byte, error) {
	logo, err := decodeBase64(logo64)
	if err != nil || len(logo) > MaxLogo {
		return nil, fmt.Errorf("%w: logo is not a base64 image of at most %d KB", errParams, MaxLogo>>10)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(logo))
	if err != nil || cfg.Width > 1024 || cfg.Height > 1024 {
		return nil, fmt.Errorf("%w: logo is not a PNG, JPEG or GIF image of at most 1024×1024", errParams)
	}
	return logo, nil
}

func extensionFor(f signer.Format) string {
	if f == signer.FormatXML {
		return ".xml"
	}
	return ""
}

// mediaType guesses what data is, for the consent's preview.
func mediaType(data []byte) string {
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("<")) && xmldsig.Check(data, xmldsig.SignOptions{}) == nil {
		return "application/xml"
	}
	return http.DetectContentType(data)
}
