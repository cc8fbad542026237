package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer/pki"
)

// maxCertFile bounds a certificate file: a chain of a few certificates is a
// few KB; anything near this is not a certificate file.
const maxCertFile = 1 << 20

// readCertFile reads the certificates of a DER or PEM file, with a hint
// when it holds none.
func readCertFile(path string) ([]*x509.Certificate, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("certificate file: %w", err)
	}
	if !info.Mode().IsRegular() || info.Size() > maxCertFile {
		return nil, withHint(fmt.Errorf("%s is not a certificate file", path), "give a .cer, .crt or .pem file (DER or PEM)")
	}
	certs, err := pki.ReadCertificates(path)
	if err != nil || len(certs) == 0 {
		return nil, withHint(fmt.Errorf("%s is not a certificate: %w", path, errOr(err, pki.ErrNoCertificate)), "give a .cer, .crt or .pem file (DER or PEM); a key file is shown by 'qoltanba keys info'")
	}
	return certs, nil
}

func errOr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// certInfoRow is what `cert info --json` prints for each certificate.
type certInfoRow struct {
	File string `json:"file"`
	pki.Identity
	KeyUsage []string `json:"keyUsage"`
}

func certInfo(_ context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("cert info", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("name one certificate file")
	}
	certs, err := readCertFile(files[0])
	if err != nil {
		return err
	}
	now := time.Now()
	rows := make([]certInfoRow, len(certs))
	for i, c := range certs {
		rows[i] = certInfoRow{File: files[0], Identity: pki.IdentityOf(c, now), KeyUsage: keyUsages(c)}
	}
	if *asJSON {
		return printJSON(s.out, rows)
	}
	for i, r := range rows {
		if i > 0 {
			fmt.Fprintln(s.out)
		}
		printIdentity(s.out, keyInfo{File: r.File, Identity: r.Identity})
		fmt.Fprintf(s.out, "Key usage:     %s\n", strings.Join(r.KeyUsage, ", "))
	}
	return nil
}

// keyUsages names a certificate's key usage and extended key usage.
func keyUsages(c *x509.Certificate) []string {
	names := []struct {
		bit  x509.KeyUsage
		name string
	}{
		{x509.KeyUsageDigitalSignature, "digitalSignature"}, {x509.KeyUsageContentCommitment, "nonRepudiation"},
		{x509.KeyUsageKeyEncipherment, "keyEncipherment"}, {x509.KeyUsageDataEncipherment, "dataEncipherment"},
		{x509.KeyUsageKeyAgreement, "keyAgreement"}, {x509.KeyUsageCertSign, "keyCertSign"}, {x509.KeyUsageCRLSign, "cRLSign"},
	}
	out := []string{}
	for _, n := range names {
		if c.KeyUsage&n.bit != 0 {
			out = append(out, n.name)
		}
	}
	for _, u := range c.ExtKeyUsage {
		switch u {
		case x509.ExtKeyUsageClientAuth:
			out = append(out, "clientAuth")
		case x509.ExtKeyUsageEmailProtection:
			out = append(out, "emailProtection")
		case x509.ExtKeyUsageTimeStamping:
			out = append(out, "timeStamping")
		case x509.ExtKeyUsageOCSPSigning:
			out = append(out, "OCSPSigning")
		}
	}
	return out
}

func certVerify(ctx context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("cert verify", flag.ContinueOnError)
	var trust multiFlag
	fs.Var(&trust, "trust", "trust the root certificates in `FILE_OR_DIR` (repeatable); intermediates found there help build chains")
	offline := fs.Bool("offline", false, "no network: revocation status from the cache only")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	dir := dataDirFlag(fs)
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("name one certificate file")
	}
	certs, err := readCertFile(files[0])
	if err != nil {
		return err
	}
	c, err := openCore(s, *dir, nil, false)
	if err != nil {
		return err
	}
	defer closeCore(c)
	v, err := c.Verifier(core.VerifyOptions{Offline: *offline, Trust: trust})
	if err != nil {
		return withHint(err, "--trust takes certificate files (.cer, .pem) or folders of them")
	}
	report := v.VerifyCertificate(ctx, certs[0], certs[1:])
	return printVerification(s, report, *asJSON)
}

// printVerification prints a verification report (text or JSON) and turns its
// verdict into the exit status: 0 valid, 2 indeterminate, 1 failed.
func printVerification(s stdio, report *pki.Report, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			return err
		}
	} else if err := report.Text(s.out); err != nil {
		return err
	}
	if code := report.ExitCode(); code != 0 {
		return exitStatus(code)
	}
	return nil
}
