// Package envlocale keeps Fyne from logging "Error parsing user locale C" on
// every start under the POSIX locale with a codeset (LANG=C.UTF-8, the
// default of Debian containers and CI): Fyne's lang package reads the locale
// in its init and cannot parse "C.UTF-8".
//
// It must run before that init, so it imports nothing but os: by the Go
// spec's initialisation order (packages sorted by import path, each
// initialised as soon as its imports are), it runs right after os and before
// log, which fyne.io/fyne/v2/lang needs. Import it first, for its effect only.
package envlocale

import "os"

func init() {
	for _, name := range [...]string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		if len(v) > 2 && (v[:2] == "C." || (len(v) > 6 && v[:6] == "POSIX.")) && os.Getenv("LANGUAGE") == "" {
			// LANGUAGE is what gettext-style lookups consult next; English is
			// what the POSIX locale means for messages.
			os.Setenv("LANGUAGE", "en")
		}
		return
	}
}
