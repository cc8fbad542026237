package bridge

import (
	"encoding/binary"
	"testing"
)

// tcpTable4 writes a MIB_TCPTABLE_OWNER_PID as Windows does: the count,
// then rows of state, local address, local port (network order), remote
// address, remote port, owner pid.
func tcpTable4(rows ...[2]int) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(rows)))
	for _, r := range rows {
		b = binary.LittleEndian.AppendUint32(b, 2) // LISTEN
		b = append(b, 127, 0, 0, 1)
		b = append(b, byte(r[0]>>8), byte(r[0]), 0, 0)
		b = append(b, make([]byte, 8)...)
		b = binary.LittleEndian.AppendUint32(b, uint32(r[1]))
	}
	return b
}

// tcpTable6 writes a MIB_TCP6TABLE_OWNER_PID: the count, then rows of
// local address and scope, local port, remote address, scope and port,
// state, owner pid.
func tcpTable6(port, pid int) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 1)
	b = append(b, make([]byte, 20)...) // ::1 would do; zeros are ::
	b = append(b, byte(port>>8), byte(port), 0, 0)
	b = append(b, make([]byte, 28)...)
	return binary.LittleEndian.AppendUint32(b, uint32(pid))
}

func TestListenerPID(t *testing.T) {
	table := tcpTable4([2]int{2024, 0}, [2]int{13579, 4711}, [2]int{45123, 88})
	for _, tc := range []struct {
		name  string
		table []byte
		port  int
		want  uint32
	}{
		{"NCALayer's port", table, 13579, 4711},
		{"the last row", table, 45123, 88},
		{"a port nobody holds", table, 8080, 0},
		{"Wine: pid 0", table, 2024, 0},
		{"cut short", table[:40], 45123, 0},
		{"a count larger than the rows", append(binary.LittleEndian.AppendUint32(nil, 1000), table[4:]...), 45123, 88},
		{"empty", nil, 13579, 0},
	} {
		if got := listenerPID(tc.table, tcp4Rows, tc.port); got != tc.want {
			t.Errorf("%s: pid %d, want %d", tc.name, got, tc.want)
		}
	}
	if got := listenerPID(tcpTable6(13579, 4711), tcp6Rows, 13579); got != 4711 {
		t.Errorf("IPv6: pid %d, want 4711", got)
	}
}
