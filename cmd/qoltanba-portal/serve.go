package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pkcs12"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/sync/api"
	"github.com/qoltanba/qoltanba/sync/portal"
)

const tokenFile = "admin.token"

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func serve(ctx context.Context, out io.Writer, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8780", "`HOST:PORT` to listen on")
	publicURL := fs.String("url", "", "the portal's public `URL` (default http://ADDR)")
	dir := fs.String("data", defaultDataDir(), "the data `DIR`: bbolt database, operator token, demo PKI")
	db := fs.String("db", "", "a PostgreSQL `URL` (postgres://…) instead of the bbolt file")
	name := fs.String("name", "Qoltanba reference portal", "the portal's `NAME` as users see it")
	keyFile := fs.String("key", "", "the `FILE.p12` whose key signs receipts (its password in $QOLTANBA_PORTAL_KEY_PASSWORD)")
	var trust multiFlag
	fs.Var(&trust, "trust", "trust the root certificates in `FILE_OR_DIR` (repeatable)")
	tsa := fs.String("tsa", "", "timestamp receipts at the RFC 3161 service `URL`")
	demo := fs.Bool("demo", false, "TEST mode: a test PKI (served beside), its information-system key for receipts, sample documents")
	verbose := fs.Bool("v", false, "log every login and refusal")
	agreements := fs.String("agreements", "../shared/samples/agreements", "--demo: publish the agreements in `DIR` (NAME.LANG.txt), read at start")
	pkiAddr := fs.String("pki-addr", "127.0.0.1:8781", "--demo: `HOST:PORT` of the TEST PKI's OCSP, CRL and TSA (fixed when the PKI is first written)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return fmt.Errorf("data folder %s: %w", *dir, err)
	}
	url := *publicURL
	if url == "" {
		url = "http://" + *addr
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	cfg := portal.Config{Name: *name, URL: strings.TrimRight(url, "/"),
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))}
	ts := pki.NewTrustStore("")
	for _, t := range trust {
		info, err := os.Stat(t)
		if err == nil && info.IsDir() {
			_, err = ts.LoadDir(t)
		} else if err == nil {
			_, err = ts.LoadFile(t)
		}
		if err != nil {
			return fmt.Errorf("trust %s: %w", t, err)
		}
	}
	var demoPKI *testpki.PKI
	switch {
	case *demo:
		p, err := demoPKIAt(ctx, filepath.Join(*dir, "testpki"), *pkiAddr, out)
		if err != nil {
			return err
		}
		demoPKI = p
		is := p.Find("gost/legal_infosystem")
		cfg.ReceiptKey, cfg.ReceiptCert, cfg.ReceiptChain = is.Key, is.Cert, is.Chain()
		cfg.TSA = &cms.TSAClient{URL: p.Options.BaseURL + "/tsp/gost"}
		cfg.Test = true
		cfg.Name += " (TEST)"
		ts.AddTest(p.Root(testpki.FamilyGOST).Cert)
	case *keyFile == "":
		return usagef("name the receipt key with --key FILE.p12 (or run --demo)")
	default:
		data, err := os.ReadFile(*keyFile)
		if err != nil {
			return err
		}
		f, err := pkcs12.Decode(data, os.Getenv("QOLTANBA_PORTAL_KEY_PASSWORD"))
		if err != nil {
			return fmt.Errorf("open %s: %w", *keyFile, err)
		}
		if len(f.Entries) == 0 {
			return fmt.Errorf("%s holds no key", *keyFile)
		}
		e := f.Entries[0]
		cfg.ReceiptKey, cfg.ReceiptCert, cfg.ReceiptChain = e.PrivateKey, e.Certificate, e.Chain
		if len(trust) == 0 {
			return usagef("name the trusted roots with --trust (NCA RK's root certificates)")
		}
	}
	if *tsa != "" {
		cfg.TSA = &cms.TSAClient{URL: *tsa}
	}
	cfg.Verifier = &pki.Verifier{Trust: ts, Cache: &pki.Cache{Dir: filepath.Join(*dir, "cache")}}
	token, err := adminToken(*dir)
	if err != nil {
		return err
	}
	cfg.AdminToken = token
	var st portal.Storage
	if *db != "" {
		st, err = portal.OpenPostgres(ctx, *db)
	} else {
		st, err = portal.OpenBolt(filepath.Join(*dir, "portal.db"))
	}
	if err != nil {
		return err
	}
	defer st.Close()
	cfg.Storage = st
	srv, err := portal.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another portal running?)", *addr, err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(out, "%s: %s%s (operator token in %s)\n", cfg.Name, cfg.URL, api.BasePath, filepath.Join(*dir, tokenFile))
	if demoPKI != nil {
		go func() {
			if err := seedDemo(ctx, cfg.URL, token, demoPKI, st, *agreements); err != nil {
				fmt.Fprintf(os.Stderr, "qoltanba-portal: demo documents: %v\n", err)
			}
		}()
		fmt.Fprintf(out, "TEST users: %s (IIN %s), %s (BIN %s); keys in %s, password %s\n",
			demoPKI.Find("gost/individual").Cert.Subject.CommonName, demoPKI.Find("gost/individual").IIN,
			demoPKI.Find("gost/legal_head").Cert.Subject.CommonName, demoPKI.Find("gost/legal_head").BIN,
			filepath.Dir(demoPKI.Find("gost/individual").P12Path), testpki.DefaultPassword)
	}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(out, "stopped")
	return nil
}

// adminToken reads the operator's token, making one (0600) the first time.
func adminToken(dir string) (string, error) {
	path := filepath.Join(dir, tokenFile)
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	t := hex.EncodeToString(b[:])
	return t, os.WriteFile(path, []byte(t+"\n"), 0o600)
}

// demoPKIAt loads the demo's TEST PKI, or writes one the first time, and
// serves its OCSP, CRL and TSA on the address its certificates name.
func demoPKIAt(ctx context.Context, dir, addr string, out io.Writer) (*testpki.PKI, error) {
	p, err := testpki.Load(dir, "")
	if errors.Is(err, testpki.ErrNoManifest) {
		fmt.Fprintf(out, "writing a TEST PKI to %s…\n", dir)
		p, err = testpki.Generate(testpki.Options{Dir: dir, BaseURL: "http://" + addr, Families: []testpki.Family{testpki.FamilyGOST}})
	}
	if err != nil {
		return nil, fmt.Errorf("demo PKI: %w", err)
	}
	listen, err := p.Addr()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("serve the demo PKI on %s: %w", listen, err)
	}
	go testpki.ServePKI(ctx, p, ln)
	return p, nil
}
