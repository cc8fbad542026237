// Package packaging holds what turns Qoltanba into installers — the Windows
// installer's source (windows/qoltanba.wxs, for wixl), the Windows
// resources (icon, version information, manifest), the Linux desktop files
// — and the tests that build them with scripts/package.sh and run the
// Windows build, its installer and its certificate-store code under Wine.
package packaging
