package bridge

import (
	"fmt"
	"path/filepath"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	iphlpapi            = windows.NewLazySystemDLL("iphlpapi.dll")
	getExtendedTcpTable = iphlpapi.NewProc("GetExtendedTcpTable")
)

// tcpTableOwnerPIDListener asks GetExtendedTcpTable for the listening
// sockets with their owners' process IDs (TCP_TABLE_OWNER_PID_LISTENER).
const tcpTableOwnerPIDListener = 3

// portHolder names the process listening on addr's port, from the system's
// TCP table (IPv4, then IPv6) and the owner's image path; "" when the
// system does not tell (Wine never does: its table has no owners).
func portHolder(addr string) string {
	port := listenPort(addr)
	if port == 0 {
		return ""
	}
	for _, family := range []struct {
		af   uint32
		rows tcpRows
	}{{windows.AF_INET, tcp4Rows}, {windows.AF_INET6, tcp6Rows}} {
		if pid := listenerPID(tcpTable(family.af), family.rows, port); pid != 0 {
			return describeProcess(pid)
		}
	}
	return ""
}

// tcpTable is the listening sockets' table of one address family, or nil.
func tcpTable(af uint32) []byte {
	size := uint32(16 << 10)
	for range 4 {
		buf := make([]byte, size)
		r, _, _ := getExtendedTcpTable.Call(uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&size)), 0,
			uintptr(af), tcpTableOwnerPIDListener, 0)
		switch windows.Errno(r) {
		case 0:
			return buf[:size]
		case windows.ERROR_INSUFFICIENT_BUFFER:
			continue // size now says how much is needed
		default:
			return nil
		}
	}
	return nil
}

// describeProcess names a process by its program's path (NCALayer when
// the path says so); its command line is not readable from here.
func describeProcess(pid uint32) string {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, pid)
	if err != nil {
		return fmt.Sprintf("process %d", pid)
	}
	defer windows.CloseHandle(h)
	buf := make([]uint16, windows.MAX_LONG_PATH)
	n := uint32(len(buf))
	if err := windows.QueryFullProcessImageName(h, 0, &buf[0], &n); err != nil {
		return fmt.Sprintf("process %d", pid)
	}
	path := windows.UTF16ToString(buf[:n])
	name := filepath.Base(path)
	if strings.Contains(strings.ToLower(path), "ncalayer") {
		name = "NCALayer (" + name + ")"
	}
	return fmt.Sprintf("%s, pid %d: %s", name, pid, path)
}
