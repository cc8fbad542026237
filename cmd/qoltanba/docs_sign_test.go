package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/cmd/qoltanba-portal/portaltest"

	"crypto/x509"

	"github.com/qoltanba/qoltanba/signer/keyfile"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/sync/store"
)

// addDoc imports a file into the data folder in $QOLTANBA_DATA_DIR and returns its id.
func addDoc(t *testing.T, name, content string) string {
	t.Helper()
	path := writeTemp(t, name, content)
	code, stdout, stderr := runCLI(t, "", "docs", "add", path, "--json", "--title", "Келісім "+name)
	if code != 0 {
		t.Fatalf("docs add: %d %s", code, stderr)
	}
	var d store.Document
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatal(err)
	}
	return d.ID.String()
}

func showDoc(t *testing.T, id string) docDetail {
	t.Helper()
	code, stdout, stderr := runCLI(t, "", "docs", "show", id, "--json")
	if code != 0 {
		t.Fatalf("docs show: %d %s", code, stderr)
	}
	var d docDetail
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDocsSignTestPKI(t *testing.T) {
	p, base := servedPKI(t)
	t.Setenv(dataDirEnv, t.TempDir())
	root := p.Root(testpki.FamilyGOST).CertPath
	key := p.Find("gost/legal_head").P12Path
	tests := []struct {
		name, file, content string
		args                []string
		format              string
	}{
		{"xml", "a.xml", `<?xml version="1.0" encoding="UTF-8"?><agreement><p>Келісім</p></agreement>`, nil, "xmldsig"},
		{"cms detached timestamped", "b.txt", "Акт № 1\n", []string{"--detached", "--tsa", base + "/tsp"}, "cms"},
		{"cms attached", "c.txt", "Акт № 2\n", nil, "cms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := addDoc(t, tt.file, tt.content)
			args := append([]string{"docs", "sign", id, "--key", key, "--password-stdin", "--trust", root}, tt.args...)
			code, stdout, stderr := runCLI(t, "Qwerty12\n", args...)
			if code != 0 {
				t.Fatalf("exit %d: %s\n%s", code, stderr, stdout)
			}
			// What is signed is shown before the password is read.
			d := showDoc(t, id)
			for _, want := range []string{"Signing document " + id, d.Versions[0].SHA256.String(), "version 1", "Signer: "} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if !strings.Contains(stdout, "TOTAL_PASSED") {
				t.Errorf("report:\n%s", stdout)
			}
			if d.State != store.StateSigned || len(d.Versions[0].SignatureList) != 1 {
				t.Fatalf("document after signing: %+v", d.Document)
			}
			sig := d.Versions[0].SignatureList[0]
			var rep pki.Report
			if sig.Format != tt.format || sig.Signer.CommonName == "" || json.Unmarshal(sig.Report, &rep) != nil || rep.Worst() != pki.TotalPassed {
				t.Errorf("stored signature %+v", sig)
			}
			if tt.args != nil && sig.SigningTime.IsZero() {
				t.Error("no signing time")
			}
		})
	}
	t.Run("refusals", func(t *testing.T) {
		id := addDoc(t, "n.txt", "plain")
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"--format", "xml"}, "not XML"},
			{[]string{"--compact"}, "are xml"},
			{[]string{"--key", p.Find("gost/individual_revoked").P12Path}, "does not verify"},
		} {
			args := append([]string{"docs", "sign", id, "--key", key, "--password-stdin", "--trust", root}, tc.args...)
			code, _, stderr := runCLI(t, "Qwerty12\n", args...)
			if code != 1 || !strings.Contains(stderr, tc.want) {
				t.Errorf("%v: exit %d, stderr %s", tc.args, code, stderr)
			}
		}
		if d := showDoc(t, id); d.State != store.StateDraft {
			t.Errorf("refused signing changed the document: %s", d.State)
		}
	})
}

// TestDocsSignNCA signs with the real NCA test key, offline, with NCA's
// test CRL placed in the data folder's cache as if fetched before.
func TestDocsSignNCA(t *testing.T) {
	nca := sharedNCA(t)
	data := t.TempDir()
	t.Setenv(dataDirEnv, data)
	root := filepath.Join(nca, "gost2015/root_test_gost_2022.cer")
	caCerts, err := pki.ReadCertificates(filepath.Join(nca, "gost2015/nca_gost2022_test.cer"))
	if err != nil {
		t.Fatal(err)
	}
	crl, err := os.ReadFile(filepath.Join(nca, "gost2015/nca_gost2022_test.crl"))
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(nca, "gost2015/legal/valid/head.p12")
	cache := &pki.Cache{Dir: filepath.Join(data, "cache")}
	// The CRL address the NCA certificates name.
	leaf := p12Leaf(t, key)
	for _, url := range leaf.CRLDistributionPoints {
		if err := cache.Put(pki.KindCRL, url, caCerts[0], "", crl, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct{ file, content, format string }{
		{"nca.xml", `<?xml version="1.0" encoding="UTF-8"?><request><data>Өтініш</data></request>`, "xmldsig"},
		{"nca.txt", "Пайдаланушы келісімі\n", "cms"},
	} {
		t.Run(tt.format, func(t *testing.T) {
			id := addDoc(t, tt.file, tt.content)
			code, stdout, stderr := runCLI(t, "Qwerty12\n", "docs", "sign", id, "--key", key, "--password-stdin",
				"--trust", root, "--trust", filepath.Join(nca, "gost2015/nca_gost2022_test.cer"), "--offline")
			if code != 0 {
				t.Fatalf("exit %d: %s\n%s", code, stderr, stdout)
			}
			d := showDoc(t, id)
			if d.Versions[0].SignatureList[0].Format != tt.format || d.Versions[0].SignatureList[0].Signer.IIN == "" && d.Versions[0].SignatureList[0].Signer.BIN == "" {
				t.Errorf("signature %+v", d.Versions[0].SignatureList[0])
			}
			t.Logf("NCA %s: %s", tt.format, firstLine(stdout))
			zip := filepath.Join(t.TempDir(), "nca.zip")
			if code, _, stderr := runCLI(t, "", "docs", "export", id, "-o", zip, "--offline", "--trust", root,
				"--trust", filepath.Join(nca, "gost2015/nca_gost2022_test.cer")); code != 0 {
				t.Fatalf("export: %d %s", code, stderr)
			}
			t.Setenv(dataDirEnv, t.TempDir()) // another computer: no cache
			code, stdout, _ = runCLI(t, "", "docs", "verify-package", zip, "--trust", root)
			t.Setenv(dataDirEnv, data)
			if code != 0 {
				t.Errorf("verify-package: exit %d\n%s", code, stdout)
			}
		})
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func p12Leaf(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	k, err := keyfile.Open(path, []byte("Qwerty12"))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	return k.Certificate
}

// TestDocsSignBatch: several ids and --all-waiting sign with one password
// and print the summary.
func TestDocsSignBatch(t *testing.T) {
	data := t.TempDir()
	dir := t.TempDir()
	var ids []string
	for i := range 5 {
		f := writeFile(t, dir, fmt.Sprintf("inv-%d.txt", i), []byte(fmt.Sprintf("Invoice %d\n", i)))
		code, out, stderr := runCLI(t, "", "docs", "add", f, "--data-dir", data)
		if code != 0 {
			t.Fatalf("add: %s", stderr)
		}
		ids = append(ids, strings.TrimSpace(out))
	}
	key := portaltest.PKI(t).Find("gost/legal_head").P12Path
	code, out, stderr := runCLI(t, "Qwerty12\n", "docs", "sign", ids[0], ids[1], "--key", key, "--password-stdin", "--offline", "--data-dir", data)
	if code != 0 || strings.Count(out, "signed   ") != 2 || !strings.Contains(out, "2 signed, 0 skipped, 0 not signed") {
		t.Fatalf("two ids: %d %s %s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "Qwerty12\n", "docs", "sign", "--all-waiting", "--json", "--key", key, "--password-stdin", "--offline", "--data-dir", data)
	if code != 0 || !strings.Contains(out, `"Signed": 3`) {
		t.Fatalf("--all-waiting: %d %s %s", code, out, stderr)
	}
	code, out, _ = runCLI(t, "Qwerty12\n", "docs", "sign", "--all-waiting", "--key", key, "--password-stdin", "--offline", "--data-dir", data)
	if code != 0 || !strings.Contains(out, "Nothing to sign") {
		t.Fatalf("nothing left: %d %s", code, out)
	}
}
