package docsign

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/xmldsig"
	"github.com/qoltanba/qoltanba/sync/store"
)

// ErrInvalid: the signature just made does not verify (TOTAL_FAILED): it
// is not stored. The error carries the report.
var ErrInvalid = errors.New("the new signature does not verify")

// InvalidError is ErrInvalid with the report that says why.
type InvalidError struct{ Report *pki.Report }

func (e *InvalidError) Error() string {
	for _, s := range e.Report.Signatures {
		if s.Indication == pki.TotalFailed {
			msg := fmt.Sprintf("%v: %s/%s", ErrInvalid, s.Indication, s.SubIndication)
			if len(s.Errors) > 0 {
				msg += ": " + s.Errors[0].Text
			}
			return msg
		}
	}
	return ErrInvalid.Error()
}

func (e *InvalidError) Unwrap() error { return ErrInvalid }

// Result is a stored signature and its verification.
type Result struct {
	Signature store.Signature
	Report    *pki.Report
	Evidence  []pki.Evidence
	// Bytes are the signature bytes as stored.
	Bytes []byte
}

// Sign signs the planned version with key, verifies the result with v and
// stores it. A signature that fails verification (TOTAL_FAILED: wrong
// key, revoked or expired certificate) is not stored; an INDETERMINATE one
// (unknown revocation status, untrusted root) is, with its report.
func Sign(ctx context.Context, st store.Store, p *Plan, key *signer.Key, v *pki.Verifier) (*Result, error) {
	if key == nil || key.Signer == nil || key.Certificate == nil {
		return nil, errors.New("sign: no key")
	}
	sig, err := p.sign(ctx, key)
	if err != nil {
		return nil, err
	}
	ev, err := Examine(p.Options.Format, sig, p.content, p.Options.Detached)
	if err != nil {
		return nil, fmt.Errorf("check the new signature: %w", err)
	}
	report := v.Verify(ctx, ev)
	if report.Worst() == pki.TotalFailed {
		return nil, &InvalidError{Report: report}
	}
	reportJSON, err := json.Marshal(report)
	if err != nil {
		return nil, fmt.Errorf("encode report: %w", err)
	}
	mine := pickOwn(report, key)
	signingTime := mine.SigningTime
	if signingTime.IsZero() {
		signingTime = report.VerifiedAt
	}
	format := "cms"
	if p.Options.Format == FormatXML {
		format = "xmldsig"
	}
	s, err := st.AddSignature(ctx, p.Document.ID, p.Version.Number, store.NewSignature{
		Format: format, Detached: p.Options.Detached, Bytes: sig,
		Signer:      store.SignerOf(pki.IdentityOf(key.Certificate, time.Now())),
		SigningTime: signingTime, Origin: "made", Report: reportJSON,
	})
	if err != nil {
		return nil, err
	}
	return &Result{Signature: s, Report: report, Evidence: ev, Bytes: sig}, nil
}

// pickOwn returns the report of the signature made with key (XML may
// carry earlier ones), or the last.
func pickOwn(r *pki.Report, key *signer.Key) pki.SignatureReport {
	fp := pki.Fingerprint(key.Certificate)
	for i := len(r.Signatures) - 1; i >= 0; i-- {
		if r.Signatures[i].Signer.Fingerprint == fp {
			return r.Signatures[i]
		}
	}
	if len(r.Signatures) == 0 {
		return pki.SignatureReport{}
	}
	return r.Signatures[len(r.Signatures)-1]
}

func (p *Plan) sign(ctx context.Context, key *signer.Key) ([]byte, error) {
	o := p.Options
	if o.Format == FormatXML {
		style := xmldsig.StyleNCALayer
		if o.Compact {
			style = xmldsig.StyleCompact
		}
		out, err := xmldsig.Sign(p.content, key.Signer, key.Certificate, xmldsig.SignOptions{Style: style, ID: o.XMLID})
		if err != nil {
			return nil, fmt.Errorf("sign %s version %d: %w", p.Document.ID, p.Version.Number, err)
		}
		return out, nil
	}
	opts := cms.SignOptions{Detached: o.Detached, IncludeChain: true}
	out, err := cms.Sign(bytes.NewReader(p.content), key.Signer, key.Certificate, key.Chain, opts)
	if err != nil {
		return nil, fmt.Errorf("sign %s version %d: %w", p.Document.ID, p.Version.Number, err)
	}
	if o.TSA != "" {
		if out, err = cms.AddTimestamp(ctx, out, &cms.TSAClient{URL: o.TSA}); err != nil {
			return nil, fmt.Errorf("timestamp from %s: %w", o.TSA, err)
		}
	}
	return out, nil
}

// Examine runs the format's verifier over a stored signature and the
// content it belongs to; for an attached CMS it also checks that the
// content inside is the version's. format is "xml"/"xmldsig" or "cms".
func Examine(format string, sig, content []byte, detached bool) ([]pki.Evidence, error) {
	switch format {
	case FormatXML, "xmldsig":
		ev, err := xmldsig.Verify(sig)
		if err != nil {
			return nil, err
		}
		if err := XMLCarries(sig, content); err != nil {
			return nil, err
		}
		return ev, nil
	case FormatCMS:
	default:
		return nil, fmt.Errorf("%w: unknown signature format %q", ErrFormat, format)
	}
	der, err := cms.Decode(sig)
	if err != nil {
		return nil, err
	}
	if detached {
		return cms.Verify(der, bytes.NewReader(content))
	}
	inside, err := cms.Content(der)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(inside, content) {
		return nil, errors.New("the content inside the CMS is not the document version's")
	}
	return cms.Verify(der, nil)
}
