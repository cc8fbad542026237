package store

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Backup format: a tar archive (uncompressed: contents are mostly PDFs and
// JPEGs, already compressed) holding
//
//	qoltanba.db            a consistent bbolt snapshot (tx.WriteTo)
//	blobs/ab/ab12…ef       every content file that snapshot references
//
// i.e. a data folder. It is written from one read transaction, so the GUI
// backs up while it keeps working (writers are not blocked; bbolt readers
// see the snapshot). Content files are immutable and never removed while
// the database is open, so copying them within the same transaction is
// consistent with the snapshot.
func (c *core) Backup(ctx context.Context, w io.Writer) error {
	tw := tar.NewWriter(w)
	err := c.view(ctx, func(tx kvTx) error {
		now := c.now()
		// tx.WriteTo needs the size up front for the tar header: spool to
		// a temporary file (the snapshot is metadata, small next to blobs).
		tmp, err := os.CreateTemp("", "qoltanba-backup-")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		if err := tx.snapshot(tmp); err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
		size, err := tmp.Seek(0, io.SeekCurrent)
		if err != nil {
			return err
		}
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: dbFileName, Mode: 0o600, Size: size, ModTime: now, Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		if _, err := io.Copy(tw, tmp); err != nil {
			return err
		}
		files := tx.bucket(bucketFiles).cursor()
		for k, _ := files.first(); k != nil; k, _ = files.next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			var sum Digest32
			copy(sum[:], k)
			data, err := c.readBlob(tx, storageFile, sum)
			if err != nil {
				return err
			}
			h := sum.String()
			hdr := &tar.Header{Name: blobDirName + "/" + h[:2] + "/" + h, Mode: 0o600, Size: int64(len(data)), ModTime: now, Typeflag: tar.TypeReg}
			if err := tw.WriteHeader(hdr); err != nil {
				return err
			}
			if _, err := tw.Write(data); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = tw.Close()
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// maxBackupEntry bounds one archive member when restoring.
const maxBackupEntry = 1 << 34

// Restore replaces the store in dir with the backup read from r. The
// backup is unpacked beside it and must open and pass VerifyJournal before
// anything is replaced; the replaced database and content folder are kept
// as qoltanba.db.bak and blobs.bak. The store in dir must not be open.
func Restore(ctx context.Context, dir string, r io.Reader, opts Options) (JournalReport, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return JournalReport{}, fmt.Errorf("restore: %w", err)
	}
	stage, err := os.MkdirTemp(dir, "restore-")
	if err != nil {
		return JournalReport{}, fmt.Errorf("restore: %w", err)
	}
	defer os.RemoveAll(stage)
	if err := unpack(ctx, stage, r); err != nil {
		return JournalReport{}, fmt.Errorf("restore: read backup: %w", err)
	}
	if _, err := os.Stat(filepath.Join(stage, dbFileName)); err != nil {
		return JournalReport{}, fmt.Errorf("restore: the backup holds no %s: is it a qoltanba backup?", dbFileName)
	}
	// Open (migrating an older backup) and verify before touching dir.
	restored, err := Open(stage, opts)
	if err != nil {
		return JournalReport{}, fmt.Errorf("restore: the backup does not open: %w", err)
	}
	report, err := restored.VerifyJournal(ctx)
	if cerr := restored.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return JournalReport{}, fmt.Errorf("restore: %w", err)
	}
	if !report.OK {
		return report, fmt.Errorf("restore: the backup fails verification, nothing was replaced: %w", report.Err())
	}
	// Take the lock on the current database, so a running Qoltanba makes
	// the restore fail rather than lose its file under it.
	if cur, err := Open(dir, Options{Timeout: opts.Timeout, ReadOnly: true}); err == nil {
		cur.Close()
	} else if errors.Is(err, ErrLocked) {
		return report, fmt.Errorf("restore: %w", err)
	}
	for _, name := range []string{dbFileName, blobDirName} {
		cur, bak := filepath.Join(dir, name), filepath.Join(dir, name+".bak")
		if _, err := os.Stat(cur); err != nil {
			continue
		}
		if err := os.RemoveAll(bak); err != nil {
			return report, fmt.Errorf("restore: %w", err)
		}
		if err := os.Rename(cur, bak); err != nil {
			return report, fmt.Errorf("restore: keep the old %s: %w", name, err)
		}
	}
	for _, name := range []string{dbFileName, blobDirName} {
		src := filepath.Join(stage, name)
		if _, err := os.Stat(src); err != nil {
			continue
		}
		if err := os.Rename(src, filepath.Join(dir, name)); err != nil {
			return report, fmt.Errorf("restore: move %s into place (the old one is %s.bak): %w", name, name, err)
		}
	}
	if err := syncDir(dir); err != nil {
		return report, fmt.Errorf("restore: %w", err)
	}
	return report, nil
}

// unpack extracts a backup archive into dir, accepting only the names a
// backup contains (no absolute paths, no "..", no links).
func unpack(ctx context.Context, dir string, r io.Reader) error {
	tr := tar.NewReader(r)
	seenDB := false
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if hdr.Typeflag != tar.TypeReg {
			return fmt.Errorf("unexpected entry %q (type %c)", hdr.Name, hdr.Typeflag)
		}
		if hdr.Size < 0 || hdr.Size > maxBackupEntry {
			return fmt.Errorf("entry %q: size %d out of range", hdr.Name, hdr.Size)
		}
		var rel string
		switch {
		case hdr.Name == dbFileName && !seenDB:
			seenDB, rel = true, dbFileName
		case isBlobName(hdr.Name):
			rel = filepath.FromSlash(hdr.Name)
		default:
			return fmt.Errorf("unexpected entry %q", hdr.Name)
		}
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		_, err = io.Copy(f, io.LimitReader(tr, hdr.Size))
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// isBlobName: "blobs/ab/ab…" with 64 lower-case hex digits.
func isBlobName(name string) bool {
	parts := strings.Split(name, "/")
	if len(parts) != 3 || parts[0] != blobDirName || len(parts[2]) != 64 || parts[1] != parts[2][:2] {
		return false
	}
	for _, c := range parts[2] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// backupName is a default file name for a backup made now.
func backupName(now time.Time) string {
	return "qoltanba-backup-" + now.UTC().Format("20060102-150405") + ".tar"
}

// DefaultBackupName is the file name the GUI suggests for a backup.
func DefaultBackupName() string { return backupName(time.Now()) }
