package testpki

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Defaults for Options.
const (
	DefaultBaseURL  = "http://127.0.0.1:8800"
	DefaultPassword = "Qwerty12"
)

// Options configure Generate.
type Options struct {
	// Dir receives the files; it is created if missing. Empty means
	// nothing is written and the PKI lives in memory only.
	Dir string
	// BaseURL prefixes the CRL, OCSP and CA issuer addresses written into
	// certificates; default DefaultBaseURL.
	BaseURL string
	// Password protects every .p12; default DefaultPassword (NCA's test one).
	Password string
	// Now is the moment validity periods and CRLs are computed from;
	// default time.Now().
	Now time.Time
	// Rand is the randomness for keys, serials and signatures; default
	// crypto/rand. (crypto/rsa ignores it since Go 1.26 and always uses
	// secure randomness, so RSA keys differ from run to run regardless.)
	Rand io.Reader
	// Families to build; default all (Families). A GOST-only PKI is
	// generated in a fraction of the time RSA key generation takes.
	Families []Family
}

// ErrOptions reports unusable options.
var ErrOptions = errors.New("testpki: invalid options")

// withDefaults fills in the defaults.
func (o Options) withDefaults() (Options, error) {
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	if !strings.HasPrefix(o.BaseURL, "http://") && !strings.HasPrefix(o.BaseURL, "https://") {
		return o, fmt.Errorf("%w: BaseURL %q is not an http(s) URL", ErrOptions, o.BaseURL)
	}
	if o.Password == "" {
		o.Password = DefaultPassword
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	o.Now = o.Now.UTC().Truncate(time.Second)
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if len(o.Families) == 0 {
		o.Families = Families
	}
	for _, f := range o.Families {
		if f != FamilyGOST && f != FamilyRSA {
			return o, fmt.Errorf("%w: unknown family %q", ErrOptions, f)
		}
	}
	return o, nil
}
