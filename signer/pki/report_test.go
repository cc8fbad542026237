package pki

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenReport is a fixed report covering the text layout's branches.
func goldenReport() *Report {
	at := time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
	chain := []ChainEntry{
		{Subject: "CN=АБАЕВ АЙДОС, SERIALNUMBER=IIN900101300017, C=KZ", SerialNumber: "7d03", NotAfter: at.AddDate(1, 0, 0), Algorithm: AlgorithmGOST2015_512},
		{Subject: "CN=ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST QOLTANBA, C=KZ", SerialNumber: "11", NotAfter: at.AddDate(10, 0, 0), Algorithm: AlgorithmGOST2015_512},
		{Subject: "CN=НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST QOLTANBA, C=KZ", SerialNumber: "22", NotAfter: at.AddDate(20, 0, 0), Algorithm: AlgorithmGOST2015_512},
	}
	signer := Identity{Algorithm: AlgorithmGOST2015_512, CommonName: "АБАЕВ АЙДОС", GivenName: "САҒАТҰЛЫ", IIN: "900101300017",
		BIN: "260140000015", Organization: `АО "QOLTANBA TEST"`, Roles: []Role{RoleLegal, RoleHead}, SerialNumber: "7d03",
		NotBefore: at.AddDate(0, -1, 0), NotAfter: at.AddDate(1, 0, 0)}
	return &Report{
		VerifiedAt: at.Add(time.Hour),
		Offline:    true,
		Signatures: []SignatureReport{
			{
				Format: "cms", Index: 0, Indication: TotalPassed, Signer: signer, SignatureAlgorithm: "GOST34.10-2015-512",
				Scope: "attached content", DigestAlgorithm: "GOST34.11-2015-512", ScopeDigest: "0a0b0c",
				ClaimedTime: at.Add(-time.Minute), TimestampTime: at, SigningTime: at, SigningTimeSource: "timestamp",
				StatusAtSigning: CertStatusReport{Status: StatusGood, Source: "cache", Via: "OCSP", Date: at.Add(-2 * time.Hour), FetchedAt: at.Add(-2 * time.Hour)},
				StatusNow: CertStatusReport{Status: StatusRevoked, RevokedAt: at.Add(30 * time.Minute), Reason: "keyCompromise", Source: "cache", Via: "OCSP",
					Date: at.Add(-2 * time.Hour), FetchedAt: at.Add(-2 * time.Hour)},
				Chain: chain, Anchor: chain[2].Subject,
				Warnings: []Message{{MsgStatusFromCache, "revocation status from the cache (OCSP fetched 2026-11-21 07:30:00 UTC), not checked now"}},
				Notes:    []Message{{MsgRevokedAfterSigning, "the certificate was revoked 2026-11-21 10:00:00 UTC, after the timestamped signing time: the signature was made before revocation"}},
			},
			{
				Format: "xmldsig", Index: 0, Indication: TotalFailed, SubIndication: HashFailure, Signer: signer,
				SignatureAlgorithm: "GOST34.10-2015-512", Scope: "whole document", SigningTime: at.Add(time.Hour), SigningTimeSource: "none",
				Errors: []Message{{MsgCrypto, "the signed data were changed: digest mismatch"}},
			},
			{Format: "raw", Indication: Indeterminate, SubIndication: NoSigningCertificateFound, SigningTimeSource: "none",
				Errors: []Message{{MsgChain, "the signing certificate was not found"}}},
		},
	}
}

func TestReportText(t *testing.T) {
	var buf bytes.Buffer
	if err := goldenReport().Text(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "report.golden.txt")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestReportText -update)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("text differs from %s:\n%s", path, buf.String())
	}
}

func TestReportJSONGolden(t *testing.T) {
	got, err := json.MarshalIndent(goldenReport(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "report.golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestReportJSONGolden -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("JSON differs from %s:\n%s", path, got)
	}
	var back Report
	if err := json.Unmarshal(got, &back); err != nil || back.Signatures[0].StatusNow.Reason != "keyCompromise" {
		t.Errorf("round trip: %v", err)
	}
}

func TestWorstAndExitCode(t *testing.T) {
	mk := func(inds ...Indication) *Report {
		r := &Report{}
		for _, i := range inds {
			r.Signatures = append(r.Signatures, SignatureReport{Indication: i})
		}
		return r
	}
	tests := []struct {
		r     *Report
		worst Indication
		code  int
	}{
		{mk(TotalPassed, TotalPassed), TotalPassed, 0},
		{mk(TotalPassed, Indeterminate), Indeterminate, 2},
		{mk(Indeterminate, TotalFailed, TotalPassed), TotalFailed, 1},
		{mk(), Indeterminate, 2},
	}
	for _, tt := range tests {
		if w := tt.r.Worst(); w != tt.worst || tt.r.ExitCode() != tt.code {
			t.Errorf("%v: worst %s code %d", tt.r.Signatures, w, tt.r.ExitCode())
		}
	}
	var buf bytes.Buffer
	if err := mk().Text(&buf); err != nil || !bytes.Contains(buf.Bytes(), []byte("no signatures")) {
		t.Errorf("empty report: %q", buf.String())
	}
}
