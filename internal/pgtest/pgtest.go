// Package pgtest runs a real PostgreSQL server for tests: Debian's
// postgresql package, a throw-away cluster in a temporary folder on a free
// loopback port, one per test binary, and a fresh database per test. Tests
// skip with the reason when PostgreSQL is not installed (make test's
// scripts/deps.sh installs it). Test support only.
package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

var (
	once    sync.Once
	baseURL string
	dataDir string
	runAs   []string // runuser prefix when root (postgres refuses to run as root)
	binDir  string
	setup   error
	dbSeq   atomic.Int64
)

// bin finds Debian's server binaries (/usr/lib/postgresql/NN/bin).
func bin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i], nil
		}
	}
	return "", fmt.Errorf("PostgreSQL's server is not installed (apt-get install postgresql)")
}

func run(name string, args ...string) error {
	cmd := exec.Command(filepath.Join(binDir, name), args...)
	if len(runAs) > 0 {
		cmd = exec.Command(runAs[0], append(append(runAs[1:], filepath.Join(binDir, name)), args...)...)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v\n%s", name, err, out)
	}
	return nil
}

func start() error {
	var err error
	if binDir, err = bin(); err != nil {
		return err
	}
	if dataDir, err = os.MkdirTemp("", "qoltanba-pg-"); err != nil {
		return err
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("running as root and there is no postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dataDir, uid, gid); err != nil {
			return err
		}
		runAs = []string{"runuser", "-u", "postgres", "--"}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	pgdata := filepath.Join(dataDir, "data")
	if err := run("initdb", "-D", pgdata, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"); err != nil {
		return err
	}
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s -c fsync=off -c max_connections=200", port, dataDir)
	if err := run("pg_ctl", "-D", pgdata, "-o", opts, "-l", filepath.Join(dataDir, "log"), "-w", "-t", "60", "start"); err != nil {
		return err
	}
	baseURL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d", port)
	return nil
}

// Stop ends the server (call from TestMain after m.Run).
func Stop() {
	if baseURL != "" {
		_ = run("pg_ctl", "-D", filepath.Join(dataDir, "data"), "-m", "immediate", "stop")
	}
	if dataDir != "" {
		os.RemoveAll(dataDir)
	}
}

// URL returns the address of a fresh, empty database on the test server.
func URL(t testing.TB) string {
	t.Helper()
	once.Do(func() { setup = start() })
	if setup != nil {
		t.Skipf("no PostgreSQL for this test: %v", setup)
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, baseURL+"/postgres")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	return baseURL + "/" + name
}
