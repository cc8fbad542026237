package main

import (
	"context"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/qoltanba/qoltanba/signer/pki"
)

// keysCompromised reports a key compromised: it never signs again here,
// and every portal with a valid session is told.
func keysCompromised(ctx context.Context, s stdio, args []string) error {
	p := newPortalFlags(s, "keys compromised", false)
	p.fs.Var(&p.modules, "pkcs11", "look for token keys through the PKCS#11 `MODULE` (repeatable)")
	p.ui.secrets.register(p.fs, "password")
	registerPINFlags(p.fs, p.ui)
	cert := p.fs.String("cert", "", "read the certificate from `FILE.cer` instead of opening the key")
	sinceFlag := p.fs.String("since", "", "from when nothing signed with it counts (`RFC3339`, default now)")
	reason := p.fs.String("reason", "", "what happened, in a `SENTENCE`")
	confirm := p.fs.Bool("confirm", false, "yes, the key is compromised: it will never sign again in Qoltanba")
	e, rest, err := p.open(s, args, 1)
	if err != nil {
		return err
	}
	defer closeCore(e.Core)
	if !*confirm {
		return usagef("this cannot be undone: add --confirm")
	}
	var since time.Time
	if *sinceFlag != "" {
		if since, err = time.Parse(time.RFC3339, *sinceFlag); err != nil {
			return usagef("--since: %v", err)
		}
	}
	c := e.Core
	var certificate *x509.Certificate
	if *cert != "" {
		certs, err := pki.ReadCertificates(*cert)
		if err != nil || len(certs) == 0 {
			return fmt.Errorf("read %s: %w", *cert, err)
		}
		certificate = certs[0]
	} else {
		key, err := openKey(ctx, c, rest[0], p.ui)
		if err != nil {
			return err
		}
		certificate = key.Certificate
		key.Close()
	}
	id := pki.IdentityOf(certificate, time.Now())
	since, notified, err := e.ReportCompromise(ctx, certificate, since, *reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.out, "%s (IIN %s, serial %s) is marked compromised from %s: Qoltanba will not sign with it again.\n",
		id.CommonName, id.IIN, id.SerialNumber, since.Local().Format("2006-01-02 15:04"))
	for _, n := range notified {
		if n.Err != nil {
			fmt.Fprintf(s.out, "  %s: not told (%v): log in and report again\n", n.Account, n.Err)
		} else {
			fmt.Fprintf(s.out, "  %s: told; it refuses what the key signs from then on\n", n.Account)
		}
	}
	fmt.Fprintln(s.out, "Now revoke the certificate at NCA RK (pki.gov.kz, or a Public Service Centre) and get a new key.")
	return nil
}
