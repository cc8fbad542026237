package keyfile

import (
	"golang.org/x/sys/windows"
)

// removableDrives are the drive letters of removable media (USB sticks,
// card readers), where NCA key files are usually carried. Fixed, network
// and optical drives are left out: scanning a network share can hang.
func removableDrives() []string {
	mask, err := windows.GetLogicalDrives()
	if err != nil {
		return nil
	}
	var out []string
	for i := range 26 {
		if mask&(1<<i) == 0 {
			continue
		}
		root := string(rune('A'+i)) + `:\`
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
