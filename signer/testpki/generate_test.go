package testpki

import (
	"errors"
	"testing"
	"time"
)

var memNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// inMemory returns the PKI generated once for the whole test binary (RSA
// key generation is the slow part), the one onDisk also wrote to files.
func inMemory(t testing.TB) *PKI { return onDisk(t) }

func TestOptionsDefaults(t *testing.T) {
	o, err := Options{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if o.BaseURL != DefaultBaseURL || o.Password != DefaultPassword || o.Rand == nil || o.Now.IsZero() {
		t.Errorf("defaults %+v", o)
	}
	o, err = Options{BaseURL: "https://pki.example/base/", Now: memNow.Add(123 * time.Millisecond)}.withDefaults()
	if err != nil || o.BaseURL != "https://pki.example/base" || !o.Now.Equal(memNow) {
		t.Errorf("got %q %v %v", o.BaseURL, o.Now, err)
	}
	for _, bad := range []string{"ftp://x", "127.0.0.1:8800", "file:///tmp"} {
		if _, err := Generate(Options{BaseURL: bad}); !errors.Is(err, ErrOptions) {
			t.Errorf("BaseURL %q: %v", bad, err)
		}
	}
}
