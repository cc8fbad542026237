// Package portal is the reference portal server of Qoltanba's exchange API
// (sync/api/openapi.yaml): EDS login, documents with an append-only history,
// signatures verified on receipt with signer/pki, receipts signed (and
// timestamped) by the portal, a per-user event feed, idempotent writes. It is
// what `qoltanba-portal serve` runs, what the sync engine's tests talk to,
// and a working example for portal operators.
package portal

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/api"
)

// Config is what a portal needs.
type Config struct {
	// Name is shown to users; URL is the address documents are checked at
	// and the one statements must name (PortalInfo.url).
	Name, URL string
	Storage   Storage
	// Verifier checks every incoming signature (chain, OCSP/CRL at receipt).
	Verifier *pki.Verifier
	// ReceiptKey signs receipts and the portal's own statements.
	ReceiptKey   crypto.Signer
	ReceiptCert  *x509.Certificate
	ReceiptChain []*x509.Certificate
	// TSA timestamps receipts; nil leaves them without a timestamp.
	TSA *cms.TSAClient
	// AdminToken authorises the operator's endpoints; empty disables them.
	AdminToken string
	// Test: the portal runs on a TEST PKI (PortalInfo.test).
	Test bool
	// MaxBody bounds a request body (default 48 MiB: a 32 MiB document in base64).
	MaxBody int64
	// ChallengeTTL and SessionTTL default to 2 minutes and 8 hours.
	ChallengeTTL, SessionTTL time.Duration
	Now                      func() time.Time
	Log                      *slog.Logger
}

// Server serves the API.
type Server struct {
	cfg    Config
	spec   *openapi3.T
	router routers.Router
	locks  [64]sync.Mutex
}

type ctxKey int

const (
	ctxUser ctxKey = iota
	ctxScope
	ctxBodyHash
)

// New checks cfg and the contract.
func New(cfg Config) (*Server, error) {
	switch {
	case cfg.Storage == nil:
		return nil, errors.New("portal: no storage")
	case cfg.Verifier == nil:
		return nil, errors.New("portal: no verifier")
	case cfg.ReceiptKey == nil || cfg.ReceiptCert == nil:
		return nil, errors.New("portal: no receipt key")
	case cfg.URL == "":
		return nil, errors.New("portal: no URL")
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = 48 << 20
	}
	if cfg.ChallengeTTL == 0 {
		cfg.ChallengeTTL = 2 * time.Minute
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 8 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	spec, err := api.Spec(context.Background())
	if err != nil {
		return nil, err
	}
	spec.Servers = nil // routes are matched on the path below BasePath
	router, err := legacy.NewRouter(spec)
	if err != nil {
		return nil, fmt.Errorf("portal: route the contract: %w", err)
	}
	return &Server{cfg: cfg, spec: spec, router: router}, nil
}

func (s *Server) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Millisecond) }

// Handler serves the API under api.BasePath.
func (s *Server) Handler() http.Handler {
	strict := api.NewStrictHandlerWithOptions(s, nil, api.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeProblem(w, badRequest("%v", err))
		},
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			p := asProblem(err)
			if p.status >= 500 {
				s.cfg.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
			}
			writeProblem(w, p)
		},
	})
	inner := api.HandlerWithOptions(strict, api.StdHTTPServerOptions{
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeProblem(w, badRequest("%v", err))
		},
	})
	mux := http.NewServeMux()
	mux.Handle(api.BasePath+"/", http.StripPrefix(api.BasePath, s.gate(inner)))
	return mux
}

// gate is every request's way in: the body read whole (bounded), checked
// against the contract, the caller authenticated, and a write under its
// Idempotency-Key answered once.
func (s *Server) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				writeProblem(w, refuse(http.StatusRequestEntityTooLarge, api.ErrorCodeTooLarge,
					"the request body is larger than %d bytes", s.cfg.MaxBody))
				return
			}
			writeProblem(w, badRequest("read the request body: %v", err))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		route, params, err := s.router.FindRoute(r)
		if err != nil {
			status, code := http.StatusNotFound, api.ErrorCodeNotFound
			if errors.Is(err, routers.ErrMethodNotAllowed) {
				status, code = http.StatusMethodNotAllowed, api.ErrorCodeBadRequest
			}
			writeProblem(w, refuse(status, code, "no such endpoint: %s %s", r.Method, r.URL.Path))
			return
		}
		in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: false}}
		if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
			writeProblem(w, badRequest("the request does not match the API: %s", firstLine(err.Error())))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		ctx, p := s.authenticate(r, route.Operation)
		if p != nil {
			writeProblem(w, p)
			return
		}
		r = r.WithContext(ctx)
		if key := r.Header.Get("Idempotency-Key"); key != "" && r.Method == http.MethodPost {
			s.once(w, r, key, sha256.Sum256(body), next)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// authenticate finds who calls, as the operation's security asks.
func (s *Server) authenticate(r *http.Request, op *openapi3.Operation) (context.Context, *problem) {
	sec := s.spec.Security
	if op.Security != nil {
		sec = *op.Security
	}
	ctx := r.Context()
	if len(sec) == 0 {
		return ctx, nil
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return ctx, refuse(http.StatusUnauthorized, api.ErrorCodeUnauthorized, "log in first (no session token)")
	}
	if _, admin := sec[0]["admin"]; admin {
		if s.cfg.AdminToken == "" || subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.AdminToken)) != 1 {
			return ctx, refuse(http.StatusUnauthorized, api.ErrorCodeUnauthorized, "not the operator's token")
		}
		return context.WithValue(ctx, ctxScope, "admin"), nil
	}
	sess, err := s.cfg.Storage.Session(ctx, sha256.Sum256([]byte(token)))
	if err != nil || !s.now().Before(sess.Expires) {
		return ctx, refuse(http.StatusUnauthorized, api.ErrorCodeUnauthorized, "the session has expired or does not exist: log in again")
	}
	if sess.Certificate != "" {
		if c, err := s.cfg.Storage.Compromise(ctx, sess.Certificate); err == nil && (c.Suspended() || sess.Opened.Before(c.Reported)) {
			return ctx, refuse(http.StatusUnauthorized, api.ErrorCodeUnauthorized, "the key this session was opened with was reported compromised: log in with a new key")
		}
	}
	ctx = context.WithValue(ctx, ctxUser, sess.User)
	ctx = context.WithValue(ctx, ctxToken, token)
	return context.WithValue(ctx, ctxScope, userScope(sess.User)), nil
}

func userScope(u api.User) string { return "user:" + u.Iin + ":" + u.Bin }

func userOf(ctx context.Context) api.User {
	u, _ := ctx.Value(ctxUser).(api.User)
	return u
}

func scopeOf(ctx context.Context) string {
	s, _ := ctx.Value(ctxScope).(string)
	return s
}

// lock serialises the writes to one document within this process (the
// storage's revision check guards the rest).
func (s *Server) lock(id string) func() {
	h := fnv.New32a()
	h.Write([]byte(id))
	m := &s.locks[h.Sum32()%uint32(len(s.locks))]
	m.Lock()
	return m.Unlock
}
