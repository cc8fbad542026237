package bridge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// TrustTarget is one place browsers take their trust anchors from: an NSS
// database (Chromium's on Linux, each Firefox profile), or the Windows
// user's Root store (Chrome, Edge, and Firefox, which reads it too).
type TrustTarget struct {
	Browser string // "Chromium", "Firefox", "Windows"
	Profile string // Firefox's profile folder name; "" otherwise
	Dir     string // the NSS database folder (cert9.db); "" for Windows
	// Windows is the current user's Root certificate store.
	Windows bool
}

func (t TrustTarget) String() string {
	if t.Profile != "" {
		return t.Browser + " (" + t.Profile + ")"
	}
	return t.Browser
}

// Reason says why a browser does or does not trust the bridge; faces
// translate it (bridge.trust.<reason>).
type Reason string

const (
	ReasonTrusted     Reason = "trusted"     // the current CA is installed and trusted
	ReasonMissing     Reason = "missing"     // not installed: run `qoltanba bridge trust`
	ReasonOld         Reason = "old"         // only an earlier CA of this program is installed
	ReasonNoCertutil  Reason = "noCertutil"  // certutil (libnss3-tools) is not installed
	ReasonUnreadable  Reason = "unreadable"  // the database cannot be read (browser running, permissions)
	ReasonNotTrusted  Reason = "notTrusted"  // installed without the trust flag for websites
	ReasonUnsupported Reason = "unsupported" // this system's store is not handled yet
)

// TrustStatus is one browser's trust of the bridge.
type TrustStatus struct {
	Target TrustTarget
	Reason Reason
	Detail string // certutil's words when it failed
}

// Trusted reports whether the browser accepts the bridge's certificate.
func (s TrustStatus) Trusted() bool { return s.Reason == ReasonTrusted }

// TrustTargets finds the NSS databases under home: Chromium's (made by
// Install when absent) and every Firefox profile's, including the Snap
// and Flatpak ones.
func TrustTargets(home string) []TrustTarget {
	if runtime.GOOS == "windows" {
		return []TrustTarget{{Browser: "Windows (Chrome, Edge, Firefox)", Windows: true}}
	}
	targets := []TrustTarget{{Browser: "Chromium", Dir: filepath.Join(home, ".pki", "nssdb")}}
	for _, base := range []string{
		filepath.Join(home, ".mozilla", "firefox"),
		filepath.Join(home, "snap", "firefox", "common", ".mozilla", "firefox"),
		filepath.Join(home, ".var", "app", "org.mozilla.firefox", ".mozilla", "firefox"),
	} {
		dbs, _ := filepath.Glob(filepath.Join(base, "*", "cert9.db"))
		for _, db := range dbs {
			dir := filepath.Dir(db)
			targets = append(targets, TrustTarget{Browser: "Firefox", Profile: filepath.Base(dir), Dir: dir})
		}
	}
	return targets
}

// UserTrustTargets are the current user's TrustTargets.
func UserTrustTargets() []TrustTarget {
	home, err := os.UserHomeDir()
	if err != nil {
		home = "."
	}
	return TrustTargets(home)
}

// certutil runs NSS's certutil on a database.
func certutil(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "certutil", append([]string{"-d", "sql:" + dir}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// haveCertutil reports whether certutil can be run.
func haveCertutil() bool {
	_, err := exec.LookPath("certutil")
	return err == nil
}

// nicknames lists the certificates of this program's CAs in a database,
// with their trust flags.
func nicknames(ctx context.Context, dir string) (map[string]string, error) {
	out, err := certutil(ctx, dir, "-L")
	if err != nil {
		return nil, fmt.Errorf("%s", strings.TrimSpace(string(out)))
	}
	found := map[string]string{}
	for line := range strings.Lines(string(out)) {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, caNamePrefix) {
			continue
		}
		// "NAME<spaces>C,,"
		i := strings.LastIndexAny(line, " \t")
		if i < 0 {
			continue
		}
		found[strings.TrimSpace(line[:i])] = strings.TrimSpace(line[i+1:])
	}
	return found, nil
}

// Check says whether each browser trusts the current CA.
func Check(ctx context.Context, c *Certificates, targets []TrustTarget) []TrustStatus {
	out := make([]TrustStatus, 0, len(targets))
	for _, t := range targets {
		out = append(out, check(ctx, c, t))
	}
	return out
}

func check(ctx context.Context, c *Certificates, t TrustTarget) TrustStatus {
	s := TrustStatus{Target: t}
	if t.Windows {
		return windowsCheck(c, t)
	}
	if !haveCertutil() {
		s.Reason = ReasonNoCertutil
		return s
	}
	if _, err := os.Stat(filepath.Join(t.Dir, "cert9.db")); err != nil {
		s.Reason = ReasonMissing
		return s
	}
	found, err := nicknames(ctx, t.Dir)
	if err != nil {
		s.Reason, s.Detail = ReasonUnreadable, err.Error()
		return s
	}
	flags, ok := found[c.Nickname()]
	switch {
	case ok && strings.Contains(strings.SplitN(flags, ",", 2)[0], "C"):
		s.Reason = ReasonTrusted
	case ok:
		s.Reason, s.Detail = ReasonNotTrusted, flags
	case len(found) > 0:
		s.Reason = ReasonOld
	default:
		s.Reason = ReasonMissing
	}
	return s
}

// ErrNoCertutil: NSS's certutil is needed to install the CA for browsers.
var ErrNoCertutil = errors.New("certutil is not installed: install libnss3-tools (sudo apt-get install libnss3-tools)")

// Install puts the current CA in every target, trusted for websites, and
// removes this program's earlier CAs; Chromium's database is made when it
// does not exist. It returns each target's status afterwards.
func Install(ctx context.Context, c *Certificates, targets []TrustTarget) ([]TrustStatus, error) {
	var errs []error
	for _, t := range targets {
		var err error
		switch {
		case t.Windows:
			err = windowsInstall(c)
		case !haveCertutil():
			return Check(ctx, c, targets), ErrNoCertutil
		default:
			err = install(ctx, c, t)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", t, err))
		}
	}
	return Check(ctx, c, targets), errors.Join(errs...)
}

func install(ctx context.Context, c *Certificates, t TrustTarget) error {
	if _, err := os.Stat(filepath.Join(t.Dir, "cert9.db")); err != nil {
		if err := os.MkdirAll(t.Dir, 0o700); err != nil {
			return err
		}
		if out, err := certutil(ctx, t.Dir, "-N", "--empty-password"); err != nil {
			return fmt.Errorf("make the NSS database: %s", strings.TrimSpace(string(out)))
		}
	}
	found, err := nicknames(ctx, t.Dir)
	if err != nil {
		return err
	}
	for name := range found {
		if name != c.Nickname() {
			if out, err := certutil(ctx, t.Dir, "-D", "-n", name); err != nil {
				return fmt.Errorf("remove the earlier CA %s: %s", name, strings.TrimSpace(string(out)))
			}
		}
	}
	if out, err := certutil(ctx, t.Dir, "-A", "-t", "C,,", "-n", c.Nickname(), "-i", c.CAPath()); err != nil {
		return fmt.Errorf("add the CA: %s", strings.TrimSpace(string(out)))
	}
	return nil
}

// Untrust removes every CA of this program from the targets.
func Untrust(ctx context.Context, targets []TrustTarget) error {
	var errs []error
	for _, t := range targets {
		if t.Windows {
			if err := windowsUntrust(); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", t, err))
			}
			continue
		}
		found, err := nicknames(ctx, t.Dir)
		if err != nil {
			continue
		}
		names := make([]string, 0, len(found))
		for n := range found {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			if out, err := certutil(ctx, t.Dir, "-D", "-n", n); err != nil {
				errs = append(errs, fmt.Errorf("%s: %s", t, strings.TrimSpace(string(out))))
			}
		}
	}
	return errors.Join(errs...)
}
