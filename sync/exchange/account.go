package exchange

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/sync/store"
)

// Add registers a portal under name (default: its host): it asks the
// portal who it is and pins the certificates its receipts must be signed
// with. Adding an existing name again refreshes it and keeps its session,
// cursor and documents.
func (e *Engine) Add(ctx context.Context, name, addr string) (store.Account, error) {
	st, err := e.store()
	if err != nil {
		return store.Account{}, err
	}
	base, err := APIBase(addr)
	if err != nil {
		return store.Account{}, err
	}
	if name == "" {
		u, _ := url.Parse(base)
		name = u.Host
	}
	c, err := e.client(store.Account{API: base})
	if err != nil {
		return store.Account{}, err
	}
	resp, err := c.GetPortalWithResponse(ctx)
	if err != nil {
		return store.Account{}, fmt.Errorf("ask %s who it is: %w", base, offline(err))
	}
	info := resp.JSON200
	if info == nil {
		return store.Account{}, fmt.Errorf("ask %s who it is: %w", base, asRefusal(resp.StatusCode(), resp.JSONDefault, 0, resp.HTTPResponse.Header.Get("Content-Type")))
	}
	if len(info.ReceiptCertificates) == 0 || info.Url == "" {
		return store.Account{}, fmt.Errorf("%s: %w: no receipt certificate or address", base, ErrPortal)
	}
	for i, der := range info.ReceiptCertificates {
		if _, err := x509.ParseCertificate(der); err != nil {
			return store.Account{}, fmt.Errorf("%s: %w: receipt certificate %d: %v", base, ErrPortal, i+1, err)
		}
	}
	a, err := st.Account(ctx, name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return a, err
	}
	if a.Added.IsZero() {
		a = store.Account{Name: name, Added: e.now()}
	}
	a.API, a.PortalName, a.PortalURL, a.Test = base, info.Name, info.Url, info.Test
	a.ReceiptCertificates = info.ReceiptCertificates
	return a, st.PutAccount(ctx, a)
}

// Account returns the account named name, or the only one when name is "".
func (e *Engine) Account(ctx context.Context, name string) (store.Account, error) {
	st, err := e.store()
	if err != nil {
		return store.Account{}, err
	}
	if name != "" {
		return st.Account(ctx, name)
	}
	all, err := st.Accounts(ctx)
	if err != nil {
		return store.Account{}, err
	}
	switch len(all) {
	case 0:
		return store.Account{}, fmt.Errorf("no portal added yet (qoltanba portal add ADDRESS): %w", store.ErrNotFound)
	case 1:
		return all[0], nil
	}
	return store.Account{}, fmt.Errorf("%d portals are added: say which one", len(all))
}

// Login signs the portal's challenge with the AUTH key (the core asks for
// consent and the PIN, showing the portal and the challenge) and keeps the
// session in the account.
func (e *Engine) Login(ctx context.Context, name, keyURI string, ui signer.UI) (store.Account, error) {
	a, err := e.Account(ctx, name)
	if err != nil {
		return a, err
	}
	a.Session = ""
	c, err := e.client(a)
	if err != nil {
		return a, err
	}
	ch, err := c.CreateChallengeWithResponse(ctx)
	if err != nil {
		return a, fmt.Errorf("log in to %s: %w", a.Name, offline(err))
	}
	if ch.JSON201 == nil {
		return a, fmt.Errorf("log in to %s: %w", a.Name, asRefusal(ch.StatusCode(), ch.JSONDefault, ch.HeadersDefault.RetryAfter, ch.HTTPResponse.Header.Get("Content-Type")))
	}
	res, err := e.Core.Sign(ctx, core.SignRequest{
		Origin: a.PortalURL, KeyURI: keyURI, Format: signer.FormatCMS, Use: core.UseAuthenticate, Detached: true,
		Items: []core.Item{{Name: "Log in to " + a.PortalName, Data: ch.JSON201.Data, MediaType: "text/plain"}},
	}, ui)
	if err != nil {
		return a, fmt.Errorf("log in to %s: %w", a.Name, err)
	}
	sess, err := c.CreateSessionWithResponse(ctx, apiSessionRequest(ch.JSON201.Id, res.Outputs[0].Bytes))
	if err != nil {
		return a, fmt.Errorf("log in to %s: %w", a.Name, offline(err))
	}
	if sess.JSON201 == nil {
		return a, fmt.Errorf("log in to %s: %w", a.Name, asRefusal(sess.StatusCode(), sess.JSONDefault, sess.HeadersDefault.RetryAfter, sess.HTTPResponse.Header.Get("Content-Type")))
	}
	u := sess.JSON201.User
	a.Session, a.SessionExpires = sess.JSON201.Token, sess.JSON201.ExpiresAt
	a.IIN, a.BIN, a.UserName = u.Iin, u.Bin, u.Name
	st, _ := e.store()
	return a, st.PutAccount(ctx, a)
}

// loggedIn returns the account if its session is still valid.
func (e *Engine) loggedIn(ctx context.Context, name string) (store.Account, error) {
	a, err := e.Account(ctx, name)
	if err != nil {
		return a, err
	}
	if a.Session == "" || !e.now().Before(a.SessionExpires) {
		return a, fmt.Errorf("%s: %w", a.Name, ErrLogin)
	}
	return a, nil
}
