// Package units writes sizes for people, the same way in every face.
package units

import "fmt"

// Names are the unit words of a language.
type Names struct{ Bytes, KB, MB, GB string }

// English are the unit words of the CLI, the logs and errors.
var English = Names{Bytes: "bytes", KB: "KB", MB: "MB", GB: "GB"}

// Size is n bytes in English units.
func Size(n int64) string { return SizeIn(n, English) }

// SizeIn is n bytes in bytes, KB, MB or GB (binary multiples, one decimal)
// with the unit words u; "?" for a negative (unknown) size.
func SizeIn(n int64, u Names) string {
	switch {
	case n < 0:
		return "?"
	case n >= 1<<30:
		return fmt.Sprintf("%.1f %s", float64(n)/(1<<30), u.GB)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f %s", float64(n)/(1<<20), u.MB)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f %s", float64(n)/(1<<10), u.KB)
	}
	return fmt.Sprintf("%d %s", n, u.Bytes)
}
