package exchange_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/cmd/qoltanba-portal/portaltest"
	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/api"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/exchange"
	"github.com/qoltanba/qoltanba/sync/store"
)

// TestCompromise: a key reported compromised never signs again here, the
// portal refuses what it signs from then on, a session opened with a
// compromised AUTH key ends, and the journal records the report.
func TestCompromise(t *testing.T) {
	ctx := context.Background()
	env := portaltest.Start(t, portaltest.Options{NoTSA: true})
	d := newDesktop(t, "")
	d.login(t, env, "gost/individual_auth")
	person := env.PKI.Find("gost/individual")
	env.Publish(t, person.IIN, "", "One", "one\n")
	second := env.Publish(t, person.IIN, "", "Two", "two\n")
	sum := d.sync(t)
	if q, err := d.engine.SignAndSend(ctx, sum.Received[0], d.key("gost/individual"), d.ui, docsign.Options{}); err != nil || !q.Sent {
		t.Fatalf("before the report: %+v %v", q, err)
	}
	since, notified, err := d.engine.ReportCompromise(ctx, person.Cert, time.Time{}, "the USB stick was lost")
	if err != nil || len(notified) != 1 || notified[0].Err != nil {
		t.Fatalf("report: %+v %v", notified, err)
	}
	// Here: the key never signs again.
	var pe *core.PolicyError
	if _, err := d.engine.SignAndSend(ctx, sum.Received[1], d.key("gost/individual"), d.ui, docsign.Options{}); !errors.As(err, &pe) || !errors.Is(err, core.ErrCertificateCompromised) {
		t.Fatalf("signing after the report: %v", err)
	}
	// The portal: a signature by it, made elsewhere, is refused.
	content := []byte("two\n")
	sig, err := cms.Sign(bytes.NewReader(content), person.Key, person.Cert, person.Chain(), cms.SignOptions{Detached: true})
	if err != nil {
		t.Fatal(err)
	}
	sh := sha256.Sum256(content)
	body, _ := json.Marshal(api.SignatureSubmission{ContentVersion: 1, Sha256: hex.EncodeToString(sh[:]), Signature: sig})
	c := &portalCaller{env: env, token: mustAccount(t, d).Session}
	if code, reply := c.post(t, "/documents/"+second.Id+"/signatures", "after-report", body); code != http.StatusForbidden || !strings.Contains(reply, "compromised") {
		t.Fatalf("the portal accepted a signature by a compromised key: %d %s", code, reply)
	}
	// A notice for a certificate of someone else's is refused.
	other := env.PKI.Find("gost/legal_head")
	notice, _ := json.Marshal(api.CompromiseNotice{Certificate: other.Cert.Raw, Since: time.Now()})
	if code, reply := c.post(t, "/compromise", "not-mine", notice); code != http.StatusForbidden || !strings.Contains(reply, "not the logged-in user") {
		t.Errorf("a notice for another person's key: %d %s", code, reply)
	}
	// The holder asks to resume it (EDM agreement 8.8); the operator decides.
	fp := pki.Fingerprint(person.Cert)
	if _, err := d.engine.RequestResumption(ctx, "test", strings.Repeat("0", 64), "not mine"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("resumption of a certificate never reported: %v", err)
	}
	rec, err := d.engine.RequestResumption(ctx, "test", fp, "the USB stick was found in the office safe")
	if err != nil || rec.Resumption.State != api.ResumptionStateRequested {
		t.Fatalf("request resumption: %+v %v", rec, err)
	}
	if _, err := d.engine.RequestResumption(ctx, "test", fp, "again"); err == nil || !strings.Contains(err.Error(), "already requested") {
		t.Errorf("a second request: %v", err)
	}
	if list, err := d.engine.Compromises(ctx, "test"); err != nil || len(list) != 1 || list[0].Resumption.State != api.ResumptionStateRequested {
		t.Errorf("the user's reports: %+v %v", list, err)
	}
	if code, reply := c.post(t, "/documents/"+second.Id+"/signatures", "while-requested", body); code != http.StatusForbidden {
		t.Fatalf("accepted while the request waits: %d %s", code, reply)
	}
	var decided api.CompromiseRecord
	if code := env.Admin(t, http.MethodPost, "/admin/compromises/"+fp, "", api.ResumptionDecision{Decision: api.Resume, Reason: "checked"}, &decided); code != http.StatusOK ||
		decided.Resumption.State != api.ResumptionStateResumed {
		t.Fatalf("resume: %d %+v", code, decided)
	}
	if code := env.Admin(t, http.MethodPost, "/admin/compromises/"+fp, "", api.ResumptionDecision{Decision: api.Refuse}, nil); code != http.StatusConflict {
		t.Errorf("deciding twice: %d", code)
	}
	if code, reply := c.post(t, "/documents/"+second.Id+"/signatures", "after-resumption", body); code != http.StatusCreated {
		t.Fatalf("the portal refuses a resumed certificate: %d %s", code, reply)
	}
	// Here it stays refused: a key once reported is replaced, not trusted again.
	if _, err := d.engine.SignAndSend(ctx, sum.Received[1], d.key("gost/individual"), d.ui, docsign.Options{}); !errors.Is(err, core.ErrCertificateCompromised) {
		t.Fatalf("signing here after the resumption: %v", err)
	}
	// The journal says so.
	j, _ := d.store.Journal(ctx, store.JournalQuery{})
	found := false
	for _, e := range j {
		found = found || e.Action == store.ActionKey && strings.Contains(e.Detail, "reported compromised") && strings.Contains(e.Detail, "USB")
	}
	if !found {
		t.Error("the report is not in the journal")
	}
	if !since.Before(time.Now().Add(time.Second)) {
		t.Errorf("since %v", since)
	}
	// The AUTH key reported too: the session it opened ends.
	if _, n, err := d.engine.ReportCompromise(ctx, env.PKI.Find("gost/individual_auth").Cert, time.Time{}, ""); err != nil || n[0].Err != nil {
		t.Fatalf("report the AUTH key: %+v %v", n, err)
	}
	if _, err := d.engine.Sync(ctx, "test"); !errors.Is(err, exchange.ErrLogin) {
		t.Fatalf("sync after the AUTH key's report: %v", err)
	}
}
