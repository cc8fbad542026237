package pkcs11

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// usualModules lists where the drivers of the tokens used in Kazakhstan
// install their PKCS#11 modules: Kaztoken, SafeNet/Gemalto eToken
// (eTPKCS11), JaCarta (jcPKCS11), Rutoken (rtpkcs11ecp), OpenSC and SoftHSM.
// Only the ones present are loaded.
var usualModules = map[string][]string{
	"windows": {
		`%SystemRoot%\System32\kztoken_p11.dll`,
		`%SystemRoot%\System32\KZTPKCS11.dll`,
		`%SystemRoot%\System32\eTPKCS11.dll`,
		`%SystemRoot%\System32\jcPKCS11-2.dll`,
		`%SystemRoot%\System32\jcPKCS11.dll`,
		`%SystemRoot%\System32\rtPKCS11ECP.dll`,
		`%SystemRoot%\System32\opensc-pkcs11.dll`,
		`C:\Program Files\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll`,
		`C:\SoftHSM2\lib\softhsm2-x64.dll`,
	},
	"linux": {
		"/usr/lib/libkztoken_p11.so",
		"/usr/lib/x86_64-linux-gnu/libkztoken_p11.so",
		"/usr/lib/libeTPkcs11.so",
		"/usr/lib/x86_64-linux-gnu/libeTPkcs11.so",
		"/usr/lib/libjcPKCS11-2.so",
		"/usr/lib/x86_64-linux-gnu/libjcPKCS11-2.so",
		"/usr/lib/librtpkcs11ecp.so",
		"/usr/lib/x86_64-linux-gnu/librtpkcs11ecp.so",
		"/opt/aktivco/rutokenecp/x86_64/librtpkcs11ecp.so",
		"/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
		"/usr/lib/opensc-pkcs11.so",
		"/usr/lib/softhsm/libsofthsm2.so",
		"/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
	},
	"darwin": {
		"/usr/local/lib/librtpkcs11ecp.dylib",
		"/usr/local/lib/libeTPkcs11.dylib",
		"/Library/OpenSC/lib/opensc-pkcs11.so",
		"/usr/local/lib/softhsm/libsofthsm2.so",
	},
}

// UsualModules returns the module paths of common token drivers that exist on
// this machine, in a fixed order, without loading any of them.
func UsualModules() []string {
	var found []string
	seen := map[string]bool{}
	for _, p := range usualModules[runtime.GOOS] {
		p = expandWindowsEnv(p)
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			continue
		}
		if st, err := os.Stat(real); err != nil || !st.Mode().IsRegular() || seen[real] {
			continue
		}
		seen[real] = true
		found = append(found, p)
	}
	return found
}

// expandWindowsEnv replaces %SystemRoot% (Windows need not live in C:\Windows).
func expandWindowsEnv(p string) string {
	root := os.Getenv("SystemRoot")
	if root == "" {
		root = `C:\Windows`
	}
	return strings.ReplaceAll(p, "%SystemRoot%", root)
}

// ExampleModule is a typical module path on this system, to show where
// drivers live (the first of the usual ones, present or not).
func ExampleModule() string {
	if m := usualModules[runtime.GOOS]; len(m) > 0 {
		return expandWindowsEnv(m[0])
	}
	return "/usr/lib/libkztoken_p11.so"
}
