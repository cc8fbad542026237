// Package keyfile finds PKCS#12 key files where NCA RK users keep them and
// opens them as signer keys.
package keyfile

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"
)

// EnvKeysDir overrides the usual folders: a list of folders separated by the
// OS's path list separator (":" on Linux, ";" on Windows).
const EnvKeysDir = "QOLTANBA_KEYS_DIR"

// How far a search goes: NCA users keep keys a folder or two below Documents
// or on a USB stick; deeper trees are not key folders and would make start-up slow.
const (
	maxDepth   = 3
	maxVisited = 20000
)

// skipDirs are large trees under a home folder that never hold key files.
var skipDirs = map[string]bool{"node_modules": true, "go": true, "AppData": true, "Library": true, "snap": true, "venv": true}

// Found is a key file seen on disk; nothing secret is read to find it.
type Found struct {
	Path    string
	Folder  string // the searched folder it was found under
	Kind    Kind   // guessed from NCA's file naming
	Size    int64
	ModTime time.Time
}

// Kind is what NCA's file name says about a key.
type Kind string

const (
	KindGOST2015 Kind = "GOST 34.10-2015 (signing)" // GOST512_<ski>.p12
	KindGOST2004 Kind = "GOST 34.310-2004 (legacy)" // GOSTKNCA_<ski>.p12
	KindRSASign  Kind = "RSA (signing)"             // RSA256_<ski>.p12
	KindRSAAuth  Kind = "RSA (authentication)"      // AUTH_RSA256_<ski>.p12
	KindUnknown  Kind = "PKCS#12"                   // any other .p12/.pfx
)

// KindOf guesses a key's kind from its file name.
func KindOf(path string) Kind {
	name := strings.ToUpper(filepath.Base(path))
	switch {
	case strings.HasPrefix(name, "GOST512_"):
		return KindGOST2015
	case strings.HasPrefix(name, "GOSTKNCA_"):
		return KindGOST2004
	case strings.HasPrefix(name, "AUTH_RSA"):
		return KindRSAAuth
	case strings.HasPrefix(name, "RSA"):
		return KindRSASign
	}
	return KindUnknown
}

// IsKeyFile reports whether a file name looks like a PKCS#12 key file.
func IsKeyFile(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".p12" || ext == ".pfx"
}

// UsualFolders returns the existing folders where keys are usually kept:
// those named by QOLTANBA_KEYS_DIR if set, otherwise the user's home, Desktop,
// Documents and Downloads (English and Russian names), and removable media.
func UsualFolders() []string {
	if env := os.Getenv(EnvKeysDir); env != "" {
		return existing(filepath.SplitList(env))
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return nil
	}
	candidates := []string{home}
	for _, sub := range []string{"Desktop", "Documents", "Downloads", "Рабочий стол", "Документы", "Загрузки", "ЭЦП", "ECP", "keys"} {
		candidates = append(candidates, filepath.Join(home, sub))
	}
	candidates = append(candidates, RemovableMedia()...)
	return existing(candidates)
}

// RemovableMedia are the mounted USB sticks and card readers (drive letters
// on Windows), where key files are carried.
func RemovableMedia() []string {
	switch runtime.GOOS {
	case "windows":
		return removableDrives()
	case "linux":
		user := os.Getenv("USER")
		var out []string
		for _, base := range []string{filepath.Join("/media", user), filepath.Join("/run/media", user)} {
			entries, _ := os.ReadDir(base)
			for _, e := range entries {
				out = append(out, filepath.Join(base, e.Name()))
			}
		}
		return out
	}
	return nil
}

func existing(dirs []string) []string {
	var out []string
	for _, d := range dirs {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			out = append(out, d)
		}
	}
	return out
}

// Find lists the key files in dirs and up to three folders below them,
// skipping hidden folders, sorted by path. Unreadable folders are skipped:
// finding keys is a convenience and never fails.
func Find(dirs []string) []Found {
	seen := map[string]bool{}
	var found []Found
	visited := 0
	for _, root := range dirs {
		root = filepath.Clean(root)
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			visited++
			if err != nil || visited > maxVisited {
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				if path != root && (strings.HasPrefix(d.Name(), ".") || skipDirs[d.Name()] || depth(root, path) > maxDepth) {
					return fs.SkipDir
				}
				return nil
			}
			if !IsKeyFile(d.Name()) || seen[path] {
				return nil
			}
			seen[path] = true
			f := Found{Path: path, Folder: root, Kind: KindOf(path)}
			if info, err := d.Info(); err == nil {
				f.Size, f.ModTime = info.Size(), info.ModTime()
			}
			found = append(found, f)
			return nil
		})
	}
	sort.Slice(found, func(i, j int) bool { return found[i].Path < found[j].Path })
	return found
}

func depth(root, path string) int {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return 0
	}
	return strings.Count(rel, string(filepath.Separator)) + 1
}

// Name is the file's path relative to the folder it was found in, which
// tells apart files of the same name in different subfolders.
func (f Found) Name() string {
	if rel, err := filepath.Rel(f.Folder, f.Path); err == nil && f.Folder != "" {
		return rel
	}
	return filepath.Base(f.Path)
}
