package keyfile

import (
	"golang.org/x/sys/windows"
)

// removableDrives are the drive letters of removable media (USB sticks,
// card readers), where NCA key files are usually carried. Fixed, network
// and optical drives are left out: scanning a network share can hang.
func removableDrives() []string {
	var out []string
	for _, root := range Drives() {
		p, err := windows.UTF16PtrFromString(root)
		if err != nil {
			continue
		}
		if windows.GetDriveType(p) == windows.DRIVE_REMOVABLE {
			out = append(out, root)
		}
	}
	return out
}

// Drives are the roots a file dialog offers: every drive letter in use
// (C:\, D:\, a USB stick's E:\).
func Drives() []string {
	mask, err := windows.GetLogicalDrives()
	if err != nil {
		return nil
	}
	var out []string
	for i := range 26 {
		if mask&(1<<i) != 0 {
			out = append(out, string(rune('A'+i))+`:\`)
		}
	}
	return out
}
