package exchange

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/qoltanba/qoltanba/internal/atomicfile"
	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/acceptance"
	"github.com/qoltanba/qoltanba/sync/api"
	"github.com/qoltanba/qoltanba/sync/store"
)

// OpAccept is an agreement's acceptance in the outbox.
const OpAccept = "accept"

// Agreements lists the portal's agreements, each at its current version,
// with the user's latest acceptance.
func (e *Engine) Agreements(ctx context.Context, account string) (store.Account, []api.Agreement, error) {
	a, list, _, err := e.agreements(ctx, account)
	return a, list, err
}

// agreements is Agreements, saying whether the list came from the cache
// (the portal could not be reached).
func (e *Engine) agreements(ctx context.Context, account string) (store.Account, []api.Agreement, bool, error) {
	a, err := e.loggedIn(ctx, account)
	if err != nil {
		return a, nil, false, err
	}
	c, err := e.client(a)
	if err != nil {
		return a, nil, false, err
	}
	var list []api.Agreement
	err = e.retryRead(ctx, func() error {
		resp, err := c.ListAgreementsWithResponse(ctx)
		if err != nil {
			return offline(err)
		}
		if resp.JSON200 == nil {
			return asRefusal(resp.StatusCode(), resp.JSONDefault, resp.HeadersDefault.RetryAfter, resp.HTTPResponse.Header.Get("Content-Type"))
		}
		list = *resp.JSON200
		return nil
	})
	switch {
	case err == nil:
		e.cacheAgreements(a, list)
	case errors.Is(err, ErrOffline):
		// Offline: the list as last seen, so that the texts read then can
		// still be accepted (sent when the portal answers).
		if cached, cerr := e.cachedAgreements(a); cerr == nil {
			return a, cached, true, nil
		}
	}
	return a, list, false, err
}

// The agreements and their texts as last read, kept in the data folder
// (agreements/<account>/), so that they can be read and accepted offline.
// Texts are checked against their announced digest when read back.

func (e *Engine) agreementsDir(a store.Account) string {
	return e.Core.Path("agreements", hexSum([]byte(a.Name))[:16])
}

func (e *Engine) cacheAgreements(a store.Account, list []api.Agreement) {
	raw, err := json.Marshal(list)
	if err == nil && os.MkdirAll(e.agreementsDir(a), 0o700) == nil {
		_ = atomicfile.Write(filepath.Join(e.agreementsDir(a), "list.json"), raw, 0o600)
	}
}

func (e *Engine) cachedAgreements(a store.Account) ([]api.Agreement, error) {
	raw, err := os.ReadFile(filepath.Join(e.agreementsDir(a), "list.json"))
	if err != nil {
		return nil, err
	}
	var list []api.Agreement
	return list, json.Unmarshal(raw, &list)
}

func textFile(sha string) string { return sha + ".txt" }

// AgreementText downloads a version's text in a language and checks it
// against the digest the listing announced: what is shown is what is
// accepted.
func (e *Engine) AgreementText(ctx context.Context, a store.Account, ag api.Agreement, language string) ([]byte, error) {
	var want string
	for _, t := range ag.Texts {
		if string(t.Language) == language {
			want = t.Sha256
		}
	}
	if want == "" {
		return nil, fmt.Errorf("%q has no text in %q (it has: %s): %w", ag.Title, language, languages(ag), ErrState)
	}
	cached := filepath.Join(e.agreementsDir(a), textFile(want))
	if b, err := os.ReadFile(cached); err == nil && hexSum(b) == want {
		return b, nil
	}
	c, err := e.client(a)
	if err != nil {
		return nil, err
	}
	var text []byte
	defer func() {
		if text != nil && os.MkdirAll(e.agreementsDir(a), 0o700) == nil {
			_ = atomicfile.Write(cached, text, 0o600)
		}
	}()
	err = e.retryRead(ctx, func() error {
		resp, err := c.GetAgreementTextWithResponse(ctx, ag.Id, ag.Version, api.Language(language))
		if err != nil {
			return offline(err)
		}
		if resp.StatusCode() != http.StatusOK {
			return asRefusal(resp.StatusCode(), resp.JSONDefault, resp.HeadersDefault.RetryAfter, resp.HTTPResponse.Header.Get("Content-Type"))
		}
		if hexSum(resp.Body) != want {
			return fmt.Errorf("%w: the text of %q does not match the SHA-256 the portal announced", ErrPortal, ag.Title)
		}
		text = resp.Body
		return nil
	})
	return text, err
}

func languages(ag api.Agreement) string {
	var l []string
	for _, t := range ag.Texts {
		l = append(l, string(t.Language))
	}
	return strings.Join(l, ", ")
}

// Accepted is what Accept did.
type Accepted struct {
	Queued
	Agreement api.Agreement
	// Text is the document holding the text accepted; the acceptance
	// statement is Queued.Document.
	Text store.ID
	// Warning says what the signing could not do (the timestamp).
	Warning string
}

// Accept signs the acceptance of an agreement's current version in a
// language: the text is downloaded and checked, kept as a document, and
// the statement (sync/acceptance: portal, agreement, version, language,
// the text's SHA-256, the signer named by the key's certificate, the
// time, offline or not) is signed as XML through the core — the consent
// shows it — and stored with its outbox item in one write.
func (e *Engine) Accept(ctx context.Context, account, id, language, keyURI string, ui signer.UI, offlineClaim bool) (*Accepted, error) {
	a, list, fromCache, err := e.agreements(ctx, account)
	if err != nil {
		return nil, err
	}
	offlineClaim = offlineClaim || fromCache
	var ag *api.Agreement
	for i := range list {
		if list[i].Id == id {
			ag = &list[i]
		}
	}
	if ag == nil {
		return nil, fmt.Errorf("the portal has no agreement %s: %w", id, ErrState)
	}
	if ag.Accepted.Version == ag.Version {
		return nil, fmt.Errorf("version %d of %q is already accepted: %w", ag.Version, ag.Title, ErrState)
	}
	text, err := e.AgreementText(ctx, a, *ag, language)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(text)
	st := acceptance.Statement{Portal: a.PortalURL, Agreement: ag.Id, Title: ag.Title, Version: ag.Version, Language: language,
		TextSHA256: hex.EncodeToString(sum[:]), SigningTime: e.now(), Offline: offlineClaim}
	shown, err := st.XML()
	if err != nil {
		return nil, err
	}
	var signedStatement []byte
	// Online, the acceptance is timestamped (XAdES-T) by the user's TSA; a
	// TSA failure leaves it without, said in Warning: the portal's
	// timestamped receipt fixes the time as well.
	tsa := ""
	if !offlineClaim {
		tsa = e.Core.Settings().TSA
	}
	res, err := e.Core.Sign(ctx, core.SignRequest{Origin: a.PortalURL, KeyURI: keyURI, Format: signer.FormatXML, TSA: tsa,
		Items: []core.Item{{Name: fmt.Sprintf("Acceptance of %q, version %d (%s)", ag.Title, ag.Version, language),
			Data: shown, MediaType: "application/xml",
			Complete: func(cert *x509.Certificate) ([]byte, error) {
				id := pki.IdentityOf(cert, e.now())
				st.Name, st.IIN, st.BIN, st.Organization, st.CertificateSerial = id.CommonName, id.IIN, id.BIN, id.Organization, id.SerialNumber
				if len(id.Roles) > 0 {
					st.Role = string(id.Roles[len(id.Roles)-1])
				}
				b, err := st.XML()
				signedStatement = b
				return b, err
			}}}}, ui)
	if err != nil {
		return nil, err
	}
	signedXML := res.Outputs[0].Bytes
	body, err := json.Marshal(api.AgreementAcceptance{Version: ag.Version, Language: api.Language(language),
		TextSha256: st.TextSHA256, Acceptance: signedXML})
	if err != nil {
		return nil, err
	}
	key := newKey(OpAccept)
	stx, _ := e.store()
	remote := fmt.Sprintf("%s/v%d", ag.Id, ag.Version)
	out, err := stx.Exchange(ctx, store.ExchangeBatch{Account: a.Name, Receive: []store.Received{
		{Doc: store.NewDocument{Name: "agreement-" + ag.Id + "-v" + fmt.Sprint(ag.Version) + "." + language + ".txt",
			Title: fmt.Sprintf("%s (v%d, %s)", ag.Title, ag.Version, language), Kind: store.KindAgreement,
			Counterparty: a.PortalName, Content: text, Note: fmt.Sprintf("agreement text from %q", a.Name)},
			Link: store.Link{Remote: store.AcceptedTextRemote(remote), Direction: "incoming", Status: "published", ContentVersion: 1, RemoteSHA256: st.TextSHA256}},
		{Doc: store.NewDocument{Name: "acceptance-" + ag.Id + "-v" + fmt.Sprint(ag.Version) + ".xml",
			Title: fmt.Sprintf("Acceptance: %s (v%d, %s)", ag.Title, ag.Version, language), Kind: store.KindAgreement,
			Counterparty: a.PortalName, Content: signedStatement},
			Link: store.Link{Remote: remote, Direction: "outgoing", Status: store.LinkAcceptance, ContentVersion: 1,
				RemoteSHA256: st.TextSHA256, Sync: store.SyncWaiting},
			Sig: &store.NewSignature{Format: "xmldsig", Bytes: signedXML, Signer: store.SignerOf(res.Signer),
				SigningTime: st.SigningTime}, Queued: true,
			Outbox: &store.OutboxItem{Key: key, Op: OpAccept, Remote: ag.Id, Body: body}},
	}})
	if err != nil {
		return nil, err
	}
	acc := &Accepted{Agreement: *ag, Text: out.Received[0], Warning: res.Outputs[0].Warning}
	acc.Queued = *e.flushOne(ctx, a.Name, key, out.Received[1])
	return acc, nil
}

// AcceptedText is the text of an earlier version the user accepted, as it
// was kept when it was accepted (to show what a new version changed).
func (e *Engine) AcceptedText(ctx context.Context, account, id string, version int, language string) ([]byte, error) {
	st, err := e.store()
	if err != nil {
		return nil, err
	}
	l, err := st.LinkByRemote(ctx, account, store.AcceptedTextRemote(fmt.Sprintf("%s/v%d", id, version)))
	if err != nil {
		return nil, fmt.Errorf("the text of version %d is not kept here: %w", version, err)
	}
	d, err := st.Document(ctx, l.Document)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(d.Name, "."+language+".txt") {
		return nil, fmt.Errorf("version %d was accepted in another language than %q: %w", version, language, ErrState)
	}
	return st.Content(ctx, l.Document, d.Version)
}

// Acceptance finds the documents of the user's acceptance of an agreement
// — the signed statement and the text it accepted — at a version (0: the
// latest accepted), from the store alone: it works offline.
func (e *Engine) Acceptance(ctx context.Context, account, id string, version int) (statement, text store.Link, err error) {
	a, err := e.Account(ctx, account)
	if err != nil {
		return statement, text, err
	}
	st, err := e.store()
	if err != nil {
		return statement, text, err
	}
	links, err := st.Links(ctx, a.Name)
	if err != nil {
		return statement, text, err
	}
	best := 0
	for _, l := range links {
		var v int
		if _, err := fmt.Sscanf(strings.TrimPrefix(l.Remote, id+"/"), "v%d", &v); err != nil || l.Remote != fmt.Sprintf("%s/v%d", id, v) ||
			(l.Status != store.LinkAcceptance && l.Status != store.LinkAccepted) {
			continue
		}
		if (version == 0 && v > best) || v == version {
			best, statement = v, l
		}
	}
	if best == 0 {
		what := "any version"
		if version > 0 {
			what = fmt.Sprintf("version %d", version)
		}
		return statement, text, fmt.Errorf("you have not accepted %s of %s on %q: %w", what, id, a.Name, ErrState)
	}
	text, err = st.LinkByRemote(ctx, a.Name, store.AcceptedTextRemote(statement.Remote))
	return statement, text, err
}
