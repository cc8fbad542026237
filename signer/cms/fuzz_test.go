package cms_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// fuzzContent is the detached content the seeds were signed over.
var fuzzContent = []byte("fuzz seed content")

// FuzzVerify: Verify and friends never panic, and report malformed input
// with ErrMalformed only. Seeds in testdata/fuzz/FuzzVerify are real CMS
// (RSA and GOST, attached, detached, co-signed, timestamped, BER).
func FuzzVerify(f *testing.F) {
	f.Add([]byte{0x30, 0x80, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		evs, err := cms.Verify(data, bytes.NewReader(fuzzContent))
		if err == nil && len(evs) == 0 {
			t.Fatal("no error and no evidence")
		}
		cms.VerifyDigest(data, []int{2, 16, 840, 1, 101, 3, 4, 2, 1}, make([]byte, 32))
		cms.Content(data)
		cms.ParseToken(data)
		cms.ParseTimeStampResp(data)
		cms.ParseTimeStampReq(data)
	})
}

// FuzzDecode: Decode never panics and returns DER-looking bytes or an error.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("-----BEGIN CMS-----\nMAA=\n-----END CMS-----\n"))
	f.Add([]byte("MIIB"))
	f.Add([]byte("\xef\xbb\xbf MAA="))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := cms.Decode(data)
		if err == nil && (len(out) == 0 || out[0] != 0x30) {
			t.Fatalf("Decode returned %x without error", out)
		}
	})
}

// TestWriteFuzzCorpus regenerates testdata/fuzz/FuzzVerify when
// QOLTANBA_WRITE_CORPUS=1; it is skipped otherwise.
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("QOLTANBA_WRITE_CORPUS") != "1" {
		t.Skip("set QOLTANBA_WRITE_CORPUS=1 to regenerate the fuzz corpus")
	}
	r, g := getRSA(t), getGOST(t)
	tsa := startTSA(t, g.tsa, testpki.TSAPolicyGOST)
	seeds := map[string][]byte{}
	var err error
	if seeds["rsa-attached"], err = cms.Sign(bytes.NewReader(fuzzContent), r.alice.key, r.alice.cert, nil, cms.SignOptions{}); err != nil {
		t.Fatal(err)
	}
	if seeds["gost-detached"], err = cms.Sign(bytes.NewReader(fuzzContent), g.head.key, g.head.cert, g.head.chain, cms.SignOptions{Detached: true, IncludeChain: true}); err != nil {
		t.Fatal(err)
	}
	if seeds["gost2004-attached"], err = cms.Sign(bytes.NewReader(fuzzContent), g.old2004.key, g.old2004.cert, nil, cms.SignOptions{}); err != nil {
		t.Fatal(err)
	}
	co, err := cms.CoSign(seeds["gost-detached"], bytes.NewReader(fuzzContent), r.bob.key, r.bob.cert, nil, cms.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if seeds["cosigned-timestamped"], err = cms.AddTimestamp(context.Background(), co, tsa); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzVerify")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, der := range seeds {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", der)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
