package bridge

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/qoltanba/qoltanba/internal/atomicfile"
)

// Files of the local CA in the bridge's folder. The CA's private key is
// never written: it signs the server certificate once and is dropped, so
// nothing on the disk can issue a certificate that browsers would trust
// for another name.
const (
	CAFile   = "ca.pem"
	CertFile = "server.pem"
	KeyFile  = "server.key"
)

// Validity of the server certificate, and how long before its end a new
// CA and certificate are made (the new CA must be trusted again).
const (
	certValidity = 2 * 365 * 24 * time.Hour
	renewBefore  = 30 * 24 * time.Hour
)

// caNamePrefix starts the local CA's name; NSS nicknames and the doctor
// find earlier CAs of this program by it.
const caNamePrefix = "Qoltanba local bridge CA"

// Certificates are the bridge's TLS identity.
type Certificates struct {
	CA     *x509.Certificate
	Server tls.Certificate
	Dir    string
}

// CAPEM is the CA certificate as the trust stores take it.
func (c *Certificates) CAPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.CA.Raw})
}

// CAPath is the CA certificate's file.
func (c *Certificates) CAPath() string { return filepath.Join(c.Dir, CAFile) }

// Nickname is the CA's name in NSS databases: unique per CA, so that a
// renewed CA is told from an old one.
func (c *Certificates) Nickname() string {
	sum := sha256.Sum256(c.CA.Raw)
	return caNamePrefix + " " + hex.EncodeToString(sum[:4])
}

// LoadOrCreate reads the bridge's certificates from dir, or makes a new CA
// and server certificate when there are none, they do not match, or the
// server certificate ends within renewBefore of now. made reports a new CA
// (to be installed in the browsers' trust stores).
func LoadOrCreate(dir string, now time.Time) (c *Certificates, made bool, err error) {
	if c, err := load(dir, now); err == nil {
		return c, false, nil
	}
	c, err = create(dir, now)
	if err != nil {
		return nil, false, err
	}
	return c, true, nil
}

// Load reads the bridge's certificates from dir without making any: an
// error when there are none yet (or they need renewing), for looking
// without writing (Settings' browser check).
func Load(dir string, now time.Time) (*Certificates, error) { return load(dir, now) }

// errRenew: the certificates on disk are missing, damaged or ending.
var errRenew = errors.New("the bridge's certificates need renewing")

func load(dir string, now time.Time) (*Certificates, error) {
	caPEM, err := os.ReadFile(filepath.Join(dir, CAFile))
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(caPEM)
	if block == nil {
		return nil, errRenew
	}
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, errRenew
	}
	server, err := tls.LoadX509KeyPair(filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile))
	if err != nil {
		return nil, errRenew
	}
	leaf := server.Leaf
	if leaf == nil || leaf.CheckSignatureFrom(ca) != nil || now.After(leaf.NotAfter.Add(-renewBefore)) || now.Before(leaf.NotBefore) {
		return nil, errRenew
	}
	return &Certificates{CA: ca, Server: server, Dir: dir}, nil
}

func create(dir string, now time.Time) (*Certificates, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("bridge folder: %w", err)
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serverKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	notBefore := now.Add(-time.Hour).UTC()
	notAfter := notBefore.Add(certValidity)
	user, _ := os.UserHomeDir()
	caTemplate := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject: pkix.Name{CommonName: caNamePrefix + " " + now.UTC().Format("2006-01-02"),
			Organization: []string{"Qoltanba"}, OrganizationalUnit: []string{filepath.Base(user)}},
		NotBefore: notBefore, NotAfter: notAfter.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true, IsCA: true, MaxPathLenZero: true,
		// The CA can name only the loopback: a stolen trust anchor cannot
		// vouch for a real website.
		PermittedDNSDomainsCritical: true,
		PermittedDNSDomains:         []string{"localhost"},
		PermittedIPRanges:           []*net.IPNet{{IP: net.IPv4(127, 0, 0, 0).To4(), Mask: net.CIDRMask(8, 32)}, {IP: net.IPv6loopback, Mask: net.CIDRMask(128, 128)}},
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("make the bridge's CA: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	leafTemplate := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: "127.0.0.1", Organization: []string{"Qoltanba"}},
		NotBefore:    notBefore, NotAfter: notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTemplate, ca, &serverKey.PublicKey, caKey)
	// The CA key has done its one job: it was never written, and nothing
	// keeps it (Go offers no way to wipe an ECDSA key in place).
	if err != nil {
		return nil, fmt.Errorf("make the bridge's certificate: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(serverKey)
	if err != nil {
		return nil, err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER})
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	// The key first, then the certificate, then the CA: a crash leaves a
	// set that load refuses and create makes again.
	for _, f := range []struct {
		name string
		data []byte
	}{{KeyFile, keyPEM}, {CertFile, certPEM}, {CAFile, caPEM}} {
		if err := atomicfile.Write(filepath.Join(dir, f.name), f.data, 0o600); err != nil {
			return nil, fmt.Errorf("save the bridge's certificates: %w", err)
		}
	}
	server, err := tls.X509KeyPair(certPEM, keyPEM)
	clear(keyDER)
	if err != nil {
		return nil, err
	}
	return &Certificates{CA: ca, Server: server, Dir: dir}, nil
}

func randomSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return n
}
