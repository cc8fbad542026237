package portal_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/cmd/qoltanba-portal/portaltest"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/sync/api"
	"github.com/qoltanba/qoltanba/sync/portal"
)

// caller is a bare HTTP client of the API with a session, for the tests
// that must send what a well-behaved client never would.
type caller struct {
	t     *testing.T
	env   *portaltest.Env
	token string
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) code() api.ErrorCode {
	var e api.Error
	_ = json.Unmarshal(r.body, &e)
	return e.Code
}

func (c *caller) do(method, path, key string, body []byte) reply {
	c.t.Helper()
	req, err := http.NewRequest(method, c.env.API+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, raw}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sign makes a CMS with a test key over data.
func sign(t *testing.T, e *testpki.Entity, data []byte, detached bool) []byte {
	t.Helper()
	sig, err := cms.Sign(bytes.NewReader(data), e.Key, e.Cert, e.Chain(), cms.SignOptions{Detached: detached})
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func challenge(c *caller) api.Challenge {
	c.t.Helper()
	r := c.do(http.MethodPost, "/auth/challenge", "", nil)
	var ch api.Challenge
	if r.status != http.StatusCreated || json.Unmarshal(r.body, &ch) != nil {
		c.t.Fatalf("challenge: %d %s", r.status, r.body)
	}
	return ch
}

// login signs a fresh challenge with the entity's key.
func login(t *testing.T, env *portaltest.Env, name string) *caller {
	t.Helper()
	c := &caller{t: t, env: env}
	ch := challenge(c)
	r := c.do(http.MethodPost, "/auth/session", "", mustJSON(t, api.SessionRequest{Challenge: ch.Id, Signature: sign(t, env.PKI.Find(name), ch.Data, false)}))
	var s api.Session
	if r.status != http.StatusCreated || json.Unmarshal(r.body, &s) != nil {
		t.Fatalf("login %s: %d %s", name, r.status, r.body)
	}
	c.token = s.Token
	return c
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestLoginRefusals(t *testing.T) {
	env := portaltest.Start(t, portaltest.Options{NoTSA: true})
	p := env.PKI
	anon := &caller{t: t, env: env}
	try := func(ch api.Challenge, sig []byte) reply {
		return anon.do(http.MethodPost, "/auth/session", "", mustJSON(t, api.SessionRequest{Challenge: ch.Id, Signature: sig}))
	}
	t.Run("replayed nonce", func(t *testing.T) {
		ch := challenge(anon)
		sig := sign(t, p.Find("gost/individual_auth"), ch.Data, true)
		if r := try(ch, sig); r.status != http.StatusCreated {
			t.Fatalf("first use: %d %s", r.status, r.body)
		}
		if r := try(ch, sig); r.status != http.StatusForbidden {
			t.Fatalf("replay: %d %s", r.status, r.body)
		}
	})
	cases := []struct {
		name string
		sig  func(ch, other api.Challenge) []byte
		want string
	}{
		{"signing key", func(ch, _ api.Challenge) []byte { return sign(t, p.Find("gost/individual"), ch.Data, false) }, "AUTH"},
		{"another nonce", func(ch, other api.Challenge) []byte {
			return sign(t, p.Find("gost/individual_auth"), other.Data, false)
		}, "other bytes"},
		{"another nonce, detached", func(ch, other api.Challenge) []byte {
			return sign(t, p.Find("gost/individual_auth"), other.Data, true)
		}, "does not cover"},
		{"revoked key", func(ch, _ api.Challenge) []byte { return sign(t, p.Find("gost/individual_revoked"), ch.Data, false) }, "REVOKED"},
		{"expired key", func(ch, _ api.Challenge) []byte { return sign(t, p.Find("gost/individual_expired"), ch.Data, false) }, "EXPIRED"},
		{"not a CMS", func(ch, _ api.Challenge) []byte { return []byte("<html>hello</html>") }, "not a CMS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ch, other := challenge(anon), challenge(anon)
			r := try(ch, tc.sig(ch, other))
			if r.status/100 != 4 || !strings.Contains(string(r.body), tc.want) {
				t.Fatalf("%d %s; want a refusal saying %q", r.status, r.body, tc.want)
			}
		})
	}
	t.Run("expired challenge", func(t *testing.T) {
		env := portaltest.Start(t, portaltest.Options{NoTSA: true, Configure: func(c *portal.Config) { c.ChallengeTTL = time.Millisecond }})
		anon := &caller{t: t, env: env}
		ch := challenge(anon)
		time.Sleep(5 * time.Millisecond)
		r := anon.do(http.MethodPost, "/auth/session", "", mustJSON(t, api.SessionRequest{Challenge: ch.Id, Signature: sign(t, p.Find("gost/individual_auth"), ch.Data, false)}))
		if r.status != http.StatusForbidden || !strings.Contains(string(r.body), "expired") {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("expired session", func(t *testing.T) {
		env := portaltest.Start(t, portaltest.Options{NoTSA: true, Configure: func(c *portal.Config) { c.SessionTTL = 20 * time.Millisecond }})
		c := login(t, env, "gost/individual_auth")
		if r := c.do(http.MethodGet, "/events", "", nil); r.status != http.StatusOK {
			t.Fatalf("fresh session: %d %s", r.status, r.body)
		}
		time.Sleep(40 * time.Millisecond)
		if r := c.do(http.MethodGet, "/events", "", nil); r.status != http.StatusUnauthorized {
			t.Fatalf("expired session: %d %s", r.status, r.body)
		}
	})
	t.Run("no session", func(t *testing.T) {
		if r := anon.do(http.MethodGet, "/events", "", nil); r.status != http.StatusUnauthorized {
			t.Fatalf("%d %s", r.status, r.body)
		}
		bad := &caller{t: t, env: env, token: "forged"}
		if r := bad.do(http.MethodGet, "/events", "", nil); r.status != http.StatusUnauthorized {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
}

// TestScopedToUser: user A tries every endpoint with user B's ids.
func TestScopedToUser(t *testing.T) {
	for _, backend := range portaltest.Backends {
		t.Run(backend, func(t *testing.T) { scopedToUser(t, backend) })
	}
}

func scopedToUser(t *testing.T, backend string) {
	env := portaltest.Start(t, portaltest.Options{NoTSA: true, Backend: backend})
	p := env.PKI
	a := login(t, env, "gost/individual_auth")
	b := login(t, env, "gost/legal_head_auth")
	head := p.Find("gost/legal_head")
	forB := env.Publish(t, head.IIN, "", "For B", "B's text\n")
	forCompany := env.Publish(t, "", head.BIN, "For the company", "company text\n")
	// B signs its document, so that B's revocation endpoints have a target.
	content := []byte("B's text\n")
	r := b.do(http.MethodPost, "/documents/"+forB.Id+"/signatures", "b-sign", mustJSON(t, api.SignatureSubmission{
		ContentVersion: 1, Sha256: sha(content), Signature: sign(t, head, content, true)}))
	if r.status != http.StatusCreated {
		t.Fatalf("B signs: %d %s", r.status, r.body)
	}
	me := p.Find("gost/individual")
	stmt := func(action api.StatementAction, doc api.Document) []byte {
		raw := mustJSON(t, api.Statement{Action: action, Portal: env.URL, Document: doc.Id, ContentSha256: doc.Sha256, Reason: "x", At: time.Now()})
		return mustJSON(t, api.SignedStatement{Statement: raw, Signature: sign(t, me, raw, true)})
	}
	for _, doc := range []api.Document{forB, forCompany} {
		for _, tc := range []struct {
			method, path string
			body         []byte
		}{
			{http.MethodGet, "/documents/" + doc.Id, nil},
			{http.MethodGet, "/documents/" + doc.Id + "/content", nil},
			{http.MethodPost, "/documents/" + doc.Id + "/signatures", mustJSON(t, api.SignatureSubmission{ContentVersion: 1, Sha256: doc.Sha256, Signature: sign(t, me, []byte("x"), true)})},
			{http.MethodPost, "/documents/" + doc.Id + "/rejections", stmt(api.StatementActionReject, doc)},
			{http.MethodPost, "/documents/" + doc.Id + "/revocations", stmt(api.StatementActionProposeRevocation, doc)},
			{http.MethodPost, "/documents/" + doc.Id + "/revocations/" + doc.Id + "/answer", stmt(api.StatementActionAcceptRevocation, doc)},
		} {
			key := ""
			if tc.method == http.MethodPost {
				key = "a-" + sha([]byte(tc.path))[:16]
			}
			if r := a.do(tc.method, tc.path, key, tc.body); r.status != http.StatusNotFound {
				t.Errorf("A %s %s: %d %s", tc.method, tc.path, r.status, r.body)
			}
		}
	}
	// A's feed holds nothing of B's; B's operation keys are not A's.
	if r := a.do(http.MethodGet, "/events", "", nil); strings.Contains(string(r.body), forB.Id) || strings.Contains(string(r.body), forCompany.Id) {
		t.Errorf("A's feed shows B's documents: %s", r.body)
	}
	if r := a.do(http.MethodGet, "/operations/b-sign", "", nil); r.status != http.StatusNotFound {
		t.Errorf("A reads B's operation: %d %s", r.status, r.body)
	}
	// The operator's endpoints refuse a user's token.
	if r := a.do(http.MethodGet, "/admin/documents", "", nil); r.status != http.StatusUnauthorized {
		t.Errorf("A as operator: %d %s", r.status, r.body)
	}
}

// TestSignatureRefusals: what a portal must not accept as a signature.
func TestSignatureRefusals(t *testing.T) {
	env := portaltest.Start(t, portaltest.Options{NoTSA: true})
	p := env.PKI
	a := login(t, env, "gost/individual_auth")
	me := p.Find("gost/individual")
	content := []byte("Agreement text\n")
	doc := env.Publish(t, me.IIN, "", "Agreement", string(content))
	n := 0
	submit := func(s api.SignatureSubmission) reply {
		n++
		return a.do(http.MethodPost, "/documents/"+doc.Id+"/signatures", "sig-"+string(rune('a'+n)), mustJSON(t, s))
	}
	cases := []struct {
		name   string
		sub    api.SignatureSubmission
		status int
		want   string
	}{
		{"other bytes", api.SignatureSubmission{ContentVersion: 1, Sha256: sha(content), Signature: sign(t, me, []byte("something else"), true)}, 403, "does not cover"},
		{"stale digest", api.SignatureSubmission{ContentVersion: 1, Sha256: sha([]byte("old")), Signature: sign(t, me, content, true)}, 409, "changed"},
		{"revoked key", api.SignatureSubmission{ContentVersion: 1, Sha256: sha(content), Signature: sign(t, p.Find("gost/individual_revoked"), content, true)}, 403, "REVOKED"},
		{"expired key", api.SignatureSubmission{ContentVersion: 1, Sha256: sha(content), Signature: sign(t, p.Find("gost/individual_expired"), content, true)}, 403, "EXPIRED"},
		{"AUTH key", api.SignatureSubmission{ContentVersion: 1, Sha256: sha(content), Signature: sign(t, p.Find("gost/individual_auth"), content, true)}, 403, "AUTH"},
		{"someone else's key", api.SignatureSubmission{ContentVersion: 1, Sha256: sha(content), Signature: sign(t, p.Find("gost/legal_head"), content, true)}, 403, "not by the logged-in user"},
		{"garbage", api.SignatureSubmission{ContentVersion: 1, Sha256: sha(content), Signature: []byte{0x30, 0x03, 1, 2, 3}}, 400, "not a CMS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := submit(tc.sub)
			if r.status != tc.status || !strings.Contains(string(r.body), tc.want) {
				t.Fatalf("%d %s; want %d saying %q", r.status, r.body, tc.status, tc.want)
			}
		})
	}
	// After all that, the document still waits for a signature.
	var d api.DocumentDetail
	r := a.do(http.MethodGet, "/documents/"+doc.Id, "", nil)
	if json.Unmarshal(r.body, &d) != nil || d.Document.Status != api.DocumentStatusAwaitingSignature || len(d.History) != 1 {
		t.Fatalf("after refusals: %s", r.body)
	}
}

// TestBadRequests: bodies off the schema, too large, a wrong digest, an
// unknown cursor.
func TestBadRequests(t *testing.T) {
	env := portaltest.Start(t, portaltest.Options{NoTSA: true, Configure: func(c *portal.Config) { c.MaxBody = 1 << 20 }})
	a := login(t, env, "gost/individual_auth")
	me := env.PKI.Find("gost/individual")
	content := []byte("mine\n")
	good := api.NewDocument{Title: "Mine", Kind: api.DocumentKindLetter, Name: "mine.txt", MediaType: "text/plain", Content: content,
		Sha256: sha(content), Signature: sign(t, me, content, true)}
	cases := []struct {
		name   string
		key    string
		body   []byte
		status int
		code   api.ErrorCode
	}{
		{"not JSON", "k1", []byte("<html>"), 400, api.ErrorCodeBadRequest},
		{"unknown field", "k2", []byte(`{"title":"x","kind":"letter","name":"a","mediaType":"t","content":"eA==","sha256":"` + sha([]byte("x")) + `","signature":"eA==","extra":1}`), 400, api.ErrorCodeBadRequest},
		{"bad kind", "k3", bytes.Replace(mustJSON(t, good), []byte(`"letter"`), []byte(`"poem"`), 1), 400, api.ErrorCodeBadRequest},
		{"digest mismatch", "k4", mustJSON(t, api.NewDocument{Title: "Mine", Kind: api.DocumentKindLetter, Name: "mine.txt", Content: content, Sha256: sha([]byte("other")), Signature: good.Signature}), 400, api.ErrorCodeBadRequest},
		{"too large", "k5", append([]byte(`{"title":"`), bytes.Repeat([]byte("a"), 2<<20)...), 413, api.ErrorCodeTooLarge},
		{"bad key", "key with spaces", mustJSON(t, good), 400, api.ErrorCodeBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := a.do(http.MethodPost, "/documents", tc.key, tc.body)
			if r.status != tc.status || r.code() != tc.code {
				t.Fatalf("%d %s; want %d %s", r.status, r.body, tc.status, tc.code)
			}
		})
	}
	if r := a.do(http.MethodGet, "/events?after=bm90LWEtY3Vyc29y", "", nil); r.status != http.StatusGone {
		t.Errorf("unknown cursor: %d %s", r.status, r.body)
	}
	if r := a.do(http.MethodGet, "/nowhere", "", nil); r.status != http.StatusNotFound {
		t.Errorf("unknown path: %d %s", r.status, r.body)
	}
	// Nothing of the above was stored.
	if docs, _ := env.Storage.Documents(t.Context(), "", 10); len(docs) != 0 {
		t.Errorf("stored %d documents", len(docs))
	}
}

// TestIdempotency: a replay gets the first answer, the same key with
// another body 422, and the operation can be looked up.
func TestIdempotency(t *testing.T) {
	for _, backend := range portaltest.Backends {
		t.Run(backend, func(t *testing.T) { idempotency(t, backend) })
	}
}

func idempotency(t *testing.T, backend string) {
	env := portaltest.Start(t, portaltest.Options{Backend: backend})
	a := login(t, env, "gost/individual_auth")
	me := env.PKI.Find("gost/individual")
	content := []byte("mine\n")
	body := mustJSON(t, api.NewDocument{Title: "Mine", Kind: api.DocumentKindLetter, Name: "mine.txt", Content: content,
		Sha256: sha(content), Signature: sign(t, me, content, true)})
	first := a.do(http.MethodPost, "/documents", "submit-1", body)
	if first.status != http.StatusCreated {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	again := a.do(http.MethodPost, "/documents", "submit-1", body)
	if again.status != http.StatusCreated || !bytes.Equal(again.body, first.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s", again.status, again.body)
	}
	other := bytes.Replace(body, []byte(`"Mine"`), []byte(`"Yours"`), 1)
	if r := a.do(http.MethodPost, "/documents", "submit-1", other); r.status != http.StatusUnprocessableEntity || r.code() != api.ErrorCodeKeyReused {
		t.Fatalf("reuse: %d %s", r.status, r.body)
	}
	r := a.do(http.MethodGet, "/operations/submit-1", "", nil)
	var op api.Operation
	if json.Unmarshal(r.body, &op) != nil || op.State != api.OperationStateCompleted || op.Status != http.StatusCreated {
		t.Fatalf("operation: %d %s", r.status, r.body)
	}
	replayed, _ := json.Marshal(op.Result)
	if !bytes.Equal(replayed, bytes.TrimSpace(first.body)) {
		t.Errorf("the operation's result differs from the first answer")
	}
	// A refusal is replayed too.
	bad := bytes.Replace(body, []byte(sha(content)), []byte(sha([]byte("x"))), 1)
	r1 := a.do(http.MethodPost, "/documents", "submit-2", bad)
	r2 := a.do(http.MethodPost, "/documents", "submit-2", bad)
	if r1.status != http.StatusBadRequest || r2.status != r1.status || !bytes.Equal(r1.body, r2.body) {
		t.Errorf("refusal replay: %d %s / %d %s", r1.status, r1.body, r2.status, r2.body)
	}
	if docs, _ := env.Storage.Documents(t.Context(), "", 10); len(docs) != 1 {
		t.Errorf("stored %d documents, want 1", len(docs))
	}
}
