package cms_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/hex"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/rawsig"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

func runOpenSSL(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(opensslPath(t), args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// TestOpenSSLVerifiesOurs: `openssl cms -verify` accepts our RSA CMS.
func TestOpenSSLVerifiesOurs(t *testing.T) {
	opensslPath(t)
	r := getRSA(t)
	tsa := startTSA(t, r.tsa, testpki.TSAPolicyRSA)
	dir := t.TempDir()
	root := writePEM(t, dir, "root.pem", "CERTIFICATE", r.root.cert.Raw)
	content := []byte("binary \x00\r\n content\n")
	data := writeFile(t, dir, "data.bin", content)

	attached, err := cms.Sign(bytes.NewReader(content), r.alice.key, r.alice.cert, r.alice.chain, cms.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	detached, err := cms.Sign(bytes.NewReader(content), r.alice.key, r.alice.cert, nil, cms.SignOptions{Detached: true})
	if err != nil {
		t.Fatal(err)
	}
	cosigned, err := cms.CoSign(detached, bytes.NewReader(content), r.bob.key, r.bob.cert, nil, cms.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stamped, err := cms.AddTimestamp(context.Background(), cosigned, tsa)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		der      []byte
		detached bool
		signers  int
	}{
		{"attached", attached, false, 1},
		{"detached", detached, true, 1},
		{"co-signed", cosigned, true, 2},
		{"timestamped", stamped, true, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := writeFile(t, dir, tc.name+".p7s", tc.der)
			out := in + ".out"
			args := []string{"cms", "-verify", "-binary", "-inform", "DER", "-in", in, "-CAfile", root, "-out", out}
			if tc.detached {
				args = append(args, "-content", data)
			}
			if msg, err := runOpenSSL(t, args...); err != nil {
				t.Fatalf("openssl cms -verify: %v\n%s", err, msg)
			}
			got, _ := os.ReadFile(out)
			if !bytes.Equal(got, content) {
				t.Errorf("openssl output %q", got)
			}
			certs := writeFile(t, dir, tc.name+".signers", nil)
			if msg, err := runOpenSSL(t, append(args, "-signer", certs)...); err != nil {
				t.Fatalf("%v %s", err, msg)
			}
			pemSigners, _ := os.ReadFile(certs)
			if n := strings.Count(string(pemSigners), "BEGIN CERTIFICATE"); n != tc.signers {
				t.Errorf("openssl saw %d signers, want %d", n, tc.signers)
			}
			// A changed content must fail in OpenSSL too.
			if tc.detached {
				bad := writeFile(t, dir, "bad.bin", append([]byte("X"), content...))
				args[len(args)-1] = bad
				if _, err := runOpenSSL(t, args...); err == nil {
					t.Error("openssl accepted changed content")
				}
			}
		})
	}
	// Timestamp tokens from the CMS verify with `openssl ts -verify`.
	t.Run("token", func(t *testing.T) {
		evs, err := cms.Verify(stamped, bytes.NewReader(content))
		if err != nil || len(evs) != 2 {
			t.Fatal(err)
		}
		token := extractToken(t, stamped, 1)
		sig := decodeSignerInfo(t, signerInfos(t, stamped)[1]).Signature
		tok := writeFile(t, dir, "token.der", token)
		tsaChain := writePEM(t, dir, "tsa.pem", "CERTIFICATE", r.tsa.cert.Raw)
		msg, err := runOpenSSL(t, "ts", "-verify", "-token_in", "-in", tok, "-digest", hex.EncodeToString(rawsig.SHA256.Sum(sig)),
			"-CAfile", root, "-untrusted", tsaChain)
		if err != nil || !strings.Contains(msg, "Verification: OK") {
			t.Fatalf("openssl ts -verify: %v\n%s", err, msg)
		}
	})
}

// extractToken returns the first timeStampToken of signer i.
func extractToken(t *testing.T, der []byte, i int) []byte {
	t.Helper()
	si := decodeSignerInfo(t, signerInfos(t, der)[i])
	for _, a := range splitSet(t, si.Unsigned.Bytes) {
		var at tAttr
		if _, err := asn1Unmarshal(a, &at); err != nil {
			t.Fatal(err)
		}
		if at.Type.Equal(cms.OIDTimeStampAttr) {
			return at.Values[0].FullBytes
		}
	}
	t.Fatal("no token")
	return nil
}

// TestWeVerifyOpenSSL: CMS made by `openssl cms -sign` verifies here.
func TestWeVerifyOpenSSL(t *testing.T) {
	opensslPath(t)
	r := getRSA(t)
	dir := t.TempDir()
	keyDER, err := x509.MarshalPKCS8PrivateKey(r.alice.key)
	if err != nil {
		t.Fatal(err)
	}
	key := writePEM(t, dir, "alice.key", "PRIVATE KEY", keyDER)
	cert := writePEM(t, dir, "alice.pem", "CERTIFICATE", r.alice.cert.Raw)
	content := []byte("made by openssl\n")
	data := writeFile(t, dir, "data.txt", content)
	tests := []struct {
		name     string
		flags    []string
		detached bool
		bound    bool
	}{
		{"detached", nil, true, false},
		{"attached", []string{"-nodetach"}, false, false},
		{"attached streamed BER", []string{"-nodetach", "-stream"}, false, false},
		{"cades detached", []string{"-cades"}, true, true},
		{"cades attached sha384", []string{"-cades", "-nodetach", "-md", "sha384"}, false, true},
		{"no attributes", []string{"-noattr", "-nodetach"}, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := dir + "/" + strings.ReplaceAll(tc.name, " ", "_") + ".der"
			args := append([]string{"cms", "-sign", "-binary", "-in", data, "-signer", cert, "-inkey", key, "-outform", "DER", "-out", out}, tc.flags...)
			if msg, err := runOpenSSL(t, args...); err != nil {
				t.Fatalf("openssl cms -sign: %v\n%s", err, msg)
			}
			der, _ := os.ReadFile(out)
			var src *bytes.Reader
			if tc.detached {
				src = bytes.NewReader(content)
			}
			evs, err := verify(der, src)
			if err != nil {
				t.Fatal(err)
			}
			ev := evs[0]
			if !ev.DigestValid || !ev.SignatureValid || ev.CryptoError != "" || !ev.Certificate.Equal(r.alice.cert) {
				t.Fatalf("evidence %+v", ev)
			}
			if ev.SigningCertificateBound != tc.bound {
				t.Errorf("bound = %v, want %v", ev.SigningCertificateBound, tc.bound)
			}
			// And co-signing what OpenSSL made keeps OpenSSL's signer intact.
			var co []byte
			if tc.detached {
				co, err = cms.CoSign(der, bytes.NewReader(content), r.bob.key, r.bob.cert, nil, cms.SignOptions{})
			} else {
				co, err = cms.CoSign(der, nil, r.bob.key, r.bob.cert, nil, cms.SignOptions{})
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.detached {
				src = bytes.NewReader(content)
			}
			evs, err = verify(co, src)
			if err != nil || len(evs) != 2 || !evs[0].SignatureValid || !evs[1].SignatureValid || !evs[0].DigestValid || !evs[1].DigestValid {
				t.Fatalf("co-signed: %v %+v", err, evs)
			}
		})
	}
}

// TestOpenSSLTimeStamp: our TSA answers `openssl ts -query` and openssl
// reads and verifies the replies.
func TestOpenSSLTimeStamp(t *testing.T) {
	opensslPath(t)
	r := getRSA(t)
	dir := t.TempDir()
	data := writeFile(t, dir, "data.txt", []byte("stamp me"))
	root := writePEM(t, dir, "root.pem", "CERTIFICATE", r.root.cert.Raw)
	tsaPEM := writePEM(t, dir, "tsa.pem", "CERTIFICATE", r.tsa.cert.Raw)
	tsa := testpki.NewTSA(r.tsa.key, r.tsa.cert, r.tsa.chain, testpki.TSAPolicyRSA)
	for _, tc := range []struct {
		name  string
		flags []string
	}{
		{"certReq sha256", []string{"-sha256", "-cert"}},
		{"no certReq sha512 policy", []string{"-sha512", "-tspolicy", testpki.TSAPolicyRSA.String()}},
		{"no nonce", []string{"-sha256", "-no_nonce", "-cert"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := dir + "/req.tsq"
			if msg, err := runOpenSSL(t, append([]string{"ts", "-query", "-data", data, "-out", req}, tc.flags...)...); err != nil {
				t.Fatalf("openssl ts -query: %v\n%s", err, msg)
			}
			reqDER, _ := os.ReadFile(req)
			resp := writeFile(t, dir, "resp.tsr", tsa.Respond(reqDER))
			msg, err := runOpenSSL(t, "ts", "-reply", "-in", resp, "-text")
			if err != nil || !strings.Contains(msg, "Status: Granted.") || !strings.Contains(msg, "Policy OID: "+testpki.TSAPolicyRSA.String()) {
				t.Fatalf("openssl ts -reply: %v\n%s", err, msg)
			}
			msg, err = runOpenSSL(t, "ts", "-verify", "-in", resp, "-queryfile", req, "-CAfile", root, "-untrusted", tsaPEM)
			if err != nil || !strings.Contains(msg, "Verification: OK") {
				t.Fatalf("openssl ts -verify: %v\n%s", err, msg)
			}
		})
	}
	t.Run("rejection", func(t *testing.T) {
		req := dir + "/req.tsq"
		if msg, err := runOpenSSL(t, "ts", "-query", "-data", data, "-sha256", "-tspolicy", "1.2.3.4", "-out", req); err != nil {
			t.Fatalf("%v %s", err, msg)
		}
		reqDER, _ := os.ReadFile(req)
		resp := writeFile(t, dir, "rej.tsr", tsa.Respond(reqDER))
		msg, _ := runOpenSSL(t, "ts", "-reply", "-in", resp, "-text")
		if !strings.Contains(msg, "Rejected") || !strings.Contains(msg, "policy is not supported") {
			t.Errorf("openssl ts -reply on a rejection:\n%s", msg)
		}
	})
}
