package ui

import "golang.org/x/sys/windows"

// drivePlaces are the drive letters in use (C:\, D:\, a USB stick's E:\).
func drivePlaces() []string {
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
