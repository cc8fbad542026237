package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

func TestCertInfoAndVerify(t *testing.T) {
	p, _ := servedPKI(t)
	t.Setenv(dataDirEnv, t.TempDir())
	root := p.Root(testpki.FamilyGOST).CertPath
	head := p.Find("gost/legal_head")

	code, stdout, stderr := runCLI(t, "", "cert", "info", head.CertPath)
	if code != 0 || !strings.Contains(stdout, head.Cert.Subject.CommonName) || !strings.Contains(stdout, "Key usage:") || !strings.Contains(stdout, "nonRepudiation") {
		t.Errorf("cert info: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, "", "cert", "info", "--json", head.CertPath)
	var rows []certInfoRow
	if err := json.Unmarshal([]byte(stdout), &rows); code != 0 || err != nil || len(rows) != 1 || rows[0].IIN == "" {
		t.Errorf("cert info --json: exit %d, %v: %s", code, err, stdout)
	}

	tests := []struct {
		entity string
		args   []string
		code   int
		want   pki.Indication
	}{
		{"gost/legal_head", []string{"--trust", root}, 0, pki.TotalPassed},
		{"gost/individual_revoked", []string{"--trust", root}, 1, pki.TotalFailed},
		{"gost/individual_expired", []string{"--trust", root}, 1, pki.TotalFailed},
		{"gost/legal_head", nil, 2, pki.Indeterminate}, // no trusted root
	}
	for _, tt := range tests {
		t.Run(tt.entity, func(t *testing.T) {
			args := append([]string{"cert", "verify", "--json", p.Find(tt.entity).CertPath}, tt.args...)
			code, stdout, stderr := runCLI(t, "", args...)
			var r pki.Report
			if err := json.Unmarshal([]byte(stdout), &r); err != nil {
				t.Fatalf("%v: %s %s", err, stdout, stderr)
			}
			if code != tt.code || r.Worst() != tt.want {
				t.Errorf("exit %d, %s; want %d, %s\n%s", code, r.Worst(), tt.code, tt.want, stdout)
			}
		})
	}
}

// TestCertBadInput: a file that is not a certificate, a folder, nothing.
func TestCertBadInput(t *testing.T) {
	notCert := writeTemp(t, "x.cer", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"cert", "info", notCert}, "is not a certificate"},
		{[]string{"cert", "verify", writeTemp(t, "y.cer", "plain text")}, "is not a certificate"},
		{[]string{"cert", "info", t.TempDir()}, "is not a certificate file"},
		{[]string{"cert", "info", "/nonexistent.cer"}, "certificate file"},
		{[]string{"cert", "verify"}, "name one certificate file"},
	}
	for _, tt := range tests {
		code, _, stderr := runCLI(t, "", tt.args...)
		if code != 1 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, code, stderr, tt.want)
		}
	}
}
