package core

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/qoltanba/qoltanba/signer"
)

// ErrOutputExists: a file is already where a signature would be written;
// it is a signature made before, and is never silently replaced.
var ErrOutputExists = errors.New("already exists: a signature made earlier is never overwritten")

// SignaturePath is where a signature of in is written when the user names
// no place: beside it, as NCALayer and the portals name them —
// contract.pdf.cms, invoice.signed.xml, contract.signed.pdf (signed
// inside), data.bin.sig, and for a co-signed CMS a.cosigned.cms.
func SignaturePath(in string, format signer.Format, cosign bool) string {
	ext := filepath.Ext(in)
	switch {
	case format == signer.FormatXML, format == signer.FormatPDF:
		return strings.TrimSuffix(in, ext) + ".signed" + ext
	case format == signer.FormatRaw:
		return in + ".sig"
	case cosign:
		return strings.TrimSuffix(in, ext) + ".cosigned" + ext
	}
	return in + ".cms"
}

// Exists reports whether something is at path: a signature written there
// before must be added to or kept, never silently replaced.
func Exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// FreePath is path, or the first of "name (2).ext", "name (3).ext"… that
// does not exist: a new name that keeps every earlier file.
func FreePath(path string) string {
	if !Exists(path) {
		return path
	}
	dir, base := filepath.Split(path)
	stem, ext := base, ""
	// Keep compound endings whole: a.txt.cms → a.txt (2).cms.
	if i := strings.LastIndex(base, "."); i > 0 {
		stem, ext = base[:i], base[i:]
	}
	for n := 2; ; n++ {
		p := filepath.Join(dir, fmt.Sprintf("%s (%d)%s", stem, n, ext))
		if !Exists(p) {
			return p
		}
	}
}
