package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/store"
)

// unsignedPackage is a small valid package (no signatures: no PKI needed).
func unsignedPackage(tb testing.TB) []byte {
	tb.Helper()
	ctx := context.Background()
	st, _ := store.OpenMemory(store.Options{})
	d, err := st.AddDocument(ctx, store.NewDocument{Name: "note.txt", Content: []byte("хат")})
	if err != nil {
		tb.Fatal(err)
	}
	pkg, err := Build(ctx, st, d.ID, &pki.Verifier{Offline: true}, time.Unix(1767225600, 0))
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if err := pkg.WriteZip(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// zipOf builds a zip with the given names and contents, unchecked.
func zipOf(tb testing.TB, entries ...string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(entries); i += 2 {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: entries[i], Method: zip.Deflate})
		if err != nil {
			tb.Fatal(err)
		}
		w.Write([]byte(entries[i+1]))
	}
	zw.Close()
	return buf.Bytes()
}

func TestReadRefusesUnsafe(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"zip slip", zipOf(t, "../../etc/passwd", "x"), ErrUnsafe},
		{"absolute", zipOf(t, "/etc/passwd", "x"), ErrUnsafe},
		{"backslash", zipOf(t, `..\evil`, "x"), ErrUnsafe},
		{"dot segment", zipOf(t, "a/./b", "x"), ErrUnsafe},
		{"duplicate", zipOf(t, "a", "1", "a", "2"), ErrUnsafe},
		{"folder", zipOf(t, "dir/", ""), ErrUnsafe},
		{"too big", zipOf(t, "big", string(make([]byte, 2048))), ErrUnsafe},
		{"not a zip", []byte("PK\x03\x04 garbage"), ErrNotPackage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(tt.data), int64(len(tt.data)), Limits{MaxFileSize: 1024})
			if !errors.Is(err, tt.want) {
				t.Errorf("err %v, want %v", err, tt.want)
			}
		})
	}
	many := make([]string, 0, 40)
	for i := 0; i < 20; i++ {
		many = append(many, string(rune('a'+i)), "x")
	}
	data := zipOf(t, many...)
	if _, err := Read(bytes.NewReader(data), int64(len(data)), Limits{MaxFiles: 10}); !errors.Is(err, ErrUnsafe) {
		t.Errorf("count limit: %v", err)
	}
	if _, err := Read(bytes.NewReader(data), int64(len(data)), Limits{MaxTotal: 10}); !errors.Is(err, ErrUnsafe) {
		t.Errorf("total limit: %v", err)
	}
}

func TestUnsignedPackageChecks(t *testing.T) {
	data := unsignedPackage(t)
	files, err := Read(bytes.NewReader(data), int64(len(data)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Check(context.Background(), files, CheckOptions{})
	if err != nil || r.ExitCode() != 0 {
		t.Fatalf("%v %+v", err, r)
	}
}

// FuzzRead feeds arbitrary bytes to the package reader and the checker:
// neither may panic, and a refusal must be one of the package errors.
func FuzzRead(f *testing.F) {
	f.Add(unsignedPackage(f))
	f.Add(zipOf(f, "../x", "y"))
	f.Add(zipOf(f, "manifest.json", `{"format":"qoltanba-evidence/1","files":[{"path":"document.json","size":2,"sha256":"00"}]}`, "document.json", "{}"))
	f.Add(zipOf(f, "manifest.json", `{"format":"qoltanba-evidence/1","files":[]}`, "journal/journal.json", `{"entries":[{"stored":"5a"}]}`))
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		files, err := Read(bytes.NewReader(data), int64(len(data)), Limits{MaxFiles: 64, MaxFileSize: 1 << 20, MaxTotal: 4 << 20})
		if err != nil {
			if !errors.Is(err, ErrUnsafe) && !errors.Is(err, ErrNotPackage) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		r, err := Check(context.Background(), files, CheckOptions{})
		if err != nil {
			return
		}
		var b bytes.Buffer
		_ = r.Text(&b)
		_ = r.ExitCode()
	})
}
