package evidence

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/internal/heaptest"
)

// manyEntries is a zip of n empty stored files.
func manyEntries(t testing.TB, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := range n {
		if _, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("%x", i), Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestHostileZipMemory: a package whose central directory lists hundreds of
// thousands of entries is refused from the count it declares, before
// archive/zip builds a record for each; the bound is 4× its size + 64 MB.
func TestHostileZipMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a large zip")
	}
	for _, n := range []int{20_000, 400_000} { // the second is over 64K entries: zip64
		zipped := manyEntries(t, n)
		var err error
		start := time.Now()
		peak := heaptest.Peak(func() { _, err = Read(bytes.NewReader(zipped), int64(len(zipped)), Limits{}) })
		t.Logf("%d entries, %d MB: peak heap %d MB, %v: %v", n, len(zipped)>>20, peak>>20, time.Since(start).Round(time.Millisecond), err)
		if !errors.Is(err, ErrUnsafe) {
			t.Errorf("%d entries: err = %v, want ErrUnsafe", n, err)
		}
		if bound := uint64(4*len(zipped) + 64<<20); peak > bound {
			t.Errorf("%d entries: peak heap %d MB over %d MB", n, peak>>20, bound>>20)
		}
		if got, ok := declaredEntries(bytes.NewReader(zipped), int64(len(zipped))); !ok || got != uint64(n) {
			t.Errorf("declared %d (%v), want %d", got, ok, n)
		}
	}
}
