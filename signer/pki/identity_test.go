package pki

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// now is a fixed moment inside the 2026 test keys' validity.
var now = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func TestIdentityOfCACertificates(t *testing.T) {
	nca := sharedDir(t)
	tests := []struct {
		file      string
		cn        string
		issuer    string
		algorithm string
		subject   string
	}{
		{"gost2015/root_test_gost_2022.cer", "НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST 2022", "НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST 2022", AlgorithmGOST2015_512,
			"CN=НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST 2022, C=KZ"},
		{"gost2015/nca_gost2022_test.cer", "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST 2022", "НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST 2022", AlgorithmGOST2015_512,
			"CN=ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST 2022, C=KZ"},
		{"rsa2018/nca_rsa_test.crt", "ҰКО 3.0 (RSA TEST)", "НЕГІЗГІ КО TEST (RSA)", "RSA-4096", "C=KZ, CN=ҰКО 3.0 (RSA TEST)"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			id := IdentityOf(readCert(t, filepath.Join(nca, tt.file)), now)
			if id.CommonName != tt.cn || id.Issuer != tt.issuer || id.Algorithm != tt.algorithm || id.SubjectDN != tt.subject {
				t.Errorf("got CN %q issuer %q algorithm %q subject %q", id.CommonName, id.Issuer, id.Algorithm, id.SubjectDN)
			}
			if !id.CA || id.Purpose != PurposeNone || len(id.Roles) != 0 || id.IIN != "" || id.BIN != "" {
				t.Errorf("CA identity: ca=%v purpose=%q roles=%v iin=%q bin=%q", id.CA, id.Purpose, id.Roles, id.IIN, id.BIN)
			}
			if id.Country != "KZ" || len(id.Fingerprint) != 64 || id.SerialNumber == "" {
				t.Errorf("country %q fingerprint %q serial %q", id.Country, id.Fingerprint, id.SerialNumber)
			}
			if !strings.Contains(id.Summary(), "certification authority") {
				t.Errorf("summary %q", id.Summary())
			}
		})
	}
}

func TestIdentityOfNil(t *testing.T) {
	if id := IdentityOf(nil, now); !reflect.DeepEqual(id, Identity{}) {
		t.Errorf("IdentityOf(nil) = %+v", id)
	}
}

func TestIdentityJSONNames(t *testing.T) {
	b, err := json.Marshal(Identity{Roles: []Role{RoleLegal, RoleHead}, Purpose: PurposeSign})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"algorithm", "subject", "commonName", "surname", "givenName", "iin", "bin",
		"organization", "roles", "purpose", "notBefore", "notAfter", "daysLeft", "serialNumber", "issuer", "fingerprint"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
	if got := m["roles"]; !reflect.DeepEqual(got, []any{"legal", "head"}) {
		t.Errorf("roles JSON %v", got)
	}
}

func TestNumberWithPrefix(t *testing.T) {
	tests := []struct {
		values []string
		prefix string
		want   string
	}{
		{[]string{"IIN123456789011"}, "IIN", "123456789011"},
		{[]string{"iin123456789011"}, "IIN", "123456789011"},
		{[]string{"IIN12345678901"}, "IIN", ""},
		{[]string{"IIN1234567890111"}, "IIN", ""},
		{[]string{"IIN12345678901A"}, "IIN", ""},
		{[]string{"BIN123456789021"}, "IIN", ""},
		{[]string{"Отдел", "BIN123456789021"}, "BIN", "123456789021"},
		{[]string{"ІІН123456789011"}, "IIN", ""},
		{nil, "BIN", ""},
		{[]string{""}, "BIN", ""},
	}
	for _, tt := range tests {
		if got := numberWithPrefix(tt.values, tt.prefix); got != tt.want {
			t.Errorf("numberWithPrefix(%q, %q) = %q, want %q", tt.values, tt.prefix, got, tt.want)
		}
	}
}

func TestDaysBetween(t *testing.T) {
	base := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		until time.Duration
		want  int
	}{
		{0, 0},
		{23 * time.Hour, 0},
		{24 * time.Hour, 1},
		{30*24*time.Hour + time.Minute, 30},
		{-time.Hour, -1},
		{-25 * time.Hour, -2},
	}
	for _, tt := range tests {
		if got := daysBetween(base, base.Add(tt.until)); got != tt.want {
			t.Errorf("daysBetween(+%v) = %d, want %d", tt.until, got, tt.want)
		}
	}
}

func TestEscapeDNValue(t *testing.T) {
	tests := map[string]string{
		`АО "ТЕСТ"`: `АО \"ТЕСТ\"`,
		"a,b+c;d":   `a\,b\+c\;d`,
		" lead":     `\ lead`,
		"trail ":    `trail\ `,
		"#hash":     `\#hash`,
		"x\x00y":    `x\00y`,
		"ТЕСТОВ":    "ТЕСТОВ",
	}
	for in, want := range tests {
		if got := escapeDNValue(in); got != want {
			t.Errorf("escapeDNValue(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRoleForOID(t *testing.T) {
	for _, e := range roleOIDs {
		if r, ok := RoleForOID(e.oid); !ok || r != e.role {
			t.Errorf("RoleForOID(%s) = %q, %v", e.oid, r, ok)
		}
		if !RoleOID(e.role).Equal(e.oid) {
			t.Errorf("RoleOID(%q) = %s", e.role, RoleOID(e.role))
		}
	}
	sub := append(RoleOID(RoleInfoSystem), 71)
	if r, ok := RoleForOID(sub); !ok || r != RoleInfoSystem {
		t.Errorf("RoleForOID(%s) = %q, %v", sub, r, ok)
	}
	if _, ok := RoleForOID(append(RoleOID(RoleEmployee), 1)); ok {
		t.Error("sub-arc of employee taken as a role")
	}
	if RoleOID("boss") != nil {
		t.Error("RoleOID of an unknown role")
	}
}

func TestSummary(t *testing.T) {
	until := time.Date(2027, 5, 8, 7, 10, 15, 0, time.UTC)
	tests := []struct {
		id   Identity
		want string
	}{
		{Identity{CommonName: "ТЕСТОВ ТЕСТ", IIN: "123456789011", BIN: "123456789021", Organization: `АО "ТЕСТ"`,
			Roles: []Role{RoleLegal, RoleHead}, Purpose: PurposeSign, Algorithm: AlgorithmGOST2015_512, NotAfter: until, DaysLeft: 10},
			`ТЕСТОВ ТЕСТ, IIN 123456789011, head of АО "ТЕСТ" (BIN 123456789021), GOST34.10-2015-512, valid until 2027-05-08`},
		{Identity{CommonName: "ТЕСТОВ ТЕСТ", IIN: "123456789011", Roles: []Role{RoleIndividual}, Purpose: PurposeAuth,
			Algorithm: "RSA-2048", NotAfter: until, DaysLeft: -3},
			`ТЕСТОВ ТЕСТ, IIN 123456789011, individual, authentication key, RSA-2048, expired 2027-05-08`},
		{Identity{CommonName: "X", BIN: "123456789021", Roles: []Role{RoleLegal}, Algorithm: "ECDSA-P-256", NotAfter: until},
			`X, representative of (BIN 123456789021), ECDSA-P-256, valid until 2027-05-08`},
		{Identity{SubjectDN: "O=Y", Algorithm: "RSA-2048", NotAfter: until},
			`O=Y, RSA-2048, valid until 2027-05-08`},
	}
	for _, tt := range tests {
		if got := tt.id.Summary(); got != tt.want {
			t.Errorf("Summary() =\n %s\nwant\n %s", got, tt.want)
		}
		if tt.id.String() != tt.id.Summary() {
			t.Error("String differs from Summary")
		}
	}
}

func TestRenewSoon(t *testing.T) {
	for _, c := range []struct {
		days int
		want bool
	}{{-1, false}, {0, true}, {RenewBeforeDays, true}, {RenewBeforeDays + 1, false}, {365, false}} {
		if got := RenewSoon(c.days); got != c.want {
			t.Errorf("RenewSoon(%d) = %v, want %v", c.days, got, c.want)
		}
	}
}
