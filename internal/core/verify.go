package core

import (
	"os"
	"path/filepath"
	"strings"
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
