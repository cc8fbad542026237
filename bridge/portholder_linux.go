package bridge

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// portHolder names the process listening on addr, from /proc: the socket's
// inode in /proc/net/tcp, then the process with a descriptor on it. Only
// the user's own processes are visible (and every one to root); "" when
// the system does not tell.
func portHolder(addr string) string {
	port := listenPort(addr)
	if port == 0 {
		return ""
	}
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			// local_address is HEXIP:HEXPORT; state 0A is LISTEN.
			if len(fields) < 10 || fields[3] != "0A" || !strings.HasSuffix(fields[1], fmt.Sprintf(":%04X", port)) {
				continue
			}
			inodes[fields[9]] = true
		}
		f.Close()
	}
	if len(inodes) == 0 {
		return ""
	}
	fds, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range fds {
		link, err := os.Readlink(fd)
		if err != nil || !strings.HasPrefix(link, "socket:[") {
			continue
		}
		if !inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] {
			continue
		}
		pid := strings.Split(fd, "/")[2]
		return describeProcess(pid)
	}
	return ""
}

// describeProcess names a process: its command line, shortened.
func describeProcess(pid string) string {
	cmdline, err := os.ReadFile("/proc/" + pid + "/cmdline")
	if err != nil || len(cmdline) == 0 {
		return "process " + pid
	}
	args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
	name := filepath.Base(args[0])
	for _, a := range args {
		if strings.Contains(strings.ToLower(a), "ncalayer") {
			name = "NCALayer (" + filepath.Base(args[0]) + ")"
			break
		}
	}
	line := strings.Join(strings.Fields(strings.Join(args, " ")), " ")
	if len(line) > 120 {
		line = line[:120] + "…"
	}
	return fmt.Sprintf("%s, pid %s: %s", name, pid, line)
}
