// Package exchange is the desktop side of the portal exchange API
// (sync/api): it adds portal accounts, logs in with the AUTH key, signs,
// rejects, submits and revokes documents through the one signing core, and
// syncs: a durable outbox in the store written in the same transaction as
// the local change, the event cursor saved with the events it applied,
// retries that honour Retry-After, and an answer lost on the way settled by
// asking the portal about its Idempotency-Key rather than by sending again.
// Nothing here decides what may be signed: internal/core does.
package exchange

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/sync/api"
	"github.com/qoltanba/qoltanba/sync/store"
)

var (
	// ErrOffline: the portal could not be reached; the work waits in the
	// outbox and goes out at the next sync.
	ErrOffline = errors.New("the portal cannot be reached")
	// ErrLogin: no session, or it expired: log in with the AUTH key again.
	ErrLogin = errors.New("log in to the portal first")
	// ErrPortal: the portal answered something that is not the API.
	ErrPortal = errors.New("the portal's answer is not the exchange API's")
	// ErrNotLinked: the document did not come from (or go to) this portal.
	ErrNotLinked = errors.New("the document is not linked to a portal")
	// ErrState: the document is not in a state that allows the step.
	ErrState = errors.New("not possible in the document's state")
	// ErrReceipt: a receipt is not signed by the portal's pinned key or
	// does not acknowledge what was sent.
	ErrReceipt = errors.New("the portal's receipt does not check")
)

// Engine syncs the core's store with portals.
type Engine struct {
	Core *core.Core
	// HTTP is the client for the portal; nil means one with a 60 s timeout.
	HTTP *http.Client
	// Now replaces time.Now (tests).
	Now func() time.Time
	// PageSize is the event page asked for (default 200).
	PageSize int
	// ReadAttempts bounds the tries of one read (default readAttempts).
	ReadAttempts int
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now().UTC()
	}
	return time.Now().UTC()
}

func (e *Engine) store() (store.Store, error) {
	if e.Core == nil || e.Core.Store == nil {
		return nil, core.ErrNoStore
	}
	return e.Core.Store, nil
}

func (e *Engine) httpClient() *http.Client {
	if e.HTTP != nil {
		return e.HTTP
	}
	return &http.Client{Timeout: 60 * time.Second}
}

// client talks to one account's portal with its session.
func (e *Engine) client(a store.Account) (*api.ClientWithResponses, error) {
	return api.NewClientWithResponses(a.API, api.WithHTTPClient(e.httpClient()),
		api.WithRequestEditorFn(func(ctx context.Context, req *http.Request) error {
			if a.Session != "" {
				req.Header.Set("Authorization", "Bearer "+a.Session)
			}
			return nil
		}))
}

// newKey makes an Idempotency-Key: the operation and 128 random bits.
func newKey(op string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return op + "-" + hex.EncodeToString(b[:])
}

// APIBase turns what a user types (a host, a portal's address) into the
// API's base address.
func APIBase(addr string) (string, error) {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return "", errors.New("no portal address")
	}
	if !strings.Contains(addr, "://") {
		addr = "https://" + addr
	}
	if !strings.HasPrefix(addr, "http://") && !strings.HasPrefix(addr, "https://") {
		return "", fmt.Errorf("portal address %q: use http:// or https://", addr)
	}
	addr = strings.TrimRight(addr, "/")
	if !strings.HasSuffix(addr, api.BasePath) {
		addr += api.BasePath
	}
	return addr, nil
}

// refusal is an error answer of the portal.
type refusal struct {
	Status     int
	Code       api.ErrorCode
	Message    string
	RetryAfter time.Duration
}

func (r *refusal) Error() string {
	return fmt.Sprintf("the portal refused (%d %s): %s", r.Status, r.Code, r.Message)
}

// asRefusal reads an error answer; anything unreadable is ErrPortal.
func asRefusal(status int, body *api.Error, retryAfter int, contentType string) error {
	if status == http.StatusUnauthorized {
		return fmt.Errorf("%w (the session has expired)", ErrLogin)
	}
	if body == nil {
		switch status {
		case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			// a proxy or load balancer in front of a portal that is down
			return fmt.Errorf("%w: HTTP %d from the way to the portal", ErrOffline, status)
		}
		return fmt.Errorf("%w: HTTP %d, %s", ErrPortal, status, orNone(contentType))
	}
	return &refusal{Status: status, Code: body.Code, Message: body.Message, RetryAfter: time.Duration(retryAfter) * time.Second}
}

func orNone(s string) string {
	if s == "" {
		return "no content type"
	}
	return s
}

// offline wraps a failure of a call to the portal: the network (the work
// waits), or an answer that does not decode as the API's (ErrPortal).
func offline(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case errors.As(err, &syntax), errors.As(err, &typ):
		return fmt.Errorf("%w: %v", ErrPortal, err)
	}
	return fmt.Errorf("%w: %v", ErrOffline, err)
}

func apiSessionRequest(challenge string, sig []byte) api.SessionRequest {
	return api.SessionRequest{Challenge: challenge, Signature: sig}
}

// readAttempts bounds the tries of one read (GET) that fails on the way:
// reads are safe to repeat, and one lost page of events or one cut
// download should not undo a whole sync.
const readAttempts = 5

// transient: worth trying again soon (the network, a portal's 5xx or
// non-API answer, 429, or an explicit Retry-After).
func transient(err error) bool {
	var r *refusal
	switch {
	case errors.Is(err, ErrOffline), errors.Is(err, ErrPortal):
		return true
	case errors.As(err, &r):
		return r.Status >= 500 || r.Status == http.StatusTooManyRequests || r.RetryAfter > 0
	}
	return false
}

// retryRead runs a read until it succeeds, fails for good, or has failed
// readAttempts times, waiting 100 ms, 200 ms, 400 ms… (or Retry-After, up
// to 5 s) between tries.
func (e *Engine) retryRead(ctx context.Context, read func() error) error {
	attempts := e.ReadAttempts
	if attempts <= 0 {
		attempts = readAttempts
	}
	var err error
	for attempt := range attempts {
		if err = read(); err == nil || !transient(err) || attempt == attempts-1 {
			return err
		}
		wait := 100 * time.Millisecond << attempt
		var r *refusal
		if errors.As(err, &r) && r.RetryAfter > wait {
			wait = min(r.RetryAfter, 5*time.Second)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
	return err
}
