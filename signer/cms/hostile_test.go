package cms

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/internal/heaptest"
)

// signedDataWith is a ContentInfo holding SignedData whose certificates
// [0] holds certs and whose signerInfos SET holds signers.
func signedDataWith(certs, signers []byte) []byte {
	oidSigned := []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}
	oidData := []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01}
	parts := [][]byte{tlv(0x02, []byte{1}), tlv(0x31), tlv(0x30, oidData)}
	if certs != nil {
		parts = append(parts, tlv(0xa0, certs))
	}
	parts = append(parts, tlv(0x31, signers))
	return tlv(0x30, oidSigned, tlv(0xa0, tlv(0x30, parts...)))
}

// TestHostileCMSMemory: millions of tiny elements anywhere in a CMS at the
// size limit are refused within 4× its size + 64 MB; before the element
// limit of the BER reader, 30 MB of empty certificates took 2.8 GB.
func TestHostileCMSMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 64 MB inputs")
	}
	const size = MaxSize - 1024
	empty := func(n int) []byte { return bytes.Repeat([]byte{0x30, 0x00}, n) }
	// An indefinite-length constructed OCTET STRING of empty segments.
	segments := append([]byte{0x24, 0x80}, append(bytes.Repeat([]byte{0x04, 0x00}, size/2-8), 0x00, 0x00)...)
	tests := []struct {
		name string
		in   []byte
	}{
		{"certificates: empty elements", signedDataWith(empty(size/2-64), nil)},
		{"signer infos: empty elements", signedDataWith(nil, empty(size/2-64))},
		{"content: empty BER segments", signedDataWith(nil, segments)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bound := uint64(4*len(tt.in) + 64<<20)
			var err error
			start := time.Now()
			peak := heaptest.Peak(func() { _, err = Verify(tt.in, nil) })
			t.Logf("%d MB: peak heap %d MB, %v: %v", len(tt.in)>>20, peak>>20, time.Since(start).Round(time.Millisecond), err)
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("err = %v, want ErrMalformed", err)
			}
			if peak > bound {
				t.Errorf("peak heap %d MB over the bound %d MB", peak>>20, bound>>20)
			}
		})
	}
}
