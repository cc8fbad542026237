package core_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer"
)

func TestSignaturePath(t *testing.T) {
	tests := []struct {
		in     string
		format signer.Format
		cosign bool
		want   string
	}{
		{"/d/contract.pdf", signer.FormatCMS, false, "/d/contract.pdf.cms"},
		{"/d/invoice.xml", signer.FormatXML, false, "/d/invoice.signed.xml"},
		{"/d/data.bin", signer.FormatRaw, false, "/d/data.bin.sig"},
		{"/d/a.cms", signer.FormatCMS, true, "/d/a.cosigned.cms"},
	}
	for _, tt := range tests {
		if got := core.SignaturePath(tt.in, tt.format, tt.cosign); got != tt.want {
			t.Errorf("SignaturePath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFreePath(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "act.txt.cms")
	if got := core.FreePath(p); got != p {
		t.Errorf("free path %q changed to %q", p, got)
	}
	for _, name := range []string{"act.txt.cms", "act.txt (2).cms"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := core.FreePath(p), filepath.Join(dir, "act.txt (3).cms"); got != want {
		t.Errorf("FreePath = %q, want %q", got, want)
	}
}
