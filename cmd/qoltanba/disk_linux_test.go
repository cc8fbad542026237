package main

import (
	"crypto/rand"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestDataOnFullAndReadOnlyDisk: the data folder (under a name with
// Kazakh letters and a space) on a 4 MB tmpfs — filled by a document
// larger than the room left, then remounted read-only. Each refused write
// says why and what to do, and what was stored before stays, its journal
// whole. Mounting needs CAP_SYS_ADMIN (root in this project's CI); the test
// is skipped, saying so, where it cannot mount.
func TestDataOnFullAndReadOnlyDisk(t *testing.T) {
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=4m,mode=0700"); err != nil {
		t.Skipf("cannot mount a small tmpfs here (%v): this test needs CAP_SYS_ADMIN", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(mnt, syscall.MNT_DETACH) })
	data := filepath.Join(mnt, "Әлия Сәрсенова", "Qoltanba")
	files := t.TempDir()
	contract := writeFile(t, files, "шарт.txt", []byte("Шарт № 1 / Договор № 1\n"))
	scan := make([]byte, 6<<20) // random: no compression makes it fit
	rand.Read(scan)
	big := writeFile(t, files, "scan.pdf", append([]byte("%PDF-1.4\n"), scan...))

	if code, _, stderr := runCLI(t, "", "docs", "add", contract, "--data-dir", data); code != 0 {
		t.Fatalf("docs add on the small disk: exit %d\n%s", code, stderr)
	}
	code, _, stderr := runCLI(t, "", "docs", "add", big, "--data-dir", data)
	if code != 1 || !strings.Contains(stderr, "the disk is full") || !strings.Contains(stderr, "nothing stored before was lost") {
		t.Errorf("a document larger than the room left: exit %d, want 1 and the disk-full hint:\n%s", code, stderr)
	}
	stillThere := func(when string) {
		t.Helper()
		code, out, stderr := runCLI(t, "", "docs", "list", "--data-dir", data)
		if code != 0 || !strings.Contains(out, "шарт.txt") || strings.Contains(out, "scan.pdf") {
			t.Errorf("%s: docs list exit %d\n%s%s", when, code, out, stderr)
		}
		if code, out, stderr := runCLI(t, "", "journal", "verify", "--data-dir", data); code != 0 {
			t.Errorf("%s: the journal does not verify: exit %d\n%s%s", when, code, out, stderr)
		}
	}
	stillThere("after the full disk")

	if err := syscall.Mount("", mnt, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Fatalf("remount read-only: %v", err)
	}
	code, _, stderr = runCLI(t, "", "docs", "add", contract, "--data-dir", data)
	if code != 1 || !strings.Contains(stderr, "the disk is read-only") {
		t.Errorf("adding on a read-only disk: exit %d, want 1 and the read-only hint:\n%s", code, stderr)
	}
	if err := syscall.Mount("", mnt, "", syscall.MS_REMOUNT, ""); err != nil {
		t.Fatalf("remount writable: %v", err)
	}
	stillThere("after the read-only disk")
}
