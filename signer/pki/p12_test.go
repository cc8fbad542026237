package pki

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/qoltanba/qoltanba/signer/pkcs12"
)

// readP12Cert returns the certificate of a PKCS#12 file (NCA test password).
func readP12Cert(t testing.TB, path string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := pkcs12.Decode(data, "Qwerty12")
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	if len(f.Entries) != 1 || f.Entries[0].Certificate == nil {
		t.Fatalf("%s: %d entries", path, len(f.Entries))
	}
	return f.Entries[0].Certificate
}

// ncaKey is what each NCA test key file must show.
type ncaKey struct {
	file      string
	iin, bin  string
	roles     []Role
	purpose   Purpose
	algorithm string
	expired   bool
}

// ncaKeys lists the 14 NCA test key files. Note the two legal-entity files
// whose names disagree with their content: infosystem.p12 carries the
// treasury-client OID 1.2.398.5.19.1.2.2.1 (a person's key, DC=ROLE02,
// businessCategory=KS1234), and treasury_client.p12 carries the information
// system OID 1.2.398.3.3.4.1.2.6 (CN=ИС "Тест", no IIN). The roles follow the
// OIDs, not the file names.
var ncaKeys = []ncaKey{
	{"gost2015/individual/valid/individual_valid.p12", "123456789011", "", []Role{RoleIndividual}, PurposeSign, AlgorithmGOST2015_512, false},
	{"gost2015/individual/revoked/individual_revoked.p12", "123456789011", "", []Role{RoleIndividual}, PurposeSign, AlgorithmGOST2015_512, false},
	{"gost2015/legal/valid/head.p12", "123456789011", "123456789021", []Role{RoleLegal, RoleHead}, PurposeSign, AlgorithmGOST2015_512, false},
	{"gost2015/legal/revoked/head.p12", "123456789011", "123456789021", []Role{RoleLegal, RoleHead}, PurposeSign, AlgorithmGOST2015_512, false},
	{"gost2015/legal/valid/employee_signright.p12", "123456789012", "123456789021", []Role{RoleLegal, RoleSigner}, PurposeSign, AlgorithmGOST2015_512, false},
	{"gost2015/legal/revoked/employee_signright.p12", "123456789012", "123456789021", []Role{RoleLegal, RoleSigner}, PurposeSign, AlgorithmGOST2015_512, false},
	{"gost2015/legal/valid/employee.p12", "123456789012", "123456789021", []Role{RoleLegal, RoleEmployee}, PurposeSign, AlgorithmGOST2015_512, false},
	{"gost2015/legal/revoked/employee.p12", "123456789012", "123456789021", []Role{RoleLegal, RoleEmployee}, PurposeSign, AlgorithmGOST2015_512, false},
	{"gost2015/legal/valid/infosystem.p12", "123456789012", "123456789021", []Role{RoleLegal, RoleTreasury}, PurposeSign, AlgorithmGOST2015_512, false},
	{"gost2015/legal/revoked/infosystem.p12", "123456789012", "123456789021", []Role{RoleLegal, RoleTreasury}, PurposeSign, AlgorithmGOST2015_512, false},
	{"gost2015/legal/valid/treasury_client.p12", "", "123456789021", []Role{RoleLegal, RoleInfoSystem}, PurposeSign, AlgorithmGOST2015_512, false},
	{"gost2015/legal/revoked/treasury_client.p12", "", "123456789021", []Role{RoleLegal, RoleInfoSystem}, PurposeSign, AlgorithmGOST2015_512, false},
	{"rsa2018/AUTH_RSA256_6b361b864c679601b652fe387f61fcd9303c0327.p12", "123456789011", "", []Role{RoleIndividual}, PurposeAuth, "RSA-2048", true},
	{"rsa2018/RSA256_8426360556902ce4ac33977836f873e1dc190976.p12", "123456789011", "", []Role{RoleIndividual}, PurposeSign, "RSA-2048", true},
}

func TestIdentityOfNCAKeys(t *testing.T) {
	nca := sharedDir(t)
	for _, k := range ncaKeys {
		t.Run(k.file, func(t *testing.T) {
			cert := readP12Cert(t, filepath.Join(nca, k.file))
			id := IdentityOf(cert, now)
			if id.IIN != k.iin || id.BIN != k.bin {
				t.Errorf("IIN %q BIN %q, want %q %q", id.IIN, id.BIN, k.iin, k.bin)
			}
			if !reflect.DeepEqual(id.Roles, k.roles) {
				t.Errorf("roles %v, want %v", id.Roles, k.roles)
			}
			if id.Purpose != k.purpose || id.Algorithm != k.algorithm {
				t.Errorf("purpose %q algorithm %q, want %q %q", id.Purpose, id.Algorithm, k.purpose, k.algorithm)
			}
			if (id.DaysLeft < 0) != k.expired {
				t.Errorf("daysLeft %d, expired want %v", id.DaysLeft, k.expired)
			}
			if id.Country != "KZ" || id.CA || id.CommonName == "" || len(id.Policies) == 0 {
				t.Errorf("country %q ca %v CN %q policies %v", id.Country, id.CA, id.CommonName, id.Policies)
			}
			if k.iin != "" && (id.Surname == "" || id.GivenName == "") {
				t.Errorf("surname %q givenName %q", id.Surname, id.GivenName)
			}
			if k.bin != "" && id.Organization != `АО "ТЕСТ"` {
				t.Errorf("organization %q", id.Organization)
			}
			t.Log(id)
		})
	}
}

func TestIdentityOfNCAHead(t *testing.T) {
	cert := readP12Cert(t, filepath.Join(sharedDir(t), "gost2015/legal/valid/head.p12"))
	id := IdentityOf(cert, now)
	want := Identity{
		Algorithm:    AlgorithmGOST2015_512,
		SubjectDN:    `CN=ТЕСТОВ ТЕСТ, SN=ТЕСТОВ, SERIALNUMBER=IIN123456789011, C=KZ, O=АО \"ТЕСТ\", OU=BIN123456789021, GN=ТЕСТОВИЧ`,
		CommonName:   "ТЕСТОВ ТЕСТ",
		Surname:      "ТЕСТОВ",
		GivenName:    "ТЕСТОВИЧ",
		IIN:          "123456789011",
		BIN:          "123456789021",
		Organization: `АО "ТЕСТ"`,
		Country:      "KZ",
		Roles:        []Role{RoleLegal, RoleHead},
		Purpose:      PurposeSign,
		NotBefore:    cert.NotBefore,
		NotAfter:     cert.NotAfter,
		DaysLeft:     167,
		SerialNumber: "303eebdf17969f3edede9bd9828fb1355aabbe4e",
		Issuer:       "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST 2022",
		IssuerDN:     "CN=ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST 2022, C=KZ",
		Fingerprint:  id.Fingerprint,
		SubjectKeyID: "303eebdf17969f3edede9bd9828fb1355aabbe4e",
		Policies:     []string{"1.2.398.3.3.2"},
	}
	if !reflect.DeepEqual(id, want) {
		t.Errorf("identity\n%+v\nwant\n%+v", id, want)
	}
	if s := id.Summary(); s != `ТЕСТОВ ТЕСТ, IIN 123456789011, head of АО "ТЕСТ" (BIN 123456789021), GOST34.10-2015-512, valid until 2027-05-08` {
		t.Errorf("summary %q", s)
	}
}

func TestCheckSignatureNCAKeys(t *testing.T) {
	nca := sharedDir(t)
	gostCA := readCert(t, filepath.Join(nca, "gost2015/nca_gost2022_test.cer"))
	gostRoot := readCert(t, filepath.Join(nca, "gost2015/root_test_gost_2022.cer"))
	rsaCA := readCert(t, filepath.Join(nca, "rsa2018/nca_rsa_test.crt"))
	for _, k := range ncaKeys {
		t.Run(k.file, func(t *testing.T) {
			cert := readP12Cert(t, filepath.Join(nca, k.file))
			if k.algorithm == AlgorithmGOST2015_512 {
				if err := CheckSignatureFrom(cert, gostCA); err != nil {
					t.Errorf("by issuing CA: %v", err)
				}
				if err := CheckSignatureFrom(cert, gostRoot); !errors.Is(err, ErrSignatureInvalid) {
					t.Errorf("by root: %v", err)
				}
				return
			}
			// The RSA keys of 2018 were issued by «ҰЛТТЫҚ КУӘЛАНДЫРУШЫ
			// ОРТАЛЫҚ (RSA)», whose certificate is not in the test data;
			// the RSA CA present (ҰКО 3.0 (RSA TEST)) did not sign them.
			if err := CheckSignatureFrom(cert, rsaCA); !errors.Is(err, ErrSignatureInvalid) {
				t.Errorf("by the unrelated RSA CA: %v", err)
			}
			if err := CheckSignatureFrom(cert, gostCA); !errors.Is(err, ErrSignatureInvalid) {
				t.Errorf("by GOST CA: %v", err)
			}
		})
	}
}
