package evidence

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"github.com/qoltanba/qoltanba/internal/atomicfile"
	"io"

	"github.com/qoltanba/qoltanba/sync/store"
)

// WriteZip writes the package: manifest.json first, then the files in
// the order they were added, all stamped with the manifest's time.
func (p *Package) WriteZip(w io.Writer) error {
	zw := zip.NewWriter(w)
	manifest, err := json.MarshalIndent(p.Manifest, "", "  ")
	if err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	put := func(path string, data []byte) error {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: path, Method: zip.Deflate, Modified: p.Manifest.Created})
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		if _, err := fw.Write(data); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		return nil
	}
	if err := put(pathManifest, append(manifest, '\n')); err != nil {
		return err
	}
	for _, path := range p.order {
		if err := put(path, p.Files[path]); err != nil {
			return err
		}
	}
	return zw.Close()
}

// WriteFile writes the package to path atomically (a temporary file in the
// same folder, fsynced, then renamed) and returns the zip's SHA-256, which
// the export's journal entry records.
func (p *Package) WriteFile(path string) (store.Digest32, error) {
	h := sha256.New()
	err := atomicfile.WriteWith(path, 0o600, func(w io.Writer) error { return p.WriteZip(io.MultiWriter(w, h)) })
	if err != nil {
		return store.Digest32{}, err
	}
	var sum store.Digest32
	copy(sum[:], h.Sum(nil))
	return sum, nil
}
