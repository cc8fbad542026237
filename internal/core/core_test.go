package core_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/rawsig"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

var (
	pkiOnce sync.Once
	testPKI *testpki.PKI
	pkiErr  error
	pkiDir  string
)

// gostPKI is one GOST test PKI written to disk for the package's tests.
func gostPKI(t *testing.T) *testpki.PKI {
	t.Helper()
	pkiOnce.Do(func() {
		pkiDir, pkiErr = os.MkdirTemp("", "qoltanba-core-test-")
		if pkiErr == nil {
			testPKI, pkiErr = testpki.Generate(testpki.Options{Dir: pkiDir, Families: []testpki.Family{testpki.FamilyGOST}})
		}
	})
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
	return testPKI
}

func TestMain(m *testing.M) {
	code := m.Run()
	if pkiDir != "" {
		os.RemoveAll(pkiDir)
	}
	os.Exit(code)
}

// scriptUI is a scripted signer.UI: it answers secrets in order, records
// what it was asked and shown, and declines consent when told to.
type scriptUI struct {
	secrets  []string
	requests []signer.SecretRequest
	consents []signer.Consent
	decline  bool
	// onConsent, if set, runs when the consent is shown (a file changed
	// behind the user's back, say).
	onConsent func()
}

func (u *scriptUI) RequestSecret(_ context.Context, req signer.SecretRequest) ([]byte, error) {
	u.requests = append(u.requests, req)
	if len(u.secrets) == 0 {
		return nil, signer.ErrCancelled
	}
	s := u.secrets[0]
	u.secrets = u.secrets[1:]
	return []byte(s), nil
}

func (u *scriptUI) Consent(_ context.Context, c signer.Consent) error {
	u.consents = append(u.consents, c)
	if u.onConsent != nil {
		u.onConsent()
	}
	if u.decline {
		return signer.ErrCancelled
	}
	return nil
}

func newCore(t *testing.T) *core.Core {
	t.Helper()
	c, err := core.New(core.Options{DataDir: t.TempDir(), Keys: core.NewKeys([]string{t.TempDir()}, nil)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSignPolicy: the one policy, applied by a direct core call; the CLI
// and the window reach the same code (their tests check the same keys).
func TestSignPolicy(t *testing.T) {
	p := gostPKI(t)
	doc := writeFile(t, "act.txt", "Акт № 7")
	tests := []struct {
		entity string
		use    core.Use
		want   error
	}{
		{"gost/legal_head", core.UseSign, nil},
		{"gost/individual_expired", core.UseSign, core.ErrCertificateExpired},
	}
	for _, tt := range tests {
		t.Run(tt.entity, func(t *testing.T) {
			e := p.Find(tt.entity)
			if e == nil {
				t.Skipf("no %s in the test PKI", tt.entity)
			}
			c := newCore(t)
			ui := &scriptUI{secrets: []string{testpki.DefaultPassword}}
			res, err := c.Sign(context.Background(), core.SignRequest{KeyURI: e.P12Path, Format: signer.FormatCMS, Items: []core.Item{{Path: doc}}, Use: tt.use}, ui)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.want != nil {
				return
			}
			if _, err := cms.Verify(res.Outputs[0].Bytes, nil); err != nil {
				t.Fatal(err)
			}
			if len(ui.consents) != 1 || ui.consents[0].Documents[0].Name != "act.txt" || len(ui.consents[0].Documents[0].SHA256) != 32 {
				t.Errorf("consent %+v", ui.consents)
			}
			if len(ui.requests) != 1 || ui.requests[0].Kind != signer.SecretPassword || ui.requests[0].Attempt != 1 {
				t.Errorf("requests %+v", ui.requests)
			}
		})
	}
}

// TestSignChecksBeforeSecret: bad input and a key URI that names nothing
// are refused before consent or secret.
func TestSignChecksBeforeSecret(t *testing.T) {
	p := gostPKI(t)
	key := p.Find("gost/legal_head").P12Path
	tests := []struct {
		name, key string
		req       core.SignRequest
	}{
		{"folder", key, core.SignRequest{Format: signer.FormatCMS, Items: []core.Item{{Path: t.TempDir()}}}},
		{"not XML", key, core.SignRequest{Format: signer.FormatXML, Items: []core.Item{{Path: writeFile(t, "a.xml", "not xml")}}}},
		{"DTD", key, core.SignRequest{Format: signer.FormatXML, Items: []core.Item{{Path: writeFile(t, "b.xml", `<!DOCTYPE a><a/>`)}}}},
		{"no key", "/nonexistent/key.p12", core.SignRequest{Format: signer.FormatCMS, Items: []core.Item{{Data: []byte("x")}}}},
		{"no token key", "pkcs11:token=NOPE;object=x", core.SignRequest{Format: signer.FormatCMS, Items: []core.Item{{Data: []byte("x")}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ui := &scriptUI{secrets: []string{testpki.DefaultPassword}}
			tt.req.KeyURI = tt.key
			if _, err := newCore(t).Sign(context.Background(), tt.req, ui); err == nil {
				t.Fatal("signed")
			}
			if len(ui.requests) != 0 {
				t.Errorf("a secret was asked: %+v", ui.requests)
			}
		})
	}
}

// TestWrongPasswordRetried: the registry asks again, counting attempts.
func TestWrongPasswordRetried(t *testing.T) {
	p := gostPKI(t)
	ui := &scriptUI{secrets: []string{"wrong", "also wrong", testpki.DefaultPassword}}
	_, err := newCore(t).Sign(context.Background(), core.SignRequest{KeyURI: p.Find("gost/legal_head").P12Path, Format: signer.FormatRaw, Items: []core.Item{{Data: []byte("x")}}}, ui)
	if err != nil {
		t.Fatal(err)
	}
	if len(ui.requests) != 3 || ui.requests[2].Attempt != 3 || !ui.requests[1].Retry() {
		t.Errorf("requests %+v", ui.requests)
	}
}

// TestTSAHangCancelled: a time-stamp service that never answers is left
// when ctx ends; the signing reports it instead of hanging.
func TestTSAHangCancelled(t *testing.T) {
	p := gostPKI(t)
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hang.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	ui := &scriptUI{secrets: []string{testpki.DefaultPassword}}
	_, err := newCore(t).Sign(ctx, core.SignRequest{KeyURI: p.Find("gost/legal_head").P12Path, Format: signer.FormatCMS,
		Items: []core.Item{{Data: []byte("x")}}, TSA: hang.URL}, ui)
	if !errors.Is(err, core.ErrTimestamp) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a cancelled timestamp", err)
	}
}

// TestTSAFailureKeepsSignature: the timestamp policy: a failing TSA keeps
// the signature with a warning, unless a timestamp is required.
func TestTSAFailureKeepsSignature(t *testing.T) {
	p := gostPKI(t)
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) }))
	defer down.Close()
	for _, require := range []bool{false, true} {
		ui := &scriptUI{secrets: []string{testpki.DefaultPassword}}
		res, err := newCore(t).Sign(context.Background(), core.SignRequest{KeyURI: p.Find("gost/legal_head").P12Path, Format: signer.FormatCMS,
			Items: []core.Item{{Data: []byte("x")}}, TSA: down.URL, RequireTimestamp: require}, ui)
		switch {
		case require && !errors.Is(err, core.ErrTimestamp):
			t.Errorf("required: err = %v", err)
		case !require && (err != nil || res.Outputs[0].Warning == ""):
			t.Errorf("not required: err = %v", err)
		}
		if len(ui.consents) != 1 || ui.consents[0].TSA != down.URL || ui.consents[0].RequireTimestamp != require {
			t.Errorf("the consent does not show the timestamp policy: %+v", ui.consents)
		}
	}
}

// TestDamagedSettings: defaults and the key list kept, never a crash.
func TestDamagedSettings(t *testing.T) {
	dir := t.TempDir()
	bad := `{"keyPaths": ["/keys/a.p12", "/keys/b.p12"], "tsa": 5, `
	if err := os.WriteFile(filepath.Join(dir, core.SettingsFile), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := core.New(core.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if c.SettingsProblem == "" || c.Settings().TSA != core.DefaultTSA || len(c.Settings().KeyPaths) != 2 {
		t.Errorf("problem %q, settings %+v", c.SettingsProblem, c.Settings())
	}
	if kept, err := os.ReadFile(filepath.Join(dir, core.SettingsFile+".damaged")); err != nil || string(kept) != bad {
		t.Errorf("damaged file not kept: %v", err)
	}
	if err := c.UpdateSettings(func(s *core.Settings) { s.Offline = true }); err != nil {
		t.Fatal(err)
	}
	again, err := core.LoadSettings(dir)
	if err != nil || !again.Offline {
		t.Errorf("saved settings do not load: %v %+v", err, again)
	}
	if info, _ := os.Stat(filepath.Join(dir, core.SettingsFile)); info.Mode().Perm() != 0o600 {
		t.Errorf("settings file mode %v", info.Mode())
	}
}

// FuzzLoadSettings: any settings file gives settings (the defaults at
// worst) and never a panic; what loads saves and loads back the same.
func FuzzLoadSettings(f *testing.F) {
	f.Add([]byte(`{"tsa":"http://tsp.pki.gov.kz","keyPaths":["/a.p12"],"offline":true}`))
	f.Add([]byte(`{"keyPaths": ["/keys/a.p12"], "tsa": 5, `))
	f.Add([]byte(`null`))
	f.Add([]byte("\xff\xfe{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, core.SettingsFile), data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := core.LoadSettings(dir)
		if err != nil {
			return
		}
		if err := core.SaveSettings(dir, s); err != nil {
			t.Fatal(err)
		}
		again, err := core.LoadSettings(dir)
		if err != nil {
			t.Fatalf("saved settings do not load: %v", err)
		}
		if fmt.Sprint(again) != fmt.Sprint(s) {
			t.Fatalf("round trip: %+v != %+v", again, s)
		}
	})
}

// TestSignDigestAndBatch: a digest made elsewhere signs as CMS (NCALayer's
// "digested") and verifies against the digest; a batch of files and bytes
// signs with one secret, each output its own.
func TestSignDigestAndBatch(t *testing.T) {
	p := gostPKI(t)
	e := p.Find("gost/legal_head")
	pub, err := rawsig.CertificateKey(e.Cert)
	if err != nil {
		t.Fatal(err)
	}
	d, err := rawsig.NaturalDigest(pub)
	if err != nil {
		t.Fatal(err)
	}
	content := []byte("Шот-фактура № 12")
	sum := d.Sum(content)
	c := newCore(t)
	ui := &scriptUI{secrets: []string{testpki.DefaultPassword}}
	res, err := c.Sign(context.Background(), core.SignRequest{KeyURI: e.P12Path, Format: signer.FormatCMS,
		Items: []core.Item{{Name: "digest", Digest: sum, DigestOID: d.OID}}}, ui)
	if err != nil {
		t.Fatal(err)
	}
	if ev, err := cms.VerifyDigest(res.Outputs[0].Bytes, d.OID, sum); err != nil || !ev[0].DigestValid || !ev[0].SignatureValid {
		t.Errorf("digest signature: %v %+v", err, ev)
	}
	if !ui.consents[0].Documents[0].Digest {
		t.Error("the consent does not say only a digest is signed")
	}

	files := []core.Item{{Path: writeFile(t, "a.txt", "Акт 1")}, {Path: writeFile(t, "b.txt", "Акт 2")}, {Name: "bytes", Data: []byte("Акт 3")}}
	ui = &scriptUI{secrets: []string{testpki.DefaultPassword}}
	res, err = c.Sign(context.Background(), core.SignRequest{KeyURI: e.P12Path, Format: signer.FormatCMS, Detached: true, Items: files}, ui)
	if err != nil {
		t.Fatal(err)
	}
	if len(ui.requests) != 1 || ui.consents[0].Count != 3 || len(res.Outputs) != 3 {
		t.Fatalf("%d secrets, consent %+v, %d outputs", len(ui.requests), ui.consents, len(res.Outputs))
	}
	for i, o := range res.Outputs {
		data := files[i].Data
		if files[i].Path != "" {
			data, _ = os.ReadFile(files[i].Path)
		}
		if ev, err := cms.Verify(o.Bytes, bytes.NewReader(data)); err != nil || !ev[0].DigestValid {
			t.Errorf("item %d: %v", i, err)
		}
	}
}

// TestFileChangedAfterConsent: a file changed after the consent showed its
// digest is not signed, in any format.
func TestFileChangedAfterConsent(t *testing.T) {
	p := gostPKI(t)
	key := p.Find("gost/legal_head").P12Path
	for _, format := range []signer.Format{signer.FormatCMS, signer.FormatXML, signer.FormatRaw} {
		t.Run(string(format), func(t *testing.T) {
			path := writeFile(t, "doc.xml", "<a>сумма 100</a>")
			ui := &scriptUI{secrets: []string{testpki.DefaultPassword}, onConsent: func() {
				if err := os.WriteFile(path, []byte("<a>сумма 900</a>"), 0o600); err != nil {
					t.Fatal(err)
				}
			}}
			_, err := newCore(t).Sign(context.Background(), core.SignRequest{KeyURI: key, Format: format, Items: []core.Item{{Path: path}}}, ui)
			if !errors.Is(err, core.ErrChanged) {
				t.Fatalf("err = %v, want ErrChanged", err)
			}
		})
	}
}
