package exchange_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/cmd/qoltanba-portal/portaltest"
	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/internal/verifytest"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/xmldsig"
	"github.com/qoltanba/qoltanba/sync/acceptance"
	"github.com/qoltanba/qoltanba/sync/api"
	"github.com/qoltanba/qoltanba/sync/evidence"
	"github.com/qoltanba/qoltanba/sync/exchange"
	"github.com/qoltanba/qoltanba/sync/store"
)

// TestAgreements: the portal publishes agreements; a user accepts one in
// Kazakh and one in Russian (the second while the portal is away: it goes
// when the portal answers); the acceptance names the signer and binds the
// exact text; the receipts verify; a changed text is refused; a new
// version asks again.
func TestAgreements(t *testing.T) {
	for _, backend := range portaltest.Backends {
		t.Run(backend, func(t *testing.T) { agreementsStory(t, backend) })
	}
}

func agreementsStory(t *testing.T, backend string) {
	ctx := context.Background()
	env := portaltest.Start(t, portaltest.Options{Backend: backend})
	kk := env.PublishAgreement(t, "", "Астық қолхаттары", map[string]string{"kk": "Пайдалану шарттары: әрбір қолхат ЭЦҚ-мен қол қойылады.\n"})
	ru := env.PublishAgreement(t, "", "Соглашение об ЭДО", map[string]string{"ru": "5.2. Стороны обмениваются электронными документами.\n", "kk": "5.2. Тараптар электрондық құжаттармен алмасады.\n"})
	d := newDesktop(t, "")
	d.login(t, env, "gost/individual_auth")
	key := d.key("gost/individual")
	// Online acceptances are timestamped by the user's TSA (the test PKI's).
	d.core.UpdateSettings(func(s *core.Settings) { s.TSA = env.PKI.Options.BaseURL + "/tsp/gost" })

	acc, err := d.engine.Accept(ctx, "test", kk.Id, "kk", key, d.ui, false)
	if err != nil || !acc.Sent || acc.Warning != "" {
		t.Fatalf("accept in Kazakh: %+v %v", acc, err)
	}
	// What was signed: the statement names the signer and binds the text.
	sigs, _ := d.store.Signatures(ctx, acc.Document, 1)
	if len(sigs) != 1 {
		t.Fatalf("acceptance signatures: %d", len(sigs))
	}
	signed, _ := d.store.SignatureBytes(ctx, acc.Document, 1, 1)
	st, err := acceptance.Parse(signed)
	person := env.PKI.Find("gost/individual")
	if err != nil || st.IIN != person.IIN || st.Name == "" || st.Agreement != kk.Id || st.Language != "kk" || st.TextSHA256 != kk.Texts[0].Sha256 || st.CertificateSerial == "" {
		t.Fatalf("the statement: %+v %v", st, err)
	}
	ev, err := xmldsig.Verify(signed)
	if err != nil || len(ev) != 1 || !ev[0].SignatureValid || !ev[0].DigestValid || ev[0].Scope != "whole document" ||
		len(ev[0].Timestamps) != 1 || !ev[0].Timestamps[0].Valid {
		t.Fatalf("the acceptance's XML signature: %+v %v", ev, err)
	}
	text, _ := d.store.Content(ctx, acc.Text, 1)
	if !strings.Contains(string(text), "қолхат") {
		t.Errorf("the text kept is %q", text)
	}
	rs, _ := d.store.Receipts(ctx, acc.Document)
	if len(rs) != 1 || rs[0].Entry != "agreement_accepted" {
		t.Fatalf("receipts: %+v", rs)
	}
	var v api.Verdict
	if json.Unmarshal(rs[0].Verdict, &v); v.Indication != string(pki.TotalPassed) || v.StatusAtReceipt != "good" {
		t.Errorf("verdict %+v", v)
	}
	// The evidence package of the acceptance carries the receipt and checks offline.
	pkg, err := evidence.Build(ctx, d.store, acc.Document, &pki.Verifier{Trust: portaltest.Trust(env.PKI), Offline: true}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var zipped bytes.Buffer
	if err := pkg.WriteZip(&zipped); err != nil {
		t.Fatal(err)
	}
	files, err := evidence.Read(bytes.NewReader(zipped.Bytes()), int64(zipped.Len()), evidence.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := files["receipts/1.p7s"]; !ok {
		t.Fatalf("no receipt in the package: %v", pkg.Manifest.Files)
	}
	chk, err := evidence.Check(ctx, files, evidence.CheckOptions{Trust: portaltest.Trust(env.PKI)})
	if err != nil || len(chk.Problems) != 0 || chk.Receipts != 1 {
		t.Fatalf("package check: %+v %v", chk, err)
	}
	if a := chk.Agreement; a == nil || !bytes.Equal(files[a.Path], text) || a.Document != acc.Text {
		t.Fatalf("the package does not carry the accepted text: %+v", chk.Agreement)
	}
	// One character of the text changed, and the package's own digests
	// redone to match: the signed statement still names the text accepted.
	forged := forgeAcceptedText(t, files)
	if chk, _ := evidence.Check(ctx, forged, evidence.CheckOptions{Trust: portaltest.Trust(env.PKI)}); len(chk.Problems) != 1 ||
		!strings.Contains(chk.Problems[0].Text, "accepted another text") {
		t.Errorf("a package with another text: %+v", chk.Problems)
	}
	tampered := maps.Clone(files)
	r1 := files["receipts/1.p7s"]
	tampered["receipts/1.p7s"] = append(bytes.Clone(r1[:len(r1)-1]), r1[len(r1)-1]^1)
	if chk, _ := evidence.Check(ctx, tampered, evidence.CheckOptions{Trust: portaltest.Trust(env.PKI)}); len(chk.Problems) == 0 {
		t.Error("a damaged receipt passed the package check")
	}
	if _, err := d.engine.Accept(ctx, "test", kk.Id, "kk", key, d.ui, false); !errors.Is(err, exchange.ErrState) {
		t.Errorf("accepting the same version again: %v", err)
	}
	// A language the agreement has no text in, and one no portal knows.
	for _, lang := range []string{"en", "de"} {
		if _, err := d.engine.Accept(ctx, "test", ru.Id, lang, key, d.ui, false); !errors.Is(err, exchange.ErrState) || !strings.Contains(err.Error(), "has no text in") {
			t.Errorf("accepting in %q: %v", lang, err)
		}
	}
	c := &portalCaller{env: env, token: mustAccount(t, d).Session}
	if code, reply := c.get(t, "/agreements/"+ru.Id+"/versions/1/texts/de"); code != http.StatusBadRequest {
		t.Errorf("the text in an unknown language: %d %s", code, reply)
	}

	// Offline: the portal is away; the acceptance waits, then goes.
	var away bool
	inner := env.HTTP.Config.Handler
	env.HTTP.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if away && strings.Contains(r.URL.Path, "/acceptances") {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		inner.ServeHTTP(w, r)
	})
	away = true
	// In Russian, with the RSA key: xmlsec1 checks the acceptance too.
	acc2, err := d.engine.Accept(ctx, "test", ru.Id, "ru", d.key("rsa/individual"), d.ui, true)
	if err != nil || acc2.Sent {
		t.Fatalf("accept while away: %+v %v", acc2, err)
	}
	if sigs, _ := d.store.Signatures(ctx, acc2.Document, 1); len(sigs) == 1 {
		signed, _ := d.store.SignatureBytes(ctx, acc2.Document, 1, sigs[0].Index)
		verifytest.XMLSec(t, d.p, "the acceptance signed with RSA", signed)
	} else {
		t.Fatalf("the acceptance's signatures: %+v", sigs)
	}
	if out, _ := d.store.Outbox(ctx, "test"); len(out) != 1 {
		t.Fatalf("outbox: %+v", out)
	}
	away = false
	for i := 0; i < 40; i++ { // past the backoff
		if out, _ := d.store.Outbox(ctx, "test"); len(out) == 0 {
			break
		}
		forceDue(t, d)
		d.sync(t)
	}
	if rs, _ := d.store.Receipts(ctx, acc2.Document); len(rs) != 1 {
		t.Fatalf("the offline acceptance did not get its receipt: %+v", rs)
	}
	_, list, err := d.engine.Agreements(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if a.Accepted.Version != a.Version {
			t.Errorf("%q is not accepted on the portal: %+v", a.Title, a.Accepted)
		}
	}

	// Fully offline: an agreement read before is accepted from what was
	// kept, marked offline, and sent when the portal answers.
	third := env.PublishAgreement(t, "", "Offline terms", map[string]string{"ru": "Условия.\n"})
	_, list, _ = d.engine.Agreements(ctx, "test")
	for _, a := range list {
		if a.Id == third.Id {
			if _, err := d.engine.AgreementText(ctx, mustAccount(t, d), a, "ru"); err != nil {
				t.Fatal(err)
			}
		}
	}
	d.engine.ReadAttempts = 1
	env.HTTP.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if away {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		inner.ServeHTTP(w, r)
	})
	away = true
	acc3, err := d.engine.Accept(ctx, "test", third.Id, "ru", key, d.ui, false)
	if err != nil || acc3.Sent {
		t.Fatalf("accept fully offline: %+v %v", acc3, err)
	}
	signed3, _ := d.store.SignatureBytes(ctx, acc3.Document, 1, 1)
	if st3, err := acceptance.Parse(signed3); err != nil || !st3.Offline {
		t.Errorf("the offline acceptance is not marked offline: %+v %v", st3, err)
	}
	away = false
	for i := 0; i < 40; i++ {
		if out, _ := d.store.Outbox(ctx, "test"); len(out) == 0 {
			break
		}
		forceDue(t, d)
		d.sync(t)
	}
	if rs, _ := d.store.Receipts(ctx, acc3.Document); len(rs) != 1 {
		t.Fatalf("the fully offline acceptance did not get its receipt")
	}

	// A new version asks again.
	env.PublishAgreement(t, kk.Id, kk.Title, map[string]string{"kk": "Пайдалану шарттары (2-нұсқа).\n"})
	_, list, _ = d.engine.Agreements(ctx, "test")
	for _, a := range list {
		if a.Id == kk.Id && (a.Version != 2 || a.Accepted.Version != 1) {
			t.Errorf("after a new version: %+v", a)
		}
	}

	// One character changed in the text: the portal refuses the acceptance.
	c = &portalCaller{env: env, token: mustAccount(t, d).Session}
	stmt := acceptance.Statement{Portal: env.URL, Agreement: ru.Id, Version: 1, Language: "ru", TextSHA256: strings.Repeat("0", 64), IIN: person.IIN}
	raw, _ := stmt.XML()
	signedBad, err := xmldsig.Sign(raw, person.Key, person.Cert, xmldsig.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(api.AgreementAcceptance{Version: 1, Language: "ru", TextSha256: strings.Repeat("0", 64), Acceptance: signedBad})
	if code, reply := c.post(t, "/agreements/"+ru.Id+"/acceptances", "bad-1", body); code != http.StatusConflict || !strings.Contains(reply, "SHA-256") {
		t.Errorf("an acceptance of another text: %d %s", code, reply)
	}
	if r, err := d.store.VerifyJournal(ctx); err != nil || !r.OK {
		t.Errorf("journal: %+v %v", r, err)
	}
}

func mustAccount(t testing.TB, d *desktop) store.Account {
	a, err := d.store.Account(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// forceDue makes every outbox item due now (the test does not wait out
// the backoff).
func forceDue(t *testing.T, d *desktop) {
	ctx := context.Background()
	out, _ := d.store.Outbox(ctx, "test")
	for i := range out {
		out[i].NextAttempt = out[i].Created
	}
	if _, err := d.store.Exchange(ctx, store.ExchangeBatch{Account: "test", Update: out}); err != nil {
		t.Fatal(err)
	}
}

type portalCaller struct {
	env   *portaltest.Env
	token string
}

func (c *portalCaller) get(t *testing.T, path string) (int, string) {
	req, _ := http.NewRequest(http.MethodGet, c.env.API+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

func (c *portalCaller) post(t *testing.T, path, key string, body []byte) (int, string) {
	req, _ := http.NewRequest(http.MethodPost, c.env.API+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// forgeAcceptedText changes one character of the accepted text in a
// package and redoes agreement.json and the manifest to match.
func forgeAcceptedText(t *testing.T, files map[string][]byte) map[string][]byte {
	t.Helper()
	out := maps.Clone(files)
	var a evidence.AgreementFile
	if err := json.Unmarshal(files["agreement.json"], &a); err != nil {
		t.Fatal(err)
	}
	text := []rune(string(files[a.Path]))
	text[0] = 'X'
	out[a.Path] = []byte(string(text))
	sum := sha256.Sum256(out[a.Path])
	a.SHA256 = hex.EncodeToString(sum[:])
	out["agreement.json"], _ = json.MarshalIndent(a, "", "  ")
	var m evidence.Manifest
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	for i, f := range m.Files {
		if data, ok := out[f.Path]; ok {
			m.Files[i].Size, m.Files[i].SHA256 = int64(len(data)), sha256.Sum256(data)
		}
	}
	out["manifest.json"], _ = json.Marshal(m)
	return out
}
