package packaging

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/big"
	"math/bits"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/internal/sharedtest"
)

// The Windows build is tested here, on Linux: scripts/package.sh (make
// package) builds every installer once, and the Windows programs run
// under Wine in prefixes made for the tests. Wine 8 lacks the
// bcryptprimitives!ProcessPrng that Go 1.26 programs need; a ten-line
// MinGW DLL from testdata/wine gives it (test setup only, never shipped).

// repoRoot is the module root (this package is one folder below it).
const repoRoot = ".."

var (
	distOnce sync.Once
	distDir  string
	distErr  error
	workRoot string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if workRoot != "" {
		os.RemoveAll(workRoot)
	}
	os.Exit(code)
}

// requireTools skips t, saying what to install, unless every tool runs.
func requireTools(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s absent (%v): scripts/deps.sh test installs it", tool, err)
		}
	}
}

// packaged runs scripts/package.sh once and returns its dist folder.
func packaged(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds every installer: not with -short")
	}
	requireTools(t, "x86_64-w64-mingw32-gcc", "x86_64-w64-mingw32-windres", "wixl", "zip", "dpkg-deb")
	distOnce.Do(func() {
		if workRoot, distErr = os.MkdirTemp("", "qoltanba-packaging-"); distErr != nil {
			return
		}
		distDir = filepath.Join(workRoot, "dist")
		// A TEST code-signing certificate, so that the signing step of
		// make package runs too (osslsigncode verify checks it).
		if distErr = writeCodeSigningCert(workRoot); distErr != nil {
			return
		}
		cmd := exec.Command("scripts/package.sh", distDir)
		cmd.Dir = repoRoot
		cmd.Env = append(os.Environ(), "SIGN_CERT="+filepath.Join(workRoot, "sign.pem"), "SIGN_KEY="+filepath.Join(workRoot, "sign.key"))
		if out, err := cmd.CombinedOutput(); err != nil {
			distErr = fmt.Errorf("scripts/package.sh: %v\n%s", err, out)
		}
	})
	if distErr != nil {
		t.Fatal(distErr)
	}
	return distDir
}

// distFile is the one file of dist matching pattern.
func distFile(t testing.TB, pattern string) string {
	t.Helper()
	found, _ := filepath.Glob(filepath.Join(packaged(t), pattern))
	if len(found) != 1 {
		t.Fatalf("dist has %d files matching %s", len(found), pattern)
	}
	return found[0]
}

// unpacked extracts the Windows zip (qoltanba.exe, qoltanba.com) once.
func unpacked(t testing.TB) string {
	t.Helper()
	zip := distFile(t, "qoltanba-*-windows-x64.zip")
	dir := filepath.Join(workRoot, "windows")
	if _, err := os.Stat(filepath.Join(dir, "qoltanba.com")); err == nil {
		return dir
	}
	if out, err := exec.Command("unzip", "-q", "-o", zip, "-d", dir).CombinedOutput(); err != nil {
		t.Fatalf("unzip: %v\n%s", err, out)
	}
	return dir
}

// wine is a Wine prefix made for one test.
type wine struct {
	prefix string
	env    []string
}

func newWine(t *testing.T) *wine {
	t.Helper()
	requireTools(t, "wine", "x86_64-w64-mingw32-gcc")
	w := &wine{prefix: t.TempDir()}
	w.env = append(os.Environ(), "WINEPREFIX="+w.prefix, "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml=", "DISPLAY=")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	boot := exec.CommandContext(ctx, "wineboot", "-i")
	boot.Env = w.env
	if out, err := boot.CombinedOutput(); err != nil {
		t.Fatalf("wineboot: %v\n%s", err, out)
	}
	dll := filepath.Join(w.prefix, "drive_c", "windows", "system32", "bcryptprimitives.dll")
	if out, err := exec.Command("x86_64-w64-mingw32-gcc", "-shared", "-O2", "-o", dll,
		"testdata/wine/bcryptprimitives.c", "testdata/wine/bcryptprimitives.def", "-ladvapi32").CombinedOutput(); err != nil {
		t.Fatalf("build the ProcessPrng shim: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		stop := exec.Command("wineserver", "-k")
		stop.Env = w.env
		stop.Run()
	})
	return w
}

// run runs a Windows program (its Linux path, or a Windows one) under
// Wine with stdin; it returns the exit code and the outputs (CR LF made LF).
func (w *wine) run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "wine", args...)
	cmd.Env = w.env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("wine %v: %v", args, err)
	}
	crlf := strings.NewReplacer("\r\n", "\n")
	return code, crlf.Replace(stdout.String()), crlf.Replace(stderr.String())
}

// drive is the Linux path of a path on the prefix's C: drive.
func (w *wine) drive(winPath string) string {
	rel := strings.TrimPrefix(strings.TrimPrefix(winPath, `C:\`), `c:\`)
	return filepath.Join(w.prefix, "drive_c", filepath.FromSlash(strings.ReplaceAll(rel, `\`, "/")))
}

// user is Wine's Windows user name (the Linux one).
func (w *wine) user() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "root"
}

// TestPackageContents: make package writes every installer, with sums,
// a version, and the files each system needs.
func TestPackageContents(t *testing.T) {
	dist := packaged(t)
	sums := exec.Command("sha256sum", "-c", "SHA256SUMS")
	sums.Dir = dist
	if out, err := sums.CombinedOutput(); err != nil || strings.Count(string(out), ": OK") != 5 {
		t.Errorf("sha256sum -c: %v\n%s", err, out)
	}
	deb := distFile(t, "qoltanba_*_amd64.deb")
	out, err := exec.Command("dpkg-deb", "-c", deb).CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"./usr/bin/qoltanba\n", "./usr/bin/qoltanba-gui\n", "./usr/share/applications/qoltanba.desktop",
		"./etc/xdg/autostart/qoltanba.desktop", "./usr/share/icons/hicolor/512x512/apps/qoltanba.png"} {
		if !strings.Contains(string(out)+"\n", want) && !strings.Contains(string(out), strings.TrimSuffix(want, "\n")+"\n") {
			t.Errorf("the .deb lacks %s", strings.TrimSpace(want))
		}
	}
	if _, err := exec.LookPath("msiinfo"); err == nil {
		msi := distFile(t, "Qoltanba-*-x64.msi")
		props, err := exec.Command("msiinfo", "export", msi, "Property").CombinedOutput()
		if err != nil || !strings.Contains(string(props), "ProductName\tQoltanba") || !strings.Contains(string(props), "ProductVersion\t0.") {
			t.Errorf("MSI properties: %v\n%s", err, props)
		}
		dirs, _ := exec.Command("msiinfo", "export", msi, "Directory").CombinedOutput()
		if !strings.Contains(string(dirs), "LocalAppDataFolder") {
			t.Errorf("the per-user MSI does not install under %%LocalAppData%%:\n%s", dirs)
		}
		dirs, _ = exec.Command("msiinfo", "export", distFile(t, "Qoltanba-*-x64-allusers.msi"), "Directory").CombinedOutput()
		if !strings.Contains(string(dirs), "ProgramFiles64Folder") {
			t.Errorf("the per-machine MSI does not install in Program Files:\n%s", dirs)
		}
	}
	exe := filepath.Join(unpacked(t), "qoltanba.exe")
	if _, err := exec.LookPath("x86_64-w64-mingw32-objdump"); err == nil {
		gui, _ := exec.Command("x86_64-w64-mingw32-objdump", "-p", exe).CombinedOutput()
		cli, _ := exec.Command("x86_64-w64-mingw32-objdump", "-p", filepath.Join(unpacked(t), "qoltanba.com")).CombinedOutput()
		if !strings.Contains(string(gui), "(Windows GUI)") || !strings.Contains(string(cli), "(Windows CUI)") {
			t.Error("qoltanba.exe must be a GUI program and qoltanba.com a console one")
		}
	}
	data, _ := os.ReadFile(exe)
	if !bytes.Contains(data, utf16le("ProductVersion")) || !bytes.Contains(data, []byte("PerMonitorV2")) {
		t.Error("qoltanba.exe carries no version information or manifest")
	}
}

func utf16le(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

// TestWineCommandLine: the console program under Wine reads NCA's keys as
// on Linux, signs with a GOST key and verifies against a test PKI whose
// responders run under Wine too, refuses a tampered file, and keeps
// documents in a folder whose path has Kazakh letters and spaces.
func TestWineCommandLine(t *testing.T) {
	bin := filepath.Join(unpacked(t), "qoltanba.com")
	w := newWine(t)
	if code, out, stderr := w.run(t, "", bin, "version"); code != 0 || !strings.HasPrefix(out, "qoltanba ") {
		t.Fatalf("version: exit %d %q %s", code, out, stderr)
	}

	t.Run("NCA key as on Linux", func(t *testing.T) {
		key := filepath.Join(sharedtest.Dir(t, "testdata", "nca"), "gost2015", "legal", "valid", "head.p12")
		tar := distFile(t, "qoltanba-*-linux-x64.tar.gz")
		linux := t.TempDir()
		if out, err := exec.Command("tar", "-xzf", tar, "-C", linux).CombinedOutput(); err != nil {
			t.Fatalf("tar: %v %s", err, out)
		}
		lin := exec.Command(filepath.Join(linux, "qoltanba"), "keys", "info", key, "--password-stdin", "--json")
		lin.Stdin = strings.NewReader("Qwerty12\n")
		want, err := lin.Output()
		if err != nil {
			t.Fatal(err)
		}
		code, got, stderr := w.run(t, "Qwerty12\n", bin, "keys", "info", "Z:"+key, "--password-stdin", "--json")
		if code != 0 {
			t.Fatalf("keys info under Wine: exit %d %s", code, stderr)
		}
		var a, b map[string]any
		json.Unmarshal(want, &a)
		json.Unmarshal([]byte(got), &b)
		delete(a, "file")
		delete(b, "file")
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if len(a) < 5 || string(ja) != string(jb) {
			t.Errorf("keys info differs:\nLinux %s\nWine  %s", ja, jb)
		}
	})

	t.Run("sign and verify with the test PKI served under Wine", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		if code, _, stderr := w.run(t, "", bin, "testpki", "init", "--url", "http://"+addr, `C:\pki`); code != 0 {
			t.Fatalf("testpki init: exit %d %s", code, stderr)
		}
		serve := exec.Command("wine", bin, "testpki", "serve", `C:\pki`)
		serve.Env = w.env
		if err := serve.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { serve.Process.Kill(); serve.Wait() }()
		deadline := time.Now().Add(60 * time.Second)
		for {
			if c, err := net.Dial("tcp", addr); err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("testpki serve did not start under Wine")
			}
			time.Sleep(200 * time.Millisecond)
		}
		doc := w.drive(`C:\docs\шарт.txt`)
		os.MkdirAll(filepath.Dir(doc), 0o755)
		os.WriteFile(doc, []byte("Шарт № 1 / Договор № 1\n"), 0o644)
		code, _, stderr := w.run(t, "Qwerty12\n", bin, "sign", "--key", `C:\pki\gost\legal_head.p12`, "--password-stdin",
			"--format", "cms", "--detached", "--tsa", "http://"+addr+"/tsp", `C:\docs\шарт.txt`)
		if code != 0 {
			t.Fatalf("sign under Wine: exit %d %s", code, stderr)
		}
		code, out, stderr := w.run(t, "", bin, "verify", `C:\docs\шарт.txt.cms`, "--trust", `C:\pki\ca`)
		if code != 0 || !strings.Contains(out+stderr, "VALID") {
			t.Errorf("verify under Wine: exit %d\n%s%s", code, out, stderr)
		}
		os.WriteFile(doc, []byte("Шарт № 2 / Договор № 2\n"), 0o644)
		if code, out, stderr := w.run(t, "", bin, "verify", `C:\docs\шарт.txt.cms`, "--trust", `C:\pki\ca`); code != 1 {
			t.Errorf("a tampered file: exit %d\n%s%s", code, out, stderr)
		}
		// A port held by another Windows program: the doctor looks its
		// owner up in the TCP table (GetExtendedTcpTable). Wine 8's table
		// has the port but no owners (pid 0 for every socket), so here it
		// says "another program"; TestListenerPID reads a table as Windows
		// writes it, pid included.
		code, out, stderr = w.run(t, "", bin, "bridge", "doctor", "--addr", addr)
		if code != 2 || !strings.Contains(out, addr+" is held by another program") {
			t.Errorf("bridge doctor on the port testpki serve holds: exit %d\n%s%s", code, out, stderr)
		}
	})

	t.Run("documents in a folder with Kazakh letters and spaces", func(t *testing.T) {
		data := `C:\users\Әлия Сәрсенова\Qoltanba`
		doc := w.drive(`C:\users\Әлия Сәрсенова\Жұмыс үстелі\акт.txt`)
		os.MkdirAll(filepath.Dir(doc), 0o755)
		os.WriteFile(doc, []byte("Акт орындалған жұмыстар\n"), 0o644)
		code, _, stderr := w.run(t, "", bin, "docs", "add", "--data-dir", data, `C:\users\Әлия Сәрсенова\Жұмыс үстелі\акт.txt`)
		if code != 0 {
			t.Fatalf("docs add: exit %d %s", code, stderr)
		}
		if code, out, stderr := w.run(t, "", bin, "docs", "list", "--data-dir", data); code != 0 || !strings.Contains(out, "акт.txt") {
			t.Errorf("docs list: exit %d\n%s%s", code, out, stderr)
		}
		if code, out, stderr := w.run(t, "", bin, "journal", "verify", "--data-dir", data); code != 0 {
			t.Errorf("journal verify: exit %d\n%s%s", code, out, stderr)
		}
		if _, err := os.Stat(filepath.Join(w.drive(data), "qoltanba.db")); err != nil {
			t.Errorf("the database is not in the folder asked for: %v", err)
		}
	})
}

// TestWineRootStore: the bridge's CA goes into the Windows user's Root
// store through the certificate API and out again (Wine skips the
// confirmation dialog real Windows shows on adding a root).
func TestWineRootStore(t *testing.T) {
	bin := filepath.Join(unpacked(t), "qoltanba.com")
	w := newWine(t)
	data := `C:\users\` + w.user() + `\bridge-data`
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	free := ln.Addr().String()
	ln.Close()
	code, out, stderr := w.run(t, "", bin, "bridge", "doctor", "--data-dir", data, "--addr", free)
	if code != 2 || !strings.Contains(out, "✗ Windows") {
		t.Fatalf("doctor before trust: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = w.run(t, "", bin, "bridge", "trust", "--data-dir", data)
	if code != 0 || !strings.Contains(out, "✓ Windows") {
		t.Fatalf("trust: exit %d\n%s%s", code, out, stderr)
	}
	if _, out, _ = w.run(t, "", bin, "bridge", "doctor", "--data-dir", data, "--addr", free); !strings.Contains(out, "✓ Windows") {
		t.Errorf("doctor after trust:\n%s", out)
	}
	if code, _, stderr = w.run(t, "", bin, "bridge", "trust", "--remove", "--data-dir", data); code != 0 {
		t.Fatalf("trust --remove: exit %d %s", code, stderr)
	}
	if _, out, _ = w.run(t, "", bin, "bridge", "doctor", "--data-dir", data, "--addr", free); !strings.Contains(out, "✗ Windows") {
		t.Errorf("doctor after --remove:\n%s", out)
	}
}

// msiWithVersion builds the per-user MSI again at another version from
// the packaged programs (for the upgrade), as scripts/package.sh does.
func msiWithVersion(t *testing.T, version string) string {
	t.Helper()
	stage := t.TempDir()
	for _, f := range []string{"qoltanba.exe", "qoltanba.com"} {
		data, err := os.ReadFile(filepath.Join(unpacked(t), f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(stage, f), data, 0o755)
	}
	wxs, _ := os.ReadFile("windows/qoltanba.wxs")
	os.WriteFile(filepath.Join(stage, "qoltanba.wxs"), wxs, 0o644)
	mkico := exec.Command("go", "run", "./packaging/mkico", "assets/icon.png", filepath.Join(stage, "qoltanba.ico"))
	mkico.Dir = repoRoot
	if out, err := mkico.CombinedOutput(); err != nil {
		t.Fatalf("mkico: %v %s", err, out)
	}
	out := filepath.Join(stage, "upgrade.msi")
	wixl := exec.Command("wixl", "-a", "x64", "-D", "Version="+version, "-D", "Bin=.", "-D", "Icon=qoltanba.ico", "-o", out, "qoltanba.wxs")
	wixl.Dir = stage
	if msg, err := wixl.CombinedOutput(); err != nil {
		t.Fatalf("wixl: %v %s", err, msg)
	}
	return out
}

// TestMSIUnderWine: the per-user MSI installs without administrator
// rights under %LocalAppData%\Programs, with the Start-menu shortcut, the
// Run entry and the file associations; the installed programs work; an
// upgrade replaces the programs and keeps a document added before it;
// installing twice is harmless; uninstalling removes the programs and
// keeps the documents. The per-machine MSI installs in Program Files.
func TestMSIUnderWine(t *testing.T) {
	msi := distFile(t, "Qoltanba-*-x64.msi")
	w := newWine(t)
	home := `C:\users\` + w.user()
	installed := home + `\AppData\Local\Programs\Qoltanba`
	if code, out, stderr := w.run(t, "", "msiexec", "/i", "Z:"+msi, "/qn"); code != 0 {
		t.Fatalf("msiexec /i: exit %d %s%s", code, out, stderr)
	}
	for _, f := range []string{"qoltanba.exe", "qoltanba.com"} {
		if _, err := os.Stat(filepath.Join(w.drive(installed), f)); err != nil {
			t.Errorf("not installed: %v", err)
		}
	}
	if _, err := os.Stat(w.drive(home + `\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\Qoltanba.lnk`)); err != nil {
		t.Errorf("no Start-menu shortcut: %v", err)
	}
	reg := func(key string) string {
		_, out, _ := w.run(t, "", "reg", "query", key)
		return out
	}
	if out := reg(`HKCU\Software\Microsoft\Windows\CurrentVersion\Run`); !strings.Contains(out, `Qoltanba\qoltanba.exe" --minimized`) {
		t.Errorf("no start at login:\n%s", out)
	}
	if out := reg(`HKCR\Qoltanba.cms\shell\open\command`); !strings.Contains(out, `qoltanba.exe" "%1"`) {
		t.Errorf("signatures do not open in Qoltanba:\n%s", out)
	}
	if out := reg(`HKCU\Environment`); !strings.Contains(out, `AppData\Local\Programs\Qoltanba`) {
		t.Errorf("the command line is not on the user's PATH:\n%s", out)
	}

	cli := installed + `\qoltanba.com`
	doc := w.drive(home + `\Desktop\счёт.txt`)
	os.MkdirAll(filepath.Dir(doc), 0o755)
	os.WriteFile(doc, []byte("Шот-фактура 1\n"), 0o644)
	if code, _, stderr := w.run(t, "", cli, "docs", "add", home+`\Desktop\счёт.txt`); code != 0 {
		t.Fatalf("the installed program: docs add: exit %d %s", code, stderr)
	}
	dataDB := w.drive(home + `\AppData\Local\Qoltanba\qoltanba.db`)
	if _, err := os.Stat(dataDB); err != nil {
		t.Fatalf("documents are not in %%LocalAppData%%\\Qoltanba: %v", err)
	}

	if code, out, stderr := w.run(t, "", "msiexec", "/i", "Z:"+msi, "/qn"); code != 0 {
		t.Errorf("the same MSI again: exit %d %s%s", code, out, stderr)
	}
	upgrade := msiWithVersion(t, "99.0.0")
	if code, out, stderr := w.run(t, "", "msiexec", "/i", "Z:"+upgrade, "/qn"); code != 0 {
		t.Fatalf("upgrade: exit %d %s%s", code, out, stderr)
	}
	// Wine registers every product under HKLM, per-user ones too.
	_, arp, _ := w.run(t, "", "reg", "query", `HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall`, "/s")
	if strings.Count(arp, "DisplayName    REG_SZ    Qoltanba") != 1 || !strings.Contains(arp, "DisplayVersion    REG_SZ    99.0.0") {
		t.Errorf("after the upgrade, Qoltanba 99.0.0 alone should be installed:\n%s", arp)
	}
	if code, out, _ := w.run(t, "", cli, "docs", "list"); code != 0 || !strings.Contains(out, "счёт.txt") {
		t.Errorf("the document added before the upgrade: exit %d\n%s", code, out)
	}

	if code, out, _ := w.run(t, "", cli, "bridge", "trust"); code != 0 || !strings.Contains(out, "✓ Windows") {
		t.Errorf("bridge trust with the installed program: exit %d\n%s", code, out)
	}
	if code, out, stderr := w.run(t, "", "msiexec", "/x", "Z:"+upgrade, "/qn"); code != 0 {
		t.Fatalf("msiexec /x: exit %d %s%s", code, out, stderr)
	}
	if _, err := os.Stat(filepath.Join(w.drive(installed), "qoltanba.exe")); !os.IsNotExist(err) {
		t.Errorf("the program stays after uninstalling: %v", err)
	}
	if _, err := os.Stat(dataDB); err != nil {
		t.Errorf("uninstalling lost the documents: %v", err)
	}
	if out := reg(`HKCU\Environment`); strings.Contains(out, `Programs\Qoltanba`) {
		t.Errorf("uninstalling left the folder on the user's PATH:\n%s", out)
	}
	if _, out, _ := w.run(t, "", filepath.Join(unpacked(t), "qoltanba.com"), "bridge", "doctor"); !strings.Contains(out, "✗ Windows") {
		t.Errorf("uninstalling left the bridge's CA in the Root store:\n%s", out)
	}

	machine := distFile(t, "Qoltanba-*-x64-allusers.msi")
	if code, out, stderr := w.run(t, "", "msiexec", "/i", "Z:"+machine, "/qn"); code != 0 {
		t.Fatalf("per-machine msiexec /i: exit %d %s%s", code, out, stderr)
	}
	if _, err := os.Stat(w.drive(`C:\Program Files\Qoltanba\qoltanba.exe`)); err != nil {
		t.Errorf("the per-machine MSI did not install in Program Files: %v", err)
	}
}

// xwdImage decodes a 24-bit TrueColor X window dump (xwd -root), the
// only kind Xvfb gives here.
func xwdImage(data []byte) (*image.RGBA, error) {
	if len(data) < 100 {
		return nil, errors.New("xwd: short file")
	}
	field := func(i int) int { return int(binary.BigEndian.Uint32(data[4*i:])) }
	headerSize, width, height, lsbFirst, bitsPerPixel, bytesPerLine, ncolors := field(0), field(4), field(5), field(7) == 0, field(11), field(12), field(19)
	rm, gm, bm := uint32(field(14)), uint32(field(15)), uint32(field(16))
	start := headerSize + 12*ncolors
	if width <= 0 || height <= 0 || bitsPerPixel < 24 || bytesPerLine < bitsPerPixel/8*width || start+bytesPerLine*(height-1)+bitsPerPixel/8*width > len(data) {
		return nil, errors.New("xwd: not a TrueColor dump of the expected size")
	}
	stride := bitsPerPixel / 8 // rows are bytesPerLine apart, padded
	shift := func(mask uint32) int { return bits.TrailingZeros32(mask) }
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for y := range height {
		for x := range width {
			p := data[start+y*bytesPerLine+x*stride:]
			var v uint32
			for i := range stride {
				if lsbFirst {
					v |= uint32(p[i]) << (8 * i)
				} else {
					v = v<<8 | uint32(p[i])
				}
			}
			img.Set(x, y, color.RGBA{uint8((v & rm) >> shift(rm)), uint8((v & gm) >> shift(gm)), uint8((v & bm) >> shift(bm)), 255})
		}
	}
	return img, nil
}

// artifacts is where tests keep what a person may want to look at.
func artifacts() string {
	if dir := os.Getenv("QOLTANBA_ARTIFACTS"); dir != "" {
		return dir
	}
	return filepath.Join(os.TempDir(), "qoltanba-artifacts")
}

// firstFrame runs a window program with QOLTANBA_FIRST_FRAME=1 on display
// and returns the "first frame after N ms" it reports, leaving it running
// until stop is called.
func firstFrame(t *testing.T, cmd *exec.Cmd) (ms string, stop func()) {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop = func() { cmd.Process.Kill(); cmd.Wait() }
	found := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stderr)
		for lines.Scan() {
			if rest, ok := strings.CutPrefix(lines.Text(), "first frame after "); ok {
				found <- rest
			}
		}
		close(found)
	}()
	select {
	case ms, ok := <-found:
		if !ok {
			stop()
			t.Fatal("the window program ended before its first frame")
		}
		return ms, stop
	case <-time.After(2 * time.Minute):
		stop()
		t.Fatal("no first frame in 2 minutes")
	}
	return "", stop
}

// TestWindowsGUIUnderWine: the window program starts under Wine on a
// virtual display and draws; the screenshot is kept, and the time to the
// first frame is logged beside the Linux build's on the same display.
func TestWindowsGUIUnderWine(t *testing.T) {
	requireTools(t, "Xvfb", "xwd")
	exe := filepath.Join(unpacked(t), "qoltanba.exe")
	w := newWine(t)
	display := fmt.Sprintf(":%d", 70+os.Getpid()%20)
	xvfb := exec.Command("Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	if err := xvfb.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { xvfb.Process.Kill(); xvfb.Wait() }()
	time.Sleep(time.Second)

	gui := exec.Command("wine", exe)
	gui.Env = append(slices.Clone(w.env), "DISPLAY="+display, "QOLTANBA_FIRST_FRAME=1", "QOLTANBA_BRIDGE=off",
		`QOLTANBA_DATA_DIR=C:\users\Әлия Сәрсенова\Qoltanba`, "QOLTANBA_LANG=kk")
	wineMS, stop := firstFrame(t, gui)
	time.Sleep(3 * time.Second) // the welcome screen's content
	shot, err := exec.Command("xwd", "-root", "-silent", "-display", display).Output()
	stop()
	if err != nil {
		t.Fatal(err)
	}
	img, err := xwdImage(shot)
	if err != nil {
		t.Fatal(err)
	}
	colours := map[color.RGBA]bool{}
	for y := 0; y < img.Bounds().Dy(); y += 4 {
		for x := 0; x < img.Bounds().Dx(); x += 4 {
			colours[img.RGBAAt(x, y)] = true
		}
	}
	if len(colours) < 20 {
		t.Errorf("the window looks blank: %d colours", len(colours))
	}
	os.MkdirAll(artifacts(), 0o755)
	shotPath := filepath.Join(artifacts(), "windows-gui-under-wine.png")
	if f, err := os.Create(shotPath); err == nil {
		png.Encode(f, img)
		f.Close()
		t.Logf("screenshot: %s", shotPath)
	}

	tar := distFile(t, "qoltanba-*-linux-x64.tar.gz")
	linux := t.TempDir()
	if out, err := exec.Command("tar", "-xzf", tar, "-C", linux).CombinedOutput(); err != nil {
		t.Fatalf("tar: %v %s", err, out)
	}
	dataDir := t.TempDir()
	nativeEnv := append(os.Environ(), "DISPLAY="+display, "QOLTANBA_FIRST_FRAME=1", "QOLTANBA_BRIDGE=off",
		"QOLTANBA_DATA_DIR="+dataDir, "QOLTANBA_LANG=kk")
	native := exec.Command(filepath.Join(linux, "qoltanba-gui"))
	native.Env = nativeEnv
	linuxMS, stop := firstFrame(t, native)
	// A second start on the same data folder hands over to the first and
	// ends, instead of failing on the locked database.
	second := exec.Command(filepath.Join(linux, "qoltanba-gui"))
	second.Env = nativeEnv
	done := make(chan error, 1)
	go func() {
		out, err := second.CombinedOutput()
		done <- errors.Join(err, errorIf(len(out) > 0 && strings.Contains(string(out), "in use"), string(out)))
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the second start: %v", err)
		}
	case <-time.After(20 * time.Second):
		second.Process.Kill()
		t.Error("the second start did not hand over to the running window")
	}
	stop()
	t.Logf("cold start to first frame: Windows build under Wine %s, Linux build %s (same Xvfb)", wineMS, linuxMS)
}

func errorIf(cond bool, msg string) error {
	if cond {
		return errors.New(msg)
	}
	return nil
}

// writeCodeSigningCert writes a TEST code-signing certificate and key
// (sign.pem, sign.key) into dir.
func writeCodeSigningCert(dir string) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "Qoltanba TEST code signing", Organization: []string{"Qoltanba TEST"}},
		NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "sign.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "sign.key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
}

// TestSignedInstallers: with SIGN_CERT and SIGN_KEY, make package signs
// both programs and both MSIs (Authenticode), and osslsigncode verifies
// each against the certificate.
func TestSignedInstallers(t *testing.T) {
	requireTools(t, "osslsigncode")
	cert := filepath.Join(filepath.Dir(packaged(t)), "sign.pem")
	files := []string{filepath.Join(unpacked(t), "qoltanba.exe"), filepath.Join(unpacked(t), "qoltanba.com"),
		distFile(t, "Qoltanba-*-x64.msi"), distFile(t, "Qoltanba-*-x64-allusers.msi")}
	for _, f := range files {
		out, err := exec.Command("osslsigncode", "verify", "-CAfile", cert, "-in", f).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Signature verification: ok") {
			t.Errorf("%s: %v\n%s", filepath.Base(f), err, out)
		}
	}
}

// TestWindowsVet: go vet is clean for Windows too, with and without the
// window.
func TestWindowsVet(t *testing.T) {
	if testing.Short() {
		t.Skip("vets the module for Windows: not with -short")
	}
	requireTools(t, "x86_64-w64-mingw32-gcc")
	for _, tags := range []string{"", "nogui"} {
		cmd := exec.Command("go", "vet", "-tags", tags, "./...")
		cmd.Dir = repoRoot
		cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=1", "CC=x86_64-w64-mingw32-gcc")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("GOOS=windows go vet -tags %q: %v\n%s", tags, err, out)
		}
	}
}
