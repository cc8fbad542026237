package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestOpenLockedAndPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s, err := Open(dir, Options{InlineLimit: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.AddDocument(context.Background(), NewDocument{Name: "a.pdf", Content: pdfBytes}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = Open(dir, Options{Timeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "is another qoltanba running?") {
		t.Fatalf("second open: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("waited %v", d)
	}
	if runtime.GOOS == "windows" {
		return
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, dbFileName): 0o600, filepath.Join(dir, blobDirName): 0o700} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, st.Mode().Perm(), want)
		}
	}
	filepath.WalkDir(filepath.Join(dir, blobDirName), func(p string, d os.DirEntry, _ error) error {
		if st, _ := os.Stat(p); st != nil && st.Mode().Perm() != 0o700 && st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v", p, st.Mode().Perm())
		}
		return nil
	})
}

func TestSchemaTooNew(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir, Options{})
	s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchema, []byte{0, 0, 0, 9}) })
	s.Close()
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("err = %v", err)
	}
}

// TestMigrationV1toCurrent makes a schema-1 database (the current schema
// minus idx.kind and the exchange buckets, which is exactly what version 1
// was), reopens it and checks that the migrations ran after a backup,
// built the index, added the buckets and kept everything else.
func TestMigrationV1toCurrent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []ID
	for i, k := range []Kind{KindInvoice, KindAct, KindInvoice, KindLetter} {
		d, err := s.AddDocument(ctx, NewDocument{Name: "d.txt", Kind: k, Content: []byte{'a' + byte(i)}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketIdxKind, bucketXAccounts, bucketXLinks, bucketXRemote, bucketXOutbox, bucketXOutKeys, bucketXReceipts, bucketXCursors} {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, binary.BigEndian.AppendUint32(nil, 1))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.kv.view(func(tx kvTx) error {
		if v, _ := readSchema(tx); v != schemaVersion {
			t.Errorf("schema %d after migration", v)
		}
		for _, b := range schemaBuckets[schemaVersion] {
			if tx.bucket(b) == nil {
				t.Errorf("no bucket %s after migration", b)
			}
		}
		return nil
	})
	p, err := s.List(ctx, Query{Kind: KindInvoice})
	if err != nil || len(p.Documents) != 2 || p.Documents[0].ID != ids[2] || p.Documents[1].ID != ids[0] {
		t.Fatalf("kind query after migration: %+v %v", p, err)
	}
	mustVerify(t, s)
	baks, _ := filepath.Glob(filepath.Join(dir, dbFileName+".v1-*.bak"))
	if len(baks) != 1 {
		t.Fatalf("backups: %v", baks)
	}
	// The backup is the schema-1 database as it was.
	old, err := bolt.Open(baks[0], 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	old.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketIdxKind) != nil || binary.BigEndian.Uint32(tx.Bucket(bucketMeta).Get(keySchema)) != 1 {
			t.Error("backup is not the schema-1 database")
		}
		return nil
	})
	if st, _ := os.Stat(baks[0]); runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v", st.Mode().Perm())
	}
}

// TestMigrationFailureRollsBack: a migration that fails leaves schema 1 and
// no half-built index.
func TestMigrationFailureRollsBack(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir, Options{})
	s.AddDocument(context.Background(), NewDocument{Name: "d.txt", Content: []byte("x")})
	s.db.Update(func(tx *bolt.Tx) error {
		tx.DeleteBucket(bucketIdxKind)
		tx.Bucket(bucketIdxText).Put([]byte("short"), []byte{1}) // malformed: migration must fail
		return tx.Bucket(bucketMeta).Put(keySchema, binary.BigEndian.AppendUint32(nil, 1))
	})
	s.Close()
	if _, err := Open(dir, Options{}); err == nil || !strings.Contains(err.Error(), "migrate schema 1→2") {
		t.Fatalf("err = %v", err)
	}
	db, _ := bolt.Open(filepath.Join(dir, dbFileName), 0o600, nil)
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketIdxKind) != nil || binary.BigEndian.Uint32(tx.Bucket(bucketMeta).Get(keySchema)) != 1 {
			t.Error("failed migration left changes")
		}
		return nil
	})
}

func TestOrphansCollected(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir, Options{InlineLimit: 16})
	d, _ := s.AddDocument(context.Background(), NewDocument{Name: "a.pdf", Content: pdfBytes})
	s.Close()
	orphan := (&fileBlobs{dir: filepath.Join(dir, blobDirName)}).path(Digest32{1, 2, 3})
	os.MkdirAll(filepath.Dir(orphan), 0o700)
	os.WriteFile(orphan, []byte("crashed before commit"), 0o600)
	tmp := filepath.Join(dir, blobDirName, "tmp-123")
	os.WriteFile(tmp, []byte("half"), 0o600)
	s, err := Open(dir, Options{InlineLimit: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, p := range []string{orphan, tmp} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s not collected", p)
		}
	}
	if c, err := s.Content(context.Background(), d.ID, 1); err != nil || !bytes.Equal(c, pdfBytes) {
		t.Errorf("referenced content lost: %v", err)
	}
}

func TestRestoreRefusesBadBackups(t *testing.T) {
	ctx := context.Background()
	src := openBolt(t, Options{}).(*Bolt)
	src.AddDocument(ctx, NewDocument{Name: "a.txt", Content: textBytes})
	var good bytes.Buffer
	if err := src.Backup(ctx, &good); err != nil {
		t.Fatal(err)
	}
	// Tamper with the journal inside a copy, then back that up.
	tampered := t.TempDir()
	if _, err := Restore(ctx, tampered, bytes.NewReader(good.Bytes()), Options{}); err != nil {
		t.Fatal(err)
	}
	editJournal(t, tampered, 1, func(v []byte) { v[len(entryMagic)+20] ^= 1 })
	ts, _ := Open(tampered, Options{})
	var bad bytes.Buffer
	ts.Backup(ctx, &bad)
	ts.Close()

	dir := t.TempDir()
	cur, _ := Open(dir, Options{})
	cur.AddDocument(ctx, NewDocument{Name: "keep.txt", Content: []byte("keep me")})
	cur.Close()
	for name, data := range map[string][]byte{"not a tar": []byte("hello"), "tampered": bad.Bytes(), "empty tar": {}} {
		if _, err := Restore(ctx, dir, bytes.NewReader(data), Options{}); err == nil {
			t.Errorf("%s: restored", name)
		}
	}
	// The current database is untouched.
	s, _ := Open(dir, Options{})
	p, _ := s.List(ctx, Query{})
	if len(p.Documents) != 1 || p.Documents[0].Name != "keep.txt" {
		t.Errorf("current database changed: %+v", p)
	}
	// Restoring while it is open is refused.
	if _, err := Restore(ctx, dir, bytes.NewReader(good.Bytes()), Options{Timeout: 50 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Errorf("restore over an open store: %v", err)
	}
	s.Close()
	if _, err := Restore(ctx, dir, bytes.NewReader(good.Bytes()), Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, dbFileName+".bak")); err != nil {
		t.Errorf("old database not kept: %v", err)
	}
}

// editJournal changes entry seq's stored bytes behind the store's back.
func editJournal(t *testing.T, dir string, seq uint64, edit func(v []byte)) {
	t.Helper()
	rawEdit(t, dir, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJournal)
		v := bytes.Clone(b.Get(seqKey(seq)))
		edit(v)
		return b.Put(seqKey(seq), v)
	})
}

func rawEdit(t *testing.T, dir string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, dbFileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}
