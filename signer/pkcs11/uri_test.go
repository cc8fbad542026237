package pkcs11

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

func TestParseURI(t *testing.T) {
	tests := []struct {
		in   string
		want URI
	}{
		// RFC 7512 section 3 examples.
		{"pkcs11:", URI{SlotID: -1}},
		{"pkcs11:object=my-pubkey;type=public", URI{Object: "my-pubkey", Type: "public", SlotID: -1}},
		{"pkcs11:object=my-key;type=private?pin-source=file:/etc/token", URI{Object: "my-key", Type: "private", PINSource: "file:/etc/token", SlotID: -1}},
		{"pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial=",
			URI{Token: "The Software PKCS#11 Softtoken", Manufacturer: "Snake Oil, Inc.", Model: "1.0", Object: "my-certificate", Type: "cert",
				ID: []byte{0x69, 0x95, 0x3e, 0x5c, 0xf4, 0xbd, 0xec, 0x91}, SlotID: -1}},
		{"pkcs11:token=Software%20PKCS%2311%20softtoken;manufacturer=Snake%20Oil,%20Inc.?pin-value=the-pin",
			URI{Token: "Software PKCS#11 softtoken", Manufacturer: "Snake Oil, Inc.", PINValue: "the-pin", SlotID: -1}},
		{"pkcs11:slot-description=Sun%20Metaslot", URI{SlotDescription: "Sun Metaslot", SlotID: -1}},
		{"pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;library-description=Soft%20Token%20Library;library-version=1.23",
			URI{LibraryManufacturer: "Snake Oil, Inc.", LibraryDescription: "Soft Token Library", LibraryVersion: "1.23", SlotID: -1}},
		{"pkcs11:token=A%20name%20with%20a%20substring%20%25%3B;object=my-certificate;type=cert",
			URI{Token: "A name with a substring %;", Object: "my-certificate", Type: "cert", SlotID: -1}},
		{"pkcs11:token=Name%20with%20a%20small%20A%20with%20acute:%20%C3%A1;object=my-certificate;type=cert",
			URI{Token: "Name with a small A with acute: á", Object: "my-certificate", Type: "cert", SlotID: -1}},
		{"pkcs11:token=my-token;object=my-certificate;type=cert;vendor-aaa=value-a?pin-source=file:/etc/token&vendor-bbb=value-b", URI{}}, // unknown non-x- attribute: refused
		{"pkcs11:slot-id=3;x-vendor=1?module-path=/usr/lib/softhsm/libsofthsm2.so&module-name=softhsm2",
			URI{SlotID: 3, ModulePath: "/usr/lib/softhsm/libsofthsm2.so", ModuleName: "softhsm2"}},
		{"PKCS11:token=%D2%9A%D0%9E%D0%9B;id=", URI{Token: "ҚОЛ", ID: []byte{}, SlotID: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseURI(tt.in)
			if tt.want.SlotID == 0 && tt.want.Token == "" {
				if !errors.Is(err, ErrBadURI) {
					t.Fatalf("want ErrBadURI, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.ID, tt.want.ID) || (got.ID == nil) != (tt.want.ID == nil) {
				t.Errorf("ID = %x, want %x", got.ID, tt.want.ID)
			}
			got.ID, tt.want.ID = nil, nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestParseURIErrors(t *testing.T) {
	for _, in := range []string{
		"", "/path/key.p12", "pkcs11", "pkcs11:token", "pkcs11:token=a;token=b", "pkcs11:id=%G1", "pkcs11:id=%1",
		"pkcs11:type=secret", "pkcs11:slot-id=-1", "pkcs11:foo=bar", "pkcs11:=x", "pkcs11:?module-path=a&module-path=b",
	} {
		if _, err := ParseURI(in); !errors.Is(err, ErrBadURI) {
			t.Errorf("ParseURI(%q) = %v, want ErrBadURI", in, err)
		}
	}
}

func TestURIRoundTrip(t *testing.T) {
	u := &URI{Token: "ҚОЛТАҢБА; token=1", Manufacturer: "Kaztoken", Serial: "00A1", Model: "KZ-1", Object: "head/sign key",
		ID: []byte{0, 1, 0xff, ';'}, Type: "private", SlotID: -1, ModulePath: `C:\Windows\System32\kztoken_p11.dll`, PINSource: "file:/run/pin"}
	s := u.String()
	got, err := ParseURI(s)
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	if got.String() != s || got.Token != u.Token || !bytes.Equal(got.ID, u.ID) || got.ModulePath != u.ModulePath {
		t.Fatalf("round trip: %s → %+v", s, got)
	}
	if (&URI{SlotID: -1, PINValue: "secret"}).String() != "pkcs11:" {
		t.Error("String wrote pin-value")
	}
}

func FuzzParseURI(f *testing.F) {
	for _, s := range []string{"pkcs11:token=a;id=%01%02;object=b;type=private?module-path=/x.so&pin-source=file:/p",
		"pkcs11:slot-id=1", "pkcs11:id=%zz", "pkcs11:token=%D2%9A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURI(s)
		if err != nil {
			return
		}
		// What parses formats into a URI that parses to the same thing.
		again, err := ParseURI(u.String())
		if err != nil {
			t.Fatalf("%q → %q: %v", s, u.String(), err)
		}
		if again.String() != u.String() {
			t.Fatalf("%q: %q then %q", s, u.String(), again.String())
		}
	})
}

func TestPairsByPublicKeyAndOrphans(t *testing.T) {
	o := &objects{
		privs: []object{{handle: 1, id: []byte{9}, label: "k"}},
		pubs:  []object{{handle: 2, id: []byte{9}, label: "k"}, {handle: 3, label: "lonely"}},
	}
	ps := o.pairs()
	if len(ps) != 2 || ps[0].priv == nil || ps[0].cert != nil || ps[1].pub == nil || ps[1].pub.handle != 3 {
		t.Fatalf("pairs: %+v", ps)
	}
}

func TestECDSARawToDER(t *testing.T) {
	for _, raw := range [][]byte{nil, {1, 2, 3}} {
		if _, err := ecdsaRawToDER(raw); err == nil {
			t.Errorf("raw %x accepted", raw)
		}
	}
	der, err := ecdsaRawToDER([]byte{0, 0x80, 0, 1})
	if err != nil || !bytes.Equal(der, []byte{0x30, 0x07, 0x02, 0x02, 0x00, 0x80, 0x02, 0x01, 0x01}) {
		t.Fatalf("der %x %v", der, err)
	}
}

func TestURISelects(t *testing.T) {
	key := TokenKey{Token: Token{Label: "KZ TOKEN", Serial: "42", Module: &Module{Path: "/lib/p11.so"}}}
	key.URI = "pkcs11:token=KZ%20TOKEN;serial=42;id=%01%02"
	key.Label = "head"
	tests := []struct {
		uri  string
		want bool
	}{
		{"pkcs11:token=KZ%20TOKEN", true},
		{"pkcs11:token=KZ%20TOKEN;object=head", true}, // the label, though the key's own URI names it by id
		{"pkcs11:id=%01%02", true},
		{"pkcs11:token=KZ%20TOKEN;object=other", false},
		{"pkcs11:id=%01", false},
		{"pkcs11:serial=43", false},
		{"pkcs11:token=KZ%20TOKEN?module-path=/lib/p11.so", true},
		{"pkcs11:token=KZ%20TOKEN?module-path=/lib/other.so", false},
	}
	for _, tt := range tests {
		u, err := ParseURI(tt.uri)
		if err != nil {
			t.Fatalf("%s: %v", tt.uri, err)
		}
		if got := u.Selects(key); got != tt.want {
			t.Errorf("%s selects %s (label head): %v, want %v", tt.uri, key.URI, got, tt.want)
		}
	}
}
