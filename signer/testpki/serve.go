package testpki

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

// NewServer returns the HTTP face of p, at the paths its certificates name:
//
//	/ocsp, /ocsp/…   the OCSP responder (POST, or GET with the base64 request)
//	/crl/<ca>.crl    each CA's CRL
//	/ca/<ca>.cer     each CA's certificate (AIA caIssuers)
//	/tsp, /tsp/gost  the GOST TSA (policy 1.2.398.3.3.2.6.4)
//	/tsp/rsa         the RSA TSA (policy 1.2.398.3.3.2.6.2)
func NewServer(p *PKI) http.Handler {
	mux := http.NewServeMux()
	ocsp := p.NewOCSPResponder()
	mux.Handle("/ocsp", ocsp)
	mux.Handle("/ocsp/", ocsp)
	for _, ca := range p.AllCAs() {
		crl, cert := ca.CRLDER, ca.Cert.Raw
		mux.HandleFunc("GET /crl/"+ca.Name+".crl", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/pkix-crl")
			w.Write(crl)
		})
		mux.HandleFunc("GET /ca/"+ca.Name+".cer", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/pkix-cert")
			w.Write(cert)
		})
	}
	for _, f := range Families {
		svc := p.TSAs[f]
		if svc == nil {
			continue
		}
		policy := TSAPolicyRSA
		if f == FamilyGOST {
			policy = TSAPolicyGOST
		}
		tsa := NewTSA(svc.Key, svc.Cert, svc.Chain()[1:], policy)
		mux.Handle("/tsp/"+string(f), tsa)
		if f == FamilyGOST || p.TSAs[FamilyGOST] == nil {
			mux.Handle("/tsp", tsa)
			mux.Handle("/tsp/", tsa)
		}
	}
	return mux
}

// Addr returns the host:port of the PKI's base URL (the address
// "testpki serve" listens on by default).
func (p *PKI) Addr() (string, error) {
	u, err := url.Parse(p.Options.BaseURL)
	if err != nil {
		return "", fmt.Errorf("testpki: base URL %q: %w", p.Options.BaseURL, err)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), map[bool]string{true: "443", false: "80"}[u.Scheme == "https"])
	}
	return host, nil
}

// Serve loads the PKI written in dir (with the manifest's password) and
// serves it on addr ("" means the host and port of the base URL it was
// written with) until ctx ends.
func Serve(ctx context.Context, dir, addr string) error {
	p, err := Load(dir, "")
	if err != nil {
		return err
	}
	if addr == "" {
		if addr, err = p.Addr(); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("testpki: listen on %s: %w", addr, err)
	}
	return ServePKI(ctx, p, ln)
}

// ServePKI serves p's responders on ln until ctx ends, then shuts down
// gracefully. It closes ln.
func ServePKI(ctx context.Context, p *PKI, ln net.Listener) error {
	srv := &http.Server{Handler: NewServer(p), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("testpki: serve: %w", err)
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("testpki: shutdown: %w", err)
		}
		return nil
	}
}
