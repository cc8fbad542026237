package docsign

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pdf"
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
	signingTime := signingTimeOf(report, pickOwn(report, cert))
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
	case FormatPDF:
		return examinePDF(sig, content)
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

// examinePDF finds sig among the signatures inside the PDF content and
// returns its evidence (its revision, what came after it).
func examinePDF(sig, content []byte) ([]pki.Evidence, error) {
	f, err := pdf.Open(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return nil, err
	}
	evs, sigs, err := pdf.Verify(f)
	if err != nil {
		return nil, err
	}
	for i, s := range sigs {
		if bytes.Equal(s.CMS, sig) {
			return evs[i : i+1], nil
		}
	}
	return nil, errors.New("the PDF does not carry this signature")
}

// RecordPDF stores a PDF signed inside as the plan's document's next
// version, with every signature it carries, in one write: mine (the CMS
// just made by the holder of cert) verified now — a failed one is not
// stored — and the earlier ones as the previous version recorded them (or,
// signed before the PDF came here, as received).
func RecordPDF(ctx context.Context, st store.Store, p *Plan, signedPDF, mine []byte, cert *x509.Certificate, v *pki.Verifier) (*Result, error) {
	if p.Options.Format != FormatPDF || cert == nil {
		return nil, errors.New("record a PDF signature: not a PDF plan")
	}
	f, err := pdf.Open(bytes.NewReader(signedPDF), int64(len(signedPDF)))
	if err != nil {
		return nil, fmt.Errorf("check the signed PDF: %w", err)
	}
	evs, sigs, err := pdf.Verify(f)
	if err != nil {
		return nil, fmt.Errorf("check the signed PDF: %w", err)
	}
	earlier, err := st.Signatures(ctx, p.Document.ID, p.Version.Number)
	if err != nil {
		return nil, err
	}
	known := map[store.Digest32]store.Signature{}
	for _, s := range earlier {
		known[s.SHA256] = s
	}
	var res *Result
	var news []store.NewSignature
	for i, s := range sigs {
		if len(s.CMS) == 0 {
			continue // nothing to keep: the file keeps it, and verify says why
		}
		own := bytes.Equal(s.CMS, mine)
		if prev, ok := known[store.Digest32(sha256.Sum256(s.CMS))]; ok && !own {
			news = append(news, store.NewSignature{Format: FormatPDF, Detached: true, Bytes: s.CMS, Signer: prev.Signer,
				SigningTime: prev.SigningTime, Origin: prev.Origin, Report: prev.Report})
			continue
		}
		ns, report, err := receivedPDF(ctx, v, evs[i], s.CMS)
		if err != nil {
			return nil, err
		}
		if own {
			if report.Worst() == pki.TotalFailed {
				return nil, &InvalidError{Report: report}
			}
			ns.Origin, ns.Signer = "made", store.SignerOf(pki.IdentityOf(cert, time.Now()))
			res = &Result{Report: report, Evidence: evs[i : i+1], Bytes: s.CMS}
		}
		news = append(news, ns)
	}
	if res == nil {
		return nil, errors.New("record a PDF signature: the signed PDF does not carry the signature just made")
	}
	_, stored, err := st.AddSignedVersion(ctx, p.Document.ID, p.Version.Name, "signed inside (PAdES)", signedPDF, news)
	if err != nil {
		return nil, err
	}
	for _, s := range stored {
		if s.SHA256 == store.Digest32(sha256.Sum256(mine)) {
			res.Signature = s
		}
	}
	return res, nil
}

// ArrivedPDF is the signatures a PDF carries, each verified now, as the
// store keeps received ones; none when it carries none or is not a PDF
// this package reads. The verifier is made only for a signed PDF.
func ArrivedPDF(ctx context.Context, verifier func() (*pki.Verifier, error), content []byte) ([]store.NewSignature, error) {
	f, err := pdf.Open(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return nil, nil
	}
	evs, sigs, err := pdf.Verify(f)
	if err != nil {
		return nil, nil // unsigned, or nothing to record
	}
	v, err := verifier()
	if err != nil {
		return nil, err
	}
	if dss, err := pdf.ReadDSS(f); err == nil {
		pdf.UseValidationData(v, evs, dss) // verified as the sender could, offline too
	}
	var out []store.NewSignature
	for i, s := range sigs {
		if len(s.CMS) == 0 {
			continue // nothing to keep: the file keeps it, and verify says why
		}
		ns, _, err := receivedPDF(ctx, v, evs[i], s.CMS)
		if err != nil {
			return nil, err
		}
		out = append(out, ns)
	}
	return out, nil
}

// receivedPDF verifies one signature found inside a PDF and describes it
// as a received signature, with its report.
func receivedPDF(ctx context.Context, v *pki.Verifier, ev pki.Evidence, cmsDER []byte) (store.NewSignature, *pki.Report, error) {
	report := v.Verify(ctx, []pki.Evidence{ev})
	reportJSON, err := json.Marshal(report)
	if err != nil {
		return store.NewSignature{}, nil, fmt.Errorf("encode report: %w", err)
	}
	var r pki.SignatureReport
	if len(report.Signatures) > 0 {
		r = report.Signatures[0]
	}
	return store.NewSignature{Format: FormatPDF, Detached: true, Bytes: cmsDER, Signer: store.SignerOf(r.Signer),
		SigningTime: signingTimeOf(report, r), Origin: "received", Report: reportJSON}, report, nil
}

// signingTimeOf is the time a stored signature is said to be made: the
// verdict's, else when it was verified.
func signingTimeOf(report *pki.Report, r pki.SignatureReport) time.Time {
	if r.SigningTime.IsZero() {
		return report.VerifiedAt
	}
	return r.SigningTime
}
