package docsign

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"time"

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

// Record verifies sig, the signature just made over the planned version by
// the holder of cert, with v and stores it. A signature that fails
// verification (TOTAL_FAILED: wrong key, revoked or expired certificate) is
// not stored; an INDETERMINATE one (unknown revocation status, untrusted
// root) is, with its report. Making the signature is the core's job
// (internal/core), which applies the signing policy first.
func Record(ctx context.Context, st store.Store, p *Plan, sig []byte, cert *x509.Certificate, v *pki.Verifier) (*Result, error) {
	return RecordWith(ctx, p, sig, cert, v, func(ctx context.Context, ns store.NewSignature) (store.Signature, error) {
		return st.AddSignature(ctx, p.Document.ID, p.Version.Number, ns)
	})
}

// Save stores a checked signature of the planned version: the store's
// AddSignature, or a write that keeps something else with it in the same
// transaction (the portal sync's outbox item).
type Save func(ctx context.Context, ns store.NewSignature) (store.Signature, error)

// RecordWith is Record with the storing step given: the same checks, the
// same record.
func RecordWith(ctx context.Context, p *Plan, sig []byte, cert *x509.Certificate, v *pki.Verifier, save Save) (*Result, error) {
	if cert == nil {
		return nil, errors.New("record signature: no certificate")
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
	mine := pickOwn(report, cert)
	signingTime := mine.SigningTime
	if signingTime.IsZero() {
		signingTime = report.VerifiedAt
	}
	format := "cms"
	if p.Options.Format == FormatXML {
		format = "xmldsig"
	}
	s, err := save(ctx, store.NewSignature{
		Format: format, Detached: p.Options.Detached, Bytes: sig,
		Signer:      store.SignerOf(pki.IdentityOf(cert, time.Now())),
		SigningTime: signingTime, Origin: "made", Report: reportJSON,
	})
	if err != nil {
		return nil, err
	}
	return &Result{Signature: s, Report: report, Evidence: ev, Bytes: sig}, nil
}

// Content is the version's content, as it will be signed.
func (p *Plan) Content() []byte { return p.content }

// pickOwn returns the report of the signature made with key (XML may
// carry earlier ones), or the last.
func pickOwn(r *pki.Report, cert *x509.Certificate) pki.SignatureReport {
	fp := pki.Fingerprint(cert)
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
	// Verify reads sig as it is stored, not der: it names what of it (a
	// second PEM block) was not verified.
	if detached {
		return cms.Verify(sig, bytes.NewReader(content))
	}
	inside, err := cms.Content(der)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(inside, content) {
		return nil, errors.New("the content inside the CMS is not the document version's")
	}
	return cms.Verify(sig, nil)
}
