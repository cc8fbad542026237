package exchange

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"time"

	"github.com/qoltanba/qoltanba/sync/api"
	"github.com/qoltanba/qoltanba/sync/store"
)

// Notified is what one portal answered to a compromise notice.
type Notified struct {
	Account string
	Err     error
}

// ReportCompromise marks a key compromised here (it never signs again)
// and tells every portal with a valid session; a portal that cannot be
// told now is named, so the user can log in and report again.
func (e *Engine) ReportCompromise(ctx context.Context, cert *x509.Certificate, since time.Time, reason string) (time.Time, []Notified, error) {
	st, err := e.store()
	if err != nil {
		return since, nil, err
	}
	since, err = e.Core.MarkCompromised(ctx, cert, since, reason)
	if err != nil {
		return since, nil, err
	}
	accounts, err := st.Accounts(ctx)
	if err != nil {
		return since, nil, err
	}
	var out []Notified
	for _, a := range accounts {
		out = append(out, Notified{Account: a.Name, Err: e.notify(ctx, a, cert, since, reason)})
	}
	return since, out, nil
}

func (e *Engine) notify(ctx context.Context, a store.Account, cert *x509.Certificate, since time.Time, reason string) error {
	if a.Session == "" || !e.now().Before(a.SessionExpires) {
		return fmt.Errorf("%s: %w", a.Name, ErrLogin)
	}
	c, err := e.client(a)
	if err != nil {
		return err
	}
	body, err := json.Marshal(api.CompromiseNotice{Certificate: cert.Raw, Since: since, Reason: reason})
	if err != nil {
		return err
	}
	key := newKey("compromise")
	return e.retryRead(ctx, func() error { // the same key every time: safe to repeat
		resp, err := c.ReportCompromiseWithBodyWithResponse(ctx, &api.ReportCompromiseParams{IdempotencyKey: key}, "application/json", bytes.NewReader(body))
		if err != nil {
			return offline(err)
		}
		if resp.JSON201 == nil {
			return asRefusal(resp.StatusCode(), resp.JSONDefault, resp.HeadersDefault.RetryAfter, resp.HTTPResponse.Header.Get("Content-Type"))
		}
		return nil
	})
}

// Compromises are the user's certificates reported compromised on a
// portal, with any resumption request and the operator's decision.
func (e *Engine) Compromises(ctx context.Context, account string) ([]api.CompromiseRecord, error) {
	a, err := e.loggedIn(ctx, account)
	if err != nil {
		return nil, err
	}
	c, err := e.client(a)
	if err != nil {
		return nil, err
	}
	var out []api.CompromiseRecord
	err = e.retryRead(ctx, func() error {
		resp, err := c.ListCompromisesWithResponse(ctx)
		if err != nil {
			return offline(err)
		}
		if resp.JSON200 == nil {
			return asRefusal(resp.StatusCode(), resp.JSONDefault, resp.HeadersDefault.RetryAfter, resp.HTTPResponse.Header.Get("Content-Type"))
		}
		out = *resp.JSON200
		return nil
	})
	return out, err
}

// RequestResumption asks a portal to lift the suspension of a certificate
// reported compromised (the key was not compromised after all); the
// portal's operator decides. Here the key stays refused for good: a
// certificate once reported is replaced, not trusted again.
func (e *Engine) RequestResumption(ctx context.Context, account, fingerprint, reason string) (api.CompromiseRecord, error) {
	var rec api.CompromiseRecord
	a, err := e.loggedIn(ctx, account)
	if err != nil {
		return rec, err
	}
	c, err := e.client(a)
	if err != nil {
		return rec, err
	}
	body, err := json.Marshal(api.ResumptionRequest{Reason: reason})
	if err != nil {
		return rec, err
	}
	key := newKey("resumption")
	err = e.retryRead(ctx, func() error { // the same key every time: safe to repeat
		resp, err := c.RequestResumptionWithBodyWithResponse(ctx, fingerprint, &api.RequestResumptionParams{IdempotencyKey: key}, "application/json", bytes.NewReader(body))
		if err != nil {
			return offline(err)
		}
		if resp.JSON201 == nil {
			return asRefusal(resp.StatusCode(), resp.JSONDefault, resp.HeadersDefault.RetryAfter, resp.HTTPResponse.Header.Get("Content-Type"))
		}
		rec = *resp.JSON201
		return nil
	})
	return rec, err
}
