package supervisor

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// lockDataDir makes sure only one supervisor uses a data dir. The pid file of a supervisor that died
// without cleaning up (SIGKILL, a crash) is recognised as stale and replaced.
func lockDataDir(dataDir string) (release func(), err error) {
	path := filepath.Join(dataDir, "localcp.pid")
	if data, err := os.ReadFile(path); err == nil {
		pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
		if pid > 0 && pid != os.Getpid() && processAlive(pid) {
			return nil, fmt.Errorf("data dir %s is in use by a running control plane (pid %d): stop it with `kill %d` (or `edge-controller local-cluster down --data-dir %s`), or choose another --data-dir",
				dataDir, pid, pid, dataDir)
		}
		fmt.Fprintf(os.Stderr, "localcp: removing stale pid file of pid %d in %s\n", pid, dataDir)
	}
	if err := os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", path, err)
	}
	return func() { _ = os.Remove(path) }, nil
}

// processAlive reports whether pid is a live `localcp up`; a recycled pid of some other program is not.
func processAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return true // cannot tell: assume it is ours rather than share a data dir
	}
	args := strings.Split(string(cmdline), "\x00")
	return len(args) > 1 && args[1] == "up"
}
