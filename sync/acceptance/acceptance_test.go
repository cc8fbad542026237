package acceptance

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func sample() Statement {
	return Statement{Portal: "https://portal.example", Agreement: "01aaaaaaaaaaaaaaaaaaaaaaaa", Title: "Ережелер", Version: 2,
		Language: "kk", TextSHA256: strings.Repeat("ab", 32), Name: "АБАЕВ АЙДОС", IIN: "900101300017", Role: "individual",
		CertificateSerial: "5df2", SigningTime: time.Date(2026, 12, 6, 18, 0, 0, 0, time.UTC), Offline: true}
}

func TestRoundTrip(t *testing.T) {
	raw, err := sample().XML()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got != sample() {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, sample())
	}
	if !strings.Contains(string(raw), `xmlns="`+Namespace+`"`) {
		t.Errorf("no namespace: %s", raw)
	}
}

func TestParseRefuses(t *testing.T) {
	good, _ := sample().XML()
	cases := map[string]string{
		"not XML":            "hello",
		"another root":       strings.Replace(string(good), "<acceptance ", "<agreement ", 1),
		"another ns":         strings.Replace(string(good), Namespace, "urn:other", 1),
		"a DTD":              `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>` + string(good[strings.Index(string(good), "<acceptance"):]),
		"no version":         strings.Replace(string(good), "<version>2</version>", "", 1),
		"a short digest":     strings.Replace(string(good), strings.Repeat("ab", 32), "abab", 1),
		"a bad time":         strings.Replace(string(good), "2026-12-06T18:00:00Z", "yesterday", 1),
		"a negative version": strings.Replace(string(good), "<version>2</version>", "<version>-1</version>", 1),
	}
	for name, doc := range cases {
		if _, err := Parse([]byte(doc)); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzParse: whatever the bytes, Parse returns a statement or ErrFormat.
func FuzzParse(f *testing.F) {
	good, _ := sample().XML()
	f.Add(good)
	f.Add([]byte("<acceptance/>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := Parse(data); err != nil && !errors.Is(err, ErrFormat) {
			t.Fatalf("an error that is not ErrFormat: %v", err)
		}
	})
}
