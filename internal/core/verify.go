package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pdf"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/xmldsig"
)

// Errors of examining a signed file, for faces to explain.
var (
	// ErrNeedOriginal: a detached CMS was given without its original, and
	// none lies beside it.
	ErrNeedOriginal = errors.New("this is a detached signature: the signed file is not inside it, and no original lies beside it")
	// ErrOriginalNotUsed: an original was named for an XML signature,
	// which carries its document.
	ErrOriginalNotUsed = errors.New("an XML signature carries its document: no original is needed")
	// ErrTooLarge: the file is larger than any signature format accepts.
	ErrTooLarge = errors.New("too large for a signature file")
	// ErrNotSignature: neither XML nor a CMS in DER, PEM or base64.
	ErrNotSignature = errors.New("not a signature Qoltanba recognises")
	// ErrBadXML: XML that the XML signature verifier refuses (not
	// well-formed, a DTD, beyond the limits, no signature).
	ErrBadXML = errors.New("cannot check this XML")
)

// detachedExts are the names detached signatures get beside their original.
var detachedExts = []string{".cms", ".p7s", ".sig", ".p7b"}

// OriginalBeside finds the original of a detached signature kept beside it
// as Qoltanba, NCALayer and most tools name them (contract.pdf.cms next to
// contract.pdf); "" when there is none.
func OriginalBeside(sigPath string) string {
	ext := strings.ToLower(filepath.Ext(sigPath))
	for _, e := range detachedExts {
		if ext != e {
			continue
		}
		orig := strings.TrimSuffix(sigPath, filepath.Ext(sigPath))
		if info, err := os.Stat(orig); err == nil && info.Mode().IsRegular() {
			return orig
		}
	}
	return ""
}

// Examined is what the formats established about a signed file.
type Examined struct {
	Evidence []pki.Evidence
	// Original is the original a detached CMS was checked against; Guessed
	// says it was found beside the signature rather than named.
	Original string
	Guessed  bool
	// Validation is the validation data a PDF carries (its document
	// security store): the verifier's cache takes it before judging, so
	// that the signatures verify without a network as when they were made.
	Validation pdf.DSS
}

// ExamineFile recognises a signed file (XML, or CMS in DER, PEM or base64)
// and has its format's verifier establish the evidence; a detached CMS is
// checked against original, or the original beside it. This is the one
// answer to "what kind of signed file is this" for every face.
func ExamineFile(path, original string) (*Examined, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if isPDF(path) {
		if original != "" {
			return nil, ErrOriginalNotUsed
		}
		return examinePDF(path, info.Size())
	}
	if info.Size() > cms.MaxSize && info.Size() > xmldsig.MaxDocumentSize {
		return nil, fmt.Errorf("%s: %w", path, ErrTooLarge)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if looksXML(data) {
		if original != "" {
			return nil, ErrOriginalNotUsed
		}
		ev, err := xmldsig.Verify(data)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadXML, err)
		}
		return &Examined{Evidence: ev}, nil
	}
	der, err := cms.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotSignature, err)
	}
	x := &Examined{Original: original}
	if _, err := cms.Content(der); errors.Is(err, cms.ErrNoContent) && original == "" {
		if x.Original = OriginalBeside(path); x.Original == "" {
			return nil, ErrNeedOriginal
		}
		x.Guessed = true
	}
	var detached io.Reader
	if x.Original != "" {
		f, err := os.Open(x.Original)
		if err != nil {
			return nil, fmt.Errorf("open the original %s: %w", x.Original, err)
		}
		defer f.Close()
		detached = f
	}
	// The file as it is, not der: Verify names what of it (a second PEM
	// block) it did not verify.
	if x.Evidence, err = cms.Verify(data, detached); err != nil {
		return nil, fmt.Errorf("cannot check this CMS: %w", err)
	}
	return x, nil
}

// isPDF says whether the file starts as a PDF does (within its first KB,
// as readers allow).
func isPDF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 1024)
	n, _ := io.ReadFull(f, head)
	return bytes.Contains(head[:n], []byte("%PDF-"))
}

// examinePDF establishes the evidence of the signatures inside a PDF,
// reading only its structure and streaming the signed bytes.
func examinePDF(path string, size int64) (*Examined, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer fh.Close()
	f, err := pdf.Open(fh, size)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotSignature, err)
	}
	ev, _, err := pdf.Verify(f)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotSignature, err)
	}
	dss, _ := pdf.ReadDSS(f) // unreadable validation data is only missed
	return &Examined{Evidence: ev, Validation: dss}, nil
}

// VerifyFile examines a signed file and judges it with the core's verifier.
func (c *Core) VerifyFile(ctx context.Context, path, original string, opts VerifyOptions) (*pki.Report, *Examined, error) {
	x, err := ExamineFile(path, original)
	if err != nil {
		return nil, nil, err
	}
	v, err := c.Verifier(opts)
	if err != nil {
		return nil, nil, err
	}
	pdf.UseValidationData(v, x.Evidence, x.Validation)
	return v.Verify(ctx, x.Evidence), x, nil
}

func looksXML(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '<'
}
