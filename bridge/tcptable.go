package bridge

import (
	"encoding/binary"
	"net"
	"strconv"
)

// listenPort is addr's port, or 0.
func listenPort(addr string) int {
	_, text, err := net.SplitHostPort(addr)
	if err != nil {
		return 0
	}
	port, err := strconv.Atoi(text)
	if err != nil {
		return 0
	}
	return port
}

// tcpRows says where a row of Windows' TCP table with owners
// (MIB_TCPROW_OWNER_PID, or MIB_TCP6ROW_OWNER_PID for IPv6) keeps the
// local port and the owner's process ID.
type tcpRows struct{ size, portAt, pidAt int }

var (
	tcp4Rows = tcpRows{size: 24, portAt: 8, pidAt: 20}
	tcp6Rows = tcpRows{size: 56, portAt: 20, pidAt: 52}
)

// listenerPID finds port in a table GetExtendedTcpTable wrote (a count,
// then the rows): the owner's process ID, or 0 when the port is not there
// or the system does not say (Wine reports 0 for every socket).
func listenerPID(table []byte, rows tcpRows, port int) uint32 {
	if len(table) < 4 {
		return 0
	}
	n := int(binary.LittleEndian.Uint32(table))
	for i := range n {
		off := 4 + i*rows.size
		if off+rows.size > len(table) {
			break
		}
		row := table[off : off+rows.size]
		// The port is in network byte order in the DWORD's low 16 bits.
		if int(row[rows.portAt])<<8|int(row[rows.portAt+1]) == port {
			return binary.LittleEndian.Uint32(row[rows.pidAt:])
		}
	}
	return 0
}
