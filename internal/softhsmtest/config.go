package softhsmtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The SoftHSM2 library as Debian and Ubuntu install it, and the PINs every
// test token gets.
const (
	Module  = "/usr/lib/softhsm/libsofthsm2.so"
	SOPIN   = "87654321"
	UserPIN = "12345678"
)

// toolPackage names the package that installs a tool, for skip messages.
var toolPackage = map[string]string{
	"softhsm2-util": "softhsm2",
	"pkcs11-tool":   "opensc",
	"openssl":       "openssl",
	"xmlsec1":       "xmlsec1",
}

// Missing says why SoftHSM tests cannot run here: the library, softhsm2-util
// or one of tools is not installed. It returns "" when they can run.
func Missing(tools ...string) string {
	if _, err := os.Stat(Module); err != nil {
		return fmt.Sprintf("SoftHSM2 absent (%v): install the softhsm2 package (scripts/deps.sh test)", err)
	}
	for _, tool := range append([]string{"softhsm2-util"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			pkg := toolPackage[tool]
			if pkg == "" {
				pkg = tool
			}
			return fmt.Sprintf("%s absent (%v): install the %s package (scripts/deps.sh test)", tool, err, pkg)
		}
	}
	return ""
}

// Require skips the test, saying why, unless SoftHSM2 and tools are installed.
func Require(t testing.TB, tools ...string) {
	t.Helper()
	if why := Missing(tools...); why != "" {
		t.Skip(why)
	}
}

// Config is a private SoftHSM configuration: a token directory and the
// configuration file naming it, both under Dir.
type Config struct {
	Dir    string // holds both; removed by the caller (or t.TempDir)
	Tokens string // directories.tokendir
	File   string // what SOFTHSM2_CONF points at
}

// NewConfig writes a configuration into dir (which must exist). Slots are
// removable, as real NCA tokens are.
func NewConfig(dir string) (*Config, error) {
	c := &Config{Dir: dir, Tokens: filepath.Join(dir, "tokens"), File: filepath.Join(dir, "softhsm2.conf")}
	if err := os.Mkdir(c.Tokens, 0o700); err != nil {
		return nil, fmt.Errorf("softhsm token directory: %w", err)
	}
	text := "directories.tokendir = " + c.Tokens + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = true\n"
	if err := os.WriteFile(c.File, []byte(text), 0o600); err != nil {
		return nil, fmt.Errorf("softhsm configuration: %w", err)
	}
	return c, nil
}

// ForProcess gives the whole test binary one configuration in a new
// temporary directory and points SOFTHSM2_CONF at it, for this process and
// the tools it starts. It is for TestMain or a sync.Once, since SoftHSM
// reads the variable at the process's first C_Initialize only; the caller
// removes c.Dir when the tests are done.
func ForProcess() (*Config, error) {
	dir, err := os.MkdirTemp("", "qoltanba-softhsm-")
	if err != nil {
		return nil, fmt.Errorf("softhsm directory: %w", err)
	}
	c, err := NewConfig(dir)
	if err == nil {
		err = os.Setenv("SOFTHSM2_CONF", c.File)
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

// ForTest gives one test its own configuration (removed, and SOFTHSM2_CONF
// restored, when it ends), or skips it when SoftHSM2 or tools are absent.
// The library must be initialised after this, and finalised before the
// next test calls it (see Load).
func ForTest(t *testing.T, tools ...string) *Config {
	t.Helper()
	Require(t, tools...)
	c, err := NewConfig(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", c.File)
	return c
}

// TokenDir returns the directory SoftHSM keeps a token in (named by its
// UUID): removing or renaming it is SoftHSM's way of pulling the token.
func (c *Config) TokenDir(label string) (string, error) {
	entries, err := os.ReadDir(c.Tokens)
	if err != nil {
		return "", fmt.Errorf("softhsm tokens: %w", err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(c.Tokens, e.Name(), "token.object"))
		if err == nil && strings.Contains(string(b), label) {
			return filepath.Join(c.Tokens, e.Name()), nil
		}
	}
	return "", fmt.Errorf("no token directory for %q", label)
}

// InitToken creates a token with softhsm2-util in the configuration
// SOFTHSM2_CONF names, with SOPIN and UserPIN. Another process's token is
// seen by a library initialised after it only: this is a token plugged in
// before the program starts (Lib.InsertToken plugs one in later).
func InitToken(label string) error {
	return softhsmUtil("--init-token", label, "--free", "--label", label, "--so-pin", SOPIN, "--pin", UserPIN)
}

// TestToken creates a token (InitToken) that lives as long as the test:
// deleted when it ends, so the test run again (-count) in a configuration
// shared by the whole binary does not find two tokens with one label.
func TestToken(t testing.TB, label string) {
	t.Helper()
	if err := InitToken(label); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := DeleteToken(label); err != nil {
			t.Error(err)
		}
	})
}

// DeleteToken deletes a token with softhsm2-util: pulling it out.
func DeleteToken(label string) error {
	return softhsmUtil("--delete-token", label, "--token", label)
}

// softhsmUtil runs softhsm2-util op args; errors name op and the token,
// not the arguments (PINs).
func softhsmUtil(op, label string, args ...string) error {
	if out, err := exec.Command("softhsm2-util", append([]string{op}, args...)...).CombinedOutput(); err != nil {
		return fmt.Errorf("softhsm2-util %s %q: %w\n%s", op, label, err, out)
	}
	return nil
}
