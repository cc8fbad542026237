package exchange_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/cmd/qoltanba-portal/portaltest"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/api"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/store"
)

// TestExchangeStory is the end to end: a portal, an individual
// and a company head log in with their AUTH keys; the portal sends three
// documents; the individual signs one (GOST-512), rejects one, signs the
// third and annuls it by agreement with the portal; the head signs the
// company's document. Every receipt verifies, and the journal of each
// desktop tells the story the portal's history tells.
func TestExchangeStory(t *testing.T) {
	for _, backend := range portaltest.Backends {
		t.Run(backend, func(t *testing.T) { exchangeStory(t, backend) })
	}
}

func exchangeStory(t *testing.T, backend string) {
	ctx := context.Background()
	env := portaltest.Start(t, portaltest.Options{Backend: backend})
	alice := newDesktop(t, "")
	acc := alice.login(t, env, "gost/individual_auth")
	person := env.PKI.Find("gost/individual")
	if acc.IIN != person.IIN || acc.Session == "" {
		t.Fatalf("logged in as %+v", acc)
	}

	var sent []api.Document
	for _, title := range []string{"Supply contract", "Act of work", "Invoice 17"} {
		sent = append(sent, env.Publish(t, person.IIN, "", title, "The text of "+title+".\n"))
	}
	sum := alice.sync(t)
	if len(sum.Received) != 3 {
		t.Fatalf("received %d documents: %+v", len(sum.Received), sum)
	}
	local := map[string]store.ID{}
	for _, id := range sum.Received {
		l, err := alice.store.Link(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		local[l.Remote] = id
		d, _ := alice.store.Document(ctx, id)
		if d.Counterparty != "TEST portal" || l.Status != "awaiting_signature" || l.Direction != "incoming" {
			t.Errorf("received %+v, link %+v", d, l)
		}
	}
	// A second sync finds nothing new.
	if again := alice.sync(t); len(again.Received) != 0 || again.Updated != 0 {
		t.Errorf("second sync: %+v", again)
	}

	// 1: sign and send, GOST-512.
	q, err := alice.engine.SignAndSend(ctx, local[sent[0].Id], alice.key("gost/individual"), alice.ui, docsign.Options{})
	if err != nil || !q.Sent || q.Err != nil {
		t.Fatalf("sign and send: %+v, %v", q, err)
	}
	if c := alice.ui.consents[len(alice.ui.consents)-1]; c.Origin != env.URL || !c.Detached {
		t.Errorf("consent %+v", c)
	}
	expectLocal(t, alice, local[sent[0].Id], store.StateAcknowledged, "signed", 1)

	// 2: reject with a signed reason.
	if q, err := alice.engine.Reject(ctx, local[sent[1].Id], "the amounts are wrong", alice.key("gost/individual"), alice.ui); err != nil || !q.Sent {
		t.Fatalf("reject: %+v, %v", q, err)
	}
	expectLocal(t, alice, local[sent[1].Id], store.StateRejected, "rejected", 1)

	// 3: sign, then the portal proposes to annul it and the user agrees.
	if q, err := alice.engine.SignAndSend(ctx, local[sent[2].Id], alice.key("gost/individual"), alice.ui, docsign.Options{}); err != nil || !q.Sent {
		t.Fatalf("sign third: %+v, %v", q, err)
	}
	var after api.Document
	if code := env.Admin(t, http.MethodPost, "/admin/documents/"+sent[2].Id+"/revocations", "revoke-3",
		api.AdminRevocation{Action: api.AdminRevocationActionProposeRevocation, Reason: "issued twice"}, &after); code != http.StatusCreated {
		t.Fatalf("propose revocation: HTTP %d", code)
	}
	alice.sync(t)
	l3, _ := alice.store.Link(ctx, local[sent[2].Id])
	if l3.Revocation == nil || l3.Revocation.State != "requested" || l3.Status != "revocation_requested" {
		t.Fatalf("after the proposal: %+v", l3)
	}
	if q, err := alice.engine.AnswerRevocation(ctx, local[sent[2].Id], true, "agreed", alice.key("gost/individual"), alice.ui); err != nil || !q.Sent {
		t.Fatalf("accept revocation: %+v, %v", q, err)
	}
	expectLocal(t, alice, local[sent[2].Id], store.StateRevoked, "revoked", 2)

	// The company's head.
	head := newDesktop(t, "")
	hacc := head.login(t, env, "gost/legal_head_auth")
	company := env.PKI.Find("gost/legal_head")
	if hacc.BIN != company.BIN {
		t.Fatalf("head logged in as %+v", hacc)
	}
	forCompany := env.Publish(t, "", company.BIN, "Lease", "Lease of the office.\n")
	hs := head.sync(t)
	if len(hs.Received) != 1 {
		t.Fatalf("head received %+v", hs)
	}
	if q, err := head.engine.SignAndSend(ctx, hs.Received[0], head.key("gost/legal_head"), head.ui, docsign.Options{}); err != nil || !q.Sent {
		t.Fatalf("head signs: %+v, %v", q, err)
	}
	// The individual never sees the company's document.
	if s := alice.sync(t); len(s.Received) != 0 {
		t.Errorf("the individual received %+v", s)
	}

	// The same story on both sides.
	for remote, id := range local {
		sameStory(t, env, alice, remote, id)
	}
	sameStory(t, env, head, forCompany.Id, hs.Received[0])
	for _, d := range []*desktop{alice, head} {
		if r, err := d.store.VerifyJournal(ctx); err != nil || !r.OK {
			t.Errorf("journal: %+v %v", r, err)
		}
		if out, _ := d.store.Outbox(ctx, ""); len(out) != 0 {
			t.Errorf("outbox not empty: %+v", out)
		}
	}
}

// expectLocal checks a document's local state, its link and receipts.
func expectLocal(t *testing.T, d *desktop, id store.ID, state store.State, status string, receipts int) {
	t.Helper()
	ctx := context.Background()
	doc, err := d.store.Document(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := d.store.Link(ctx, id)
	rs, _ := d.store.Receipts(ctx, id)
	if doc.State != state || l.Status != status || len(rs) != receipts || l.Sync != store.SyncReceipt {
		t.Fatalf("%s: state %s, link %+v, %d receipts; want %s, %s, %d", doc.Title, doc.State, l, len(rs), state, status, receipts)
	}
	for _, r := range rs {
		var v api.Verdict
		if err := json.Unmarshal(r.Verdict, &v); err != nil || v.Indication != string(pki.TotalPassed) || v.StatusAtReceipt != "good" || !v.Test {
			t.Errorf("receipt verdict %s (%v)", r.Verdict, err)
		}
	}
}

// sameStory compares the portal's history of a document with the
// desktop's receipts and journal: every step the user took has its
// receipt at the same revision, and the journal records each receipt.
func sameStory(t *testing.T, env *portaltest.Env, d *desktop, remote string, id store.ID) {
	t.Helper()
	ctx := context.Background()
	var detail api.DocumentDetail
	if code := env.Admin(t, http.MethodGet, "/admin/documents/"+remote, "", nil, &detail); code != http.StatusOK {
		t.Fatalf("portal history: HTTP %d", code)
	}
	var portalSteps, localSteps []string
	for _, e := range detail.History {
		if len(e.Receipt) > 0 {
			portalSteps = append(portalSteps, string(e.Type))
		}
	}
	rs, _ := d.store.Receipts(ctx, id)
	for _, r := range rs {
		localSteps = append(localSteps, r.Entry)
		if !slices.ContainsFunc(detail.History, func(e api.Entry) bool { return e.Revision == r.Revision && string(e.Type) == r.Entry }) {
			t.Errorf("receipt at revision %d (%s) is not in the portal's history", r.Revision, r.Entry)
		}
	}
	if !slices.Equal(portalSteps, localSteps) {
		t.Errorf("%s: portal steps %v, desktop receipts %v", remote, portalSteps, localSteps)
	}
	j, _ := d.store.Journal(ctx, store.JournalQuery{Document: id})
	var receiptsJournaled int
	for _, e := range j {
		if e.Action == store.ActionExchange && strings.HasPrefix(e.Detail, "receipt from") {
			receiptsJournaled++
		}
	}
	if receiptsJournaled != len(rs) {
		t.Errorf("%s: %d receipts, %d journaled", remote, len(rs), receiptsJournaled)
	}
	last := detail.History[len(detail.History)-1]
	l, _ := d.store.Link(ctx, id)
	if l.Revision != last.Revision || l.Status != string(detail.Document.Status) {
		t.Errorf("%s: link at revision %d (%s), portal at %d (%s)", remote, l.Revision, l.Status, last.Revision, detail.Document.Status)
	}
}
