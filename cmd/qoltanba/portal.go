package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/exchange"
	"github.com/qoltanba/qoltanba/sync/store"
)

// The portal commands: add a portal, log in with the AUTH key, sync, and
// the steps on a document (sign and send, reject, submit, revoke, answer a
// revocation). Each is a thin face on sync/exchange.

func portalCommands() []command {
	return []command{
		{"portal add", "ADDRESS", "add a portal (its address); pins the certificate that signs its receipts", portalAdd},
		{"portal login", "", "log in to a portal with the authentication (AUTH) key", portalLogin},
		{"portal sync", "", "send what waits and receive what is new (exit 0 done, 2 offline or not logged in: nothing is lost)", portalSync},
		{"portal status", "", "show the portals: who is logged in, last sync, waiting, conflicts", portalStatus},
		{"portal list", "", "list documents exchanged with portals: direction, the portal's status, sync state", portalList},
		{"portal sign", "ID", "sign a document the portal sent and send the signature", portalSign},
		{"portal reject", "ID", "refuse to sign a document the portal sent, with a signed reason", portalReject},
		{"portal send", "ID", "sign one of your documents and send it to a portal", portalSend},
		{"portal revoke", "ID", "propose to annul a signed document (the portal accepts or refuses)", portalRevoke},
		{"portal answer", "ID", "accept (--accept) or refuse (--refuse) the portal's proposal to annul a document", portalAnswer},
		{"portal compromises", "", "list your certificates reported compromised on a portal, and their resumption requests", portalCompromises},
		{"portal resumption", "FILE.cer|FINGERPRINT", "ask the portal to resume a certificate reported compromised (--reason); the portal's operator decides", portalResumption},
	}
}

func portalCompromises(ctx context.Context, s stdio, args []string) error {
	p := newPortalFlags(s, "portal compromises", false)
	e, _, err := p.open(s, args, 0)
	if err != nil {
		return err
	}
	defer closeCore(e.Core)
	list, err := e.Compromises(ctx, *p.account)
	if err != nil {
		return portalError(err)
	}
	if *p.asJSON {
		return printJSON(s.out, list)
	}
	if len(list) == 0 {
		fmt.Fprintln(s.out, "No certificate of yours is reported compromised on this portal.")
	}
	for _, c := range list {
		fmt.Fprintf(s.out, "%s: compromised since %s", c.Fingerprint, c.Since.Local().Format("2006-01-02 15:04"))
		if r := c.Resumption; r.State != "" {
			fmt.Fprintf(s.out, "; resumption %s (asked %s)", r.State, r.Requested.Local().Format("2006-01-02"))
		}
		fmt.Fprintln(s.out)
	}
	return nil
}

func portalResumption(ctx context.Context, s stdio, args []string) error {
	p := newPortalFlags(s, "portal resumption", false)
	reason := p.fs.String("reason", "", "why the certificate should be resumed, in a `SENTENCE` (required)")
	e, rest, err := p.open(s, args, 1)
	if err != nil {
		return err
	}
	defer closeCore(e.Core)
	if strings.TrimSpace(*reason) == "" {
		return usagef("say why with --reason")
	}
	fp := strings.ToLower(rest[0])
	if !isFingerprint(fp) {
		certs, err := readCertFile(rest[0])
		if err != nil {
			return withHint(err, "name the certificate by its file or its SHA-256 fingerprint ('qoltanba portal compromises' lists them)")
		}
		fp = pki.Fingerprint(certs[0])
	}
	rec, err := e.RequestResumption(ctx, *p.account, fp, *reason)
	if err != nil {
		return portalError(err)
	}
	if *p.asJSON {
		return printJSON(s.out, rec)
	}
	fmt.Fprintf(s.out, "Resumption of %s asked: the portal's operator decides ('qoltanba portal compromises' shows the answer).\n", rec.Fingerprint)
	fmt.Fprintln(s.out, "Qoltanba itself will not sign with that key again: a key once reported is replaced.")
	return nil
}

// isFingerprint says whether s is a SHA-256 in lower-case hex.
func isFingerprint(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}

// portalFlags are what every portal command shares.
type portalFlags struct {
	fs      *flag.FlagSet
	account *string
	dir     *string
	asJSON  *bool
	key     *string
	modules multiFlag
	ui      *terminalUI
}

func newPortalFlags(s stdio, name string, withKey bool) *portalFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	p := &portalFlags{fs: fs, ui: &terminalUI{s: s}}
	p.account = fs.String("account", "", "the portal `NAME` (needed only when several are added)")
	p.asJSON = fs.Bool("json", false, "print the result as JSON")
	p.dir = dataDirFlag(fs)
	if withKey {
		p.key = fs.String("key", "", "the `KEY`: a .p12 file or a pkcs11: URI")
		fs.Var(&p.modules, "pkcs11", "look for token keys through the PKCS#11 `MODULE` (repeatable)")
		p.ui.secrets.register(fs, "password")
		registerPINFlags(fs, p.ui)
	}
	return p
}

// open parses the flags and opens the core with the store and an engine.
func (p *portalFlags) open(s stdio, args []string, positional int) (*exchange.Engine, []string, error) {
	rest, err := parseFlags(p.fs, args)
	if err != nil {
		return nil, nil, err
	}
	if len(rest) != positional {
		return nil, nil, usagef("expected %d argument(s), got %d", positional, len(rest))
	}
	if p.key != nil && *p.key == "" {
		return nil, nil, usagef("name the key with --key FILE.p12 or --key 'pkcs11:token=…;object=…'")
	}
	c, err := openCore(s, *p.dir, p.modules, true)
	if err != nil {
		return nil, nil, err
	}
	return &exchange.Engine{Core: c}, rest, nil
}

// portalError gives the exchange's errors their hints.
func portalError(err error) error {
	switch {
	case errors.Is(err, exchange.ErrLogin):
		return withHint(err, "log in with your AUTH key: qoltanba portal login --key AUTH_….p12")
	case errors.Is(err, exchange.ErrOffline):
		return withHint(err, "nothing is lost: what you did waits in the outbox and goes at the next 'qoltanba portal sync'")
	case errors.Is(err, exchange.ErrNotLinked):
		return withHint(err, "'qoltanba portal list' shows the documents exchanged with portals")
	case errors.Is(err, exchange.ErrPortal):
		return withHint(err, "check the portal's address ('qoltanba portal status'); a proxy or a login page may answer instead of the portal")
	case errors.Is(err, store.ErrNotFound):
		return withHint(err, "add the portal first: qoltanba portal add ADDRESS")
	}
	return signError(err)
}

func portalAdd(ctx context.Context, s stdio, args []string) error {
	p := newPortalFlags(s, "portal add", false)
	name := p.fs.String("name", "", "a local `NAME` for the portal (default: its host)")
	e, rest, err := p.open(s, args, 1)
	if err != nil {
		return err
	}
	defer closeCore(e.Core)
	a, err := e.Add(ctx, *name, rest[0])
	if err != nil {
		return portalError(err)
	}
	if *p.asJSON {
		return printJSON(s.out, accountView(a))
	}
	fmt.Fprintf(s.out, "Added %s: %s (%s)\n", a.Name, a.PortalName, a.PortalURL)
	if cert, err := x509.ParseCertificate(a.ReceiptCertificates[0]); err == nil {
		fmt.Fprintf(s.out, "Receipts are signed by: %s (serial %x)\n", cert.Subject.CommonName, cert.SerialNumber)
	}
	if a.Test {
		fmt.Fprintln(s.out, "TEST portal: nothing exchanged with it is legally binding")
	}
	return nil
}

func portalLogin(ctx context.Context, s stdio, args []string) error {
	p := newPortalFlags(s, "portal login", true)
	e, _, err := p.open(s, args, 0)
	if err != nil {
		return err
	}
	defer closeCore(e.Core)
	a, err := e.Login(ctx, *p.account, *p.key, p.ui)
	if err != nil {
		return portalError(err)
	}
	if *p.asJSON {
		return printJSON(s.out, accountView(a))
	}
	who := a.UserName + ", IIN " + a.IIN
	if a.BIN != "" {
		who += ", BIN " + a.BIN
	}
	fmt.Fprintf(s.out, "Logged in to %s as %s until %s\n", a.Name, who, a.SessionExpires.Local().Format("2006-01-02 15:04"))
	return nil
}

func portalSync(ctx context.Context, s stdio, args []string) error {
	p := newPortalFlags(s, "portal sync", false)
	e, _, err := p.open(s, args, 0)
	if err != nil {
		return err
	}
	defer closeCore(e.Core)
	sum, err := e.Sync(ctx, *p.account)
	if *p.asJSON {
		if jerr := printJSON(s.out, sum); jerr != nil {
			return jerr
		}
	} else {
		fmt.Fprintf(s.out, "%s: %d new, %d updated, %d sent, %d waiting, %d conflicts\n",
			sum.Account, len(sum.Received), sum.Updated, sum.Settled, sum.Pending, sum.Conflicts)
		if sum.Resynced {
			fmt.Fprintln(s.out, "The portal did not know our place in its feed: everything was read again (nothing doubled).")
		}
	}
	if errors.Is(err, exchange.ErrOffline) || errors.Is(err, exchange.ErrLogin) {
		fmt.Fprintf(s.err, "qoltanba: %v\n", portalError(err))
		return exitStatus(2)
	}
	if err != nil {
		return portalError(err)
	}
	return nil
}

// accountJSON is an account as printed (no session token).
type accountJSON struct {
	Name           string    `json:"name"`
	API            string    `json:"api"`
	Portal         string    `json:"portal"`
	PortalURL      string    `json:"portalUrl"`
	Test           bool      `json:"test,omitempty"`
	IIN            string    `json:"iin,omitempty"`
	BIN            string    `json:"bin,omitempty"`
	User           string    `json:"user,omitempty"`
	LoggedIn       bool      `json:"loggedIn"`
	SessionExpires time.Time `json:"sessionExpires,omitzero"`
	LastSync       time.Time `json:"lastSync,omitzero"`
	LastError      string    `json:"lastError,omitempty"`
	Waiting        int       `json:"waiting"`
	Conflicts      int       `json:"conflicts"`
	Incoming       int       `json:"incoming"`
	Outgoing       int       `json:"outgoing"`
}

func accountView(a store.Account) accountJSON {
	return accountJSON{Name: a.Name, API: a.API, Portal: a.PortalName, PortalURL: a.PortalURL, Test: a.Test,
		IIN: a.IIN, BIN: a.BIN, User: a.UserName, LoggedIn: a.Session != "" && time.Now().Before(a.SessionExpires),
		SessionExpires: a.SessionExpires, LastSync: a.LastSync, LastError: a.LastError}
}

func portalStatus(ctx context.Context, s stdio, args []string) error {
	p := newPortalFlags(s, "portal status", false)
	e, _, err := p.open(s, args, 0)
	if err != nil {
		return err
	}
	defer closeCore(e.Core)
	st := e.Core.Store
	accounts, err := st.Accounts(ctx)
	if err != nil {
		return err
	}
	var views []accountJSON
	for _, a := range accounts {
		if *p.account != "" && a.Name != *p.account {
			continue
		}
		v := accountView(a)
		out, _ := st.Outbox(ctx, a.Name)
		v.Waiting = len(out)
		links, _ := st.Links(ctx, a.Name)
		for _, l := range links {
			if l.Sync == store.SyncConflict {
				v.Conflicts++
			}
			if l.Direction == "outgoing" {
				v.Outgoing++
			} else {
				v.Incoming++
			}
		}
		views = append(views, v)
	}
	if *p.asJSON {
		if views == nil {
			views = []accountJSON{}
		}
		return printJSON(s.out, views)
	}
	if len(views) == 0 {
		fmt.Fprintln(s.out, "No portal added: qoltanba portal add ADDRESS")
		return nil
	}
	for _, v := range views {
		printAccount(s.out, v)
	}
	return nil
}

func printAccount(w io.Writer, v accountJSON) {
	fmt.Fprintf(w, "%s — %s (%s)", v.Name, v.Portal, v.PortalURL)
	if v.Test {
		fmt.Fprint(w, " TEST")
	}
	fmt.Fprintln(w)
	switch {
	case v.LoggedIn:
		fmt.Fprintf(w, "  logged in: %s, IIN %s until %s\n", v.User, v.IIN, v.SessionExpires.Local().Format("2006-01-02 15:04"))
	default:
		fmt.Fprintln(w, "  not logged in")
	}
	last := "never"
	if !v.LastSync.IsZero() {
		last = v.LastSync.Local().Format("2006-01-02 15:04:05")
	}
	fmt.Fprintf(w, "  last sync: %s; %d incoming, %d outgoing, %d waiting to send, %d conflicts\n", last, v.Incoming, v.Outgoing, v.Waiting, v.Conflicts)
	if v.LastError != "" {
		fmt.Fprintf(w, "  last error: %s\n", v.LastError)
	}
}

// linkJSON is a linked document as `portal list` prints it.
type linkJSON struct {
	ID        store.ID    `json:"id"`
	Title     string      `json:"title"`
	State     store.State `json:"state"`
	Account   string      `json:"account"`
	Remote    string      `json:"remote,omitempty"`
	Direction string      `json:"direction"`
	Status    string      `json:"status"`
	Sync      string      `json:"sync,omitempty"`
	Conflict  string      `json:"conflict,omitempty"`
	Receipts  int         `json:"receipts"`
}

func portalList(ctx context.Context, s stdio, args []string) error {
	p := newPortalFlags(s, "portal list", false)
	e, _, err := p.open(s, args, 0)
	if err != nil {
		return err
	}
	defer closeCore(e.Core)
	st := e.Core.Store
	links, err := st.Links(ctx, *p.account)
	if err != nil {
		return err
	}
	rows := []linkJSON{}
	for _, l := range links {
		d, err := st.Document(ctx, l.Document)
		if err != nil {
			continue
		}
		rs, _ := st.Receipts(ctx, l.Document)
		rows = append(rows, linkJSON{ID: l.Document, Title: d.Title, State: d.State, Account: l.Account, Remote: l.Remote,
			Direction: l.Direction, Status: l.Status, Sync: l.Sync, Conflict: l.Conflict, Receipts: len(rs)})
	}
	if *p.asJSON {
		return printJSON(s.out, rows)
	}
	tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDIRECTION\tPORTAL STATUS\tSYNC\tRECEIPTS\tTITLE")
	for _, r := range rows {
		sync := r.Sync
		if sync == "" {
			sync = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", r.ID, r.Direction, r.Status, sync, r.Receipts, r.Title)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range rows {
		if r.Conflict != "" {
			fmt.Fprintf(s.out, "conflict on %s: %s\n", r.ID, r.Conflict)
		}
	}
	return nil
}

// printQueued says what became of a step.
func printQueued(s stdio, asJSON bool, what string, q *exchange.Queued) error {
	if asJSON {
		out := struct {
			Document store.ID `json:"document"`
			Key      string   `json:"key"`
			Sent     bool     `json:"sent"`
			Waiting  string   `json:"waiting,omitempty"`
		}{q.Document, q.Key, q.Sent, ""}
		if q.Err != nil {
			out.Waiting = q.Err.Error()
		}
		return printJSON(s.out, out)
	}
	if q.Sent {
		fmt.Fprintf(s.out, "%s: sent, the portal's receipt is stored\n", what)
		return nil
	}
	fmt.Fprintf(s.out, "%s: waiting in the outbox (%v); it goes at the next 'qoltanba portal sync'\n", what, q.Err)
	return nil
}

// documentStep runs one step on a document with a key.
func documentStep(ctx context.Context, s stdio, args []string, name string, extra func(fs *flag.FlagSet) func() error,
	step func(e *exchange.Engine, p *portalFlags, id store.ID) (*exchange.Queued, string, error)) error {
	p := newPortalFlags(s, name, true)
	check := func() error { return nil }
	if extra != nil {
		check = extra(p.fs)
	}
	e, rest, err := p.open(s, args, 1)
	if err != nil {
		return err
	}
	defer closeCore(e.Core)
	if err := check(); err != nil {
		return err
	}
	id, err := parseDocumentID(rest[0])
	if err != nil {
		return err
	}
	q, what, err := step(e, p, id)
	if err != nil {
		return portalError(err)
	}
	return printQueued(s, *p.asJSON, what, q)
}

func portalSign(ctx context.Context, s stdio, args []string) error {
	return documentStep(ctx, s, args, "portal sign", nil, func(e *exchange.Engine, p *portalFlags, id store.ID) (*exchange.Queued, string, error) {
		q, err := e.SignAndSend(ctx, id, *p.key, p.ui, docsign.Options{TSA: e.Core.Settings().TSA})
		if err == nil && q.Signed != nil {
			fmt.Fprintf(s.err, "Signer: %s\n", q.Signed.Signer.Summary())
			if q.Signed.Warning != "" {
				fmt.Fprintf(s.err, "warning: %s\n", q.Signed.Warning)
			}
		}
		return q, "Signed", err
	})
}

func portalSend(ctx context.Context, s stdio, args []string) error {
	return documentStep(ctx, s, args, "portal send", nil, func(e *exchange.Engine, p *portalFlags, id store.ID) (*exchange.Queued, string, error) {
		q, err := e.Submit(ctx, *p.account, id, *p.key, p.ui, docsign.Options{TSA: e.Core.Settings().TSA})
		return q, "Signed and submitted", err
	})
}

func reasonFlag(reason *string, required bool) func(fs *flag.FlagSet) func() error {
	return func(fs *flag.FlagSet) func() error {
		fs.StringVar(reason, "reason", "", "why, in a `SENTENCE` (signed with the step)")
		return func() error {
			if required && *reason == "" {
				return usagef("say why with --reason")
			}
			return nil
		}
	}
}

func portalReject(ctx context.Context, s stdio, args []string) error {
	var reason string
	return documentStep(ctx, s, args, "portal reject", reasonFlag(&reason, true), func(e *exchange.Engine, p *portalFlags, id store.ID) (*exchange.Queued, string, error) {
		q, err := e.Reject(ctx, id, reason, *p.key, p.ui)
		return q, "Rejected", err
	})
}

func portalRevoke(ctx context.Context, s stdio, args []string) error {
	var reason string
	return documentStep(ctx, s, args, "portal revoke", reasonFlag(&reason, true), func(e *exchange.Engine, p *portalFlags, id store.ID) (*exchange.Queued, string, error) {
		q, err := e.ProposeRevocation(ctx, id, reason, *p.key, p.ui)
		return q, "Revocation proposed", err
	})
}

func portalAnswer(ctx context.Context, s stdio, args []string) error {
	var reason string
	var accept, refuse bool
	extra := func(fs *flag.FlagSet) func() error {
		check := reasonFlag(&reason, false)(fs)
		fs.BoolVar(&accept, "accept", false, "agree to annul the document")
		fs.BoolVar(&refuse, "refuse", false, "refuse to annul it")
		return func() error {
			if accept == refuse {
				return usagef("say --accept or --refuse")
			}
			return check()
		}
	}
	return documentStep(ctx, s, args, "portal answer", extra, func(e *exchange.Engine, p *portalFlags, id store.ID) (*exchange.Queued, string, error) {
		q, err := e.AnswerRevocation(ctx, id, accept, reason, *p.key, p.ui)
		what := "Refused to annul"
		if accept {
			what = "Agreed to annul"
		}
		return q, what, err
	})
}
