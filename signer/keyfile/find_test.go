package keyfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFind(t *testing.T) {
	root := t.TempDir()
	files := map[string]bool{ // path → should be found
		"GOST512_0123abcd.p12":                true,
		"ЭЦП/AUTH_RSA256_ff.p12":              true,
		"a/b/RSA256_ee.PFX":                   true,
		"a/b/c/d/too_deep.p12":                false,
		".hidden/GOST512_hidden.p12":          false,
		"node_modules/GOST512_dependency.p12": false,
		"notes.txt":                           false,
	}
	for name := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]Kind{}
	for _, f := range Find([]string{root, root}) { // the same folder twice: listed once
		rel, _ := filepath.Rel(root, f.Path)
		if f.Name() != rel {
			t.Errorf("Name() = %q, want %q", f.Name(), rel)
		}
		got[filepath.ToSlash(rel)] = f.Kind
	}
	for name, want := range files {
		if _, found := got[name]; found != want {
			t.Errorf("%s: found = %v, want %v", name, found, want)
		}
	}
	if len(got) != 3 {
		t.Errorf("found %d files, want 3: %v", len(got), got)
	}
	if got["GOST512_0123abcd.p12"] != KindGOST2015 || got["ЭЦП/AUTH_RSA256_ff.p12"] != KindRSAAuth || got["a/b/RSA256_ee.PFX"] != KindRSASign {
		t.Errorf("kinds: %v", got)
	}
	if Find([]string{filepath.Join(root, "missing")}) != nil {
		t.Error("a missing folder yields keys")
	}
}

func TestUsualFoldersFromEnv(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	t.Setenv(EnvKeysDir, a+string(os.PathListSeparator)+filepath.Join(b, "missing")+string(os.PathListSeparator)+b)
	got := UsualFolders()
	if len(got) != 2 || got[0] != a || got[1] != b {
		t.Errorf("UsualFolders = %v, want [%s %s]", got, a, b)
	}
}
