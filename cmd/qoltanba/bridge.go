package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/qoltanba/qoltanba/assets/translations"
	"github.com/qoltanba/qoltanba/bridge"
	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/internal/units"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/keyfile"
)

// bridgeFlags are the flags every bridge command shares.
type bridgeFlags struct {
	dataDir *string
	addr    *string
}

func (f *bridgeFlags) register(fs *flag.FlagSet) {
	f.dataDir = dataDirFlag(fs)
	f.addr = fs.String("addr", bridge.Address, "answer on `HOST:PORT` (loopback only; portals connect to "+bridge.Address+")")
}

// openCore parses a bridge command's flags (it takes no arguments) and
// opens the core over the data folder they name; the caller closes it.
func (f *bridgeFlags) openCore(s stdio, fs *flag.FlagSet, args []string, modules []string, withStore bool) (*core.Core, error) {
	rest, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, usagef("unexpected argument %q", rest[0])
	}
	return openCore(s, *f.dataDir, modules, withStore)
}

// bridgeServe answers websites from the terminal until Ctrl-C: the
// prompts are asked here, the password with no echo.
func bridgeServe(ctx context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("bridge", flag.ContinueOnError)
	var bf bridgeFlags
	bf.register(fs)
	var modules multiFlag
	fs.Var(&modules, "pkcs11", "load the PKCS#11 `MODULE` instead of the usual token drivers (repeatable)")
	verbose := fs.Bool("v", false, "log every request that is not done, and why")
	ui := &terminalBridgeUI{terminalUI: terminalUI{s: s}}
	ui.secrets.register(fs, "password")
	c, err := bf.openCore(s, fs, args, modules, true)
	if err != nil {
		return err
	}
	defer closeCore(c)
	certs, made, err := bridge.LoadOrCreate(c.Path("bridge"), time.Now())
	if err != nil {
		return err
	}
	ln, err := bridge.Listen(*bf.addr)
	var inUse *bridge.PortInUseError
	if errors.As(err, &inUse) {
		return withHint(err, inUse.Hint())
	}
	if err != nil {
		return err
	}
	lang := cliLanguage(c)
	if made {
		fmt.Fprintln(s.err, "A new certificate was made for the bridge: run «qoltanba bridge trust» so that browsers accept it.")
	}
	for _, st := range bridge.Check(ctx, certs, bridge.UserTrustTargets()) {
		if !st.Trusted() {
			fmt.Fprintf(s.err, "warning: %s %s\n", st.Target, translations.Text(lang, "bridge.trust."+string(st.Reason)))
		}
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(s.err, &slog.HandlerOptions{Level: level}))
	fmt.Fprintf(s.out, "answering websites on wss://%s (Ctrl-C stops)\n", ln.Addr())
	return bridge.New(c, ui, log).Serve(ctx, ln, certs.Server)
}

// bridgeTrust installs the bridge's CA where browsers look.
func bridgeTrust(ctx context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("bridge trust", flag.ContinueOnError)
	var bf bridgeFlags
	bf.register(fs)
	remove := fs.Bool("remove", false, "remove Qoltanba's certificates from the browsers instead")
	c, err := bf.openCore(s, fs, args, nil, false)
	if err != nil {
		return err
	}
	defer closeCore(c)
	targets := bridge.UserTrustTargets()
	if *remove {
		return bridge.Untrust(ctx, targets)
	}
	certs, _, err := bridge.LoadOrCreate(c.Path("bridge"), time.Now())
	if err != nil {
		return err
	}
	statuses, err := bridge.Install(ctx, certs, targets)
	printTrust(s.out, cliLanguage(c), statuses)
	if errors.Is(err, bridge.ErrNoCertutil) {
		return withHint(err, "then run «qoltanba bridge trust» again")
	}
	if err != nil {
		return withHint(err, "close the browsers and try again")
	}
	return nil
}

// bridgeDoctor says, per browser, whether it trusts the bridge and why
// not, and who answers on the bridge's port. Exit 0 when all is well, 2
// when something needs the user.
func bridgeDoctor(ctx context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("bridge doctor", flag.ContinueOnError)
	var bf bridgeFlags
	bf.register(fs)
	c, err := bf.openCore(s, fs, args, nil, false)
	if err != nil {
		return err
	}
	defer closeCore(c)
	lang := cliLanguage(c)
	certs, made, err := bridge.LoadOrCreate(c.Path("bridge"), time.Now())
	if err != nil {
		return err
	}
	healthy := !made
	statuses := bridge.Check(ctx, certs, bridge.UserTrustTargets())
	printTrust(s.out, lang, statuses)
	for _, st := range statuses {
		healthy = healthy && st.Trusted()
	}
	key := "bridge.port.free"
	holder := ""
	switch answered, ours := probeBridge(*bf.addr, certs.CA); {
	case ours:
		key = "bridge.port.ours"
	case answered:
		key, holder = "bridge.port.other", "another program"
		var inUse *bridge.PortInUseError
		if _, err := bridge.Listen(*bf.addr); errors.As(err, &inUse) && inUse.Holder != "" {
			holder = inUse.Holder
		}
	}
	healthy = healthy && key == "bridge.port.ours"
	text := translations.Text(lang, key)
	text = strings.NewReplacer("{{.Addr}}", *bf.addr, "{{.Holder}}", holder).Replace(text)
	fmt.Fprintln(s.out, text)
	if !healthy {
		return exitStatus(2)
	}
	return nil
}

// probeBridge connects to addr: answered is something listening there,
// ours that it presents a certificate of our CA.
func probeBridge(addr string, ca *x509.Certificate) (answered, ours bool) {
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	d := &net.Dialer{Timeout: 2 * time.Second}
	conn, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err == nil {
		conn.Close()
		return true, true
	}
	raw, err := d.Dial("tcp", addr)
	if err != nil {
		return false, false
	}
	raw.Close()
	return true, false
}

func printTrust(w io.Writer, lang string, statuses []bridge.TrustStatus) {
	for _, st := range statuses {
		mark := "✗"
		if st.Trusted() {
			mark = "✓"
		}
		fmt.Fprintf(w, "%s %s: %s\n", mark, st.Target, translations.Text(lang, "bridge.trust."+string(st.Reason)))
		if st.Detail != "" {
			fmt.Fprintf(w, "    %s\n", st.Detail)
		}
	}
}

// cliLanguage is the user's language: Settings', else the locale's.
func cliLanguage(c *core.Core) string { return userLanguage(c.Settings().Language) }

// terminalBridgeUI asks the bridge's questions on the terminal: unlike a
// local command, a website's request is not the user's own act, so each
// one is answered here.
type terminalBridgeUI struct {
	terminalUI
}

var _ bridge.Prompts = (*terminalBridgeUI)(nil)

func (u *terminalBridgeUI) ask(ctx context.Context, question string) (string, error) {
	fmt.Fprint(u.s.err, question)
	line, err := readLine(u.s.in)
	if err != nil {
		return "", fmt.Errorf("read the answer: %w", err)
	}
	if ctx.Err() != nil {
		fmt.Fprintln(u.s.err, "The page left; nothing was done.")
		return "", ctx.Err()
	}
	return strings.TrimSpace(line), nil
}

func (u *terminalBridgeUI) Allow(ctx context.Context, req bridge.AllowRequest) (bridge.Permission, error) {
	fmt.Fprintf(u.s.err, "\n%s wants to use your EDS (%s).\n", req.Origin, actionText(req.Action))
	answer, err := u.ask(ctx, "Allow [o]nce, [a]lways, or [d]eny? ")
	if err != nil {
		return bridge.Deny, err
	}
	switch strings.ToLower(answer) {
	case "o", "once":
		return bridge.AllowOnce, nil
	case "a", "always":
		return bridge.AllowAlways, nil
	}
	return bridge.Deny, nil
}

func actionText(a bridge.Action) string {
	switch a {
	case bridge.ActionSignHash:
		return "to sign a value you cannot see"
	case bridge.ActionKeyInfo:
		return "to read your certificate: your name, IIN and organisation"
	case bridge.ActionFile:
		return "to have you choose a file to sign"
	case bridge.ActionTime:
		return "to add a timestamp to a signature"
	}
	return "to sign"
}

func (u *terminalBridgeUI) ChooseKey(ctx context.Context, req bridge.KeyRequest) (signer.KeyRef, error) {
	fmt.Fprintf(u.s.err, "Key for %s (%s):\n", req.Origin, actionText(req.Action))
	if !req.Requires.Empty() {
		fmt.Fprintf(u.s.err, "  the site requires: %s\n", requirementsText(req.Requires))
	}
	for i, k := range req.Keys {
		fmt.Fprintf(u.s.err, "  %d. %s\n", i+1, keyName(k))
	}
	prompt := "Number of the key"
	if req.Files {
		prompt += ", or the path of a .p12 key file"
	}
	answer, err := u.ask(ctx, prompt+" (empty cancels): ")
	if err != nil || answer == "" {
		return signer.KeyRef{}, errors.Join(err, signer.ErrCancelled)
	}
	if n, err := strconv.Atoi(answer); err == nil && n >= 1 && n <= len(req.Keys) {
		return req.Keys[n-1], nil
	}
	if req.Files && keyfile.Check(answer) == nil {
		return signer.KeyRef{URI: answer, Label: answer}, nil
	}
	fmt.Fprintln(u.s.err, "Not a key of the list; nothing was done.")
	return signer.KeyRef{}, signer.ErrCancelled
}

func (u *terminalBridgeUI) ChooseFile(ctx context.Context, req bridge.FileRequest) (string, error) {
	answer, err := u.ask(ctx, fmt.Sprintf("%s asks for a file to sign: its path (empty cancels): ", req.Origin))
	if err != nil || answer == "" {
		return "", errors.Join(err, signer.ErrCancelled)
	}
	info, err := os.Stat(answer)
	if err != nil || !info.Mode().IsRegular() {
		fmt.Fprintf(u.s.err, "%s is not a file; nothing was done.\n", answer)
		return "", signer.ErrCancelled
	}
	fmt.Fprintf(u.s.err, "  %s, %s\n", answer, units.Size(info.Size()))
	return answer, nil
}

// Consent shows what a website asks to sign and asks yes or no.
func (u *terminalBridgeUI) Consent(ctx context.Context, c signer.Consent) error {
	if err := u.terminalUI.Consent(ctx, c); err != nil {
		return err
	}
	answer, err := u.ask(ctx, "Sign? [y/N] ")
	if err != nil {
		return err
	}
	if a := strings.ToLower(answer); a != "y" && a != "yes" {
		return signer.ErrCancelled
	}
	return nil
}

// readLine reads one line a byte at a time, so that nothing past it is
// taken from the terminal (the password prompt reads the same input).
func readLine(r io.Reader) (string, error) {
	var line []byte
	var one [1]byte
	for len(line) < 4096 {
		n, err := r.Read(one[:])
		if n == 1 {
			if one[0] == '\n' {
				break
			}
			line = append(line, one[0])
		}
		if err != nil {
			if len(line) > 0 {
				break
			}
			return "", err
		}
	}
	return strings.TrimSuffix(string(line), "\r"), nil
}

// requirementsText says a website's conditions on the signer.
func requirementsText(r bridge.Requirements) string {
	var parts []string
	for _, oid := range r.EKUs {
		parts = append(parts, bridge.EKUName(oid))
	}
	if r.IIN != "" {
		parts = append(parts, "IIN "+r.IIN)
	}
	if r.BIN != "" {
		parts = append(parts, "BIN "+r.BIN)
	}
	if r.Serial != "" {
		parts = append(parts, "certificate serial "+r.Serial)
	}
	return strings.Join(parts, ", ")
}
