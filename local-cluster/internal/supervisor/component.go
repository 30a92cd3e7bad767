package supervisor

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// component is one control-plane process: this same binary re-executed with a subcommand.
type component struct {
	name    string
	args    []string
	logPath string

	mu       sync.Mutex
	cmd      *exec.Cmd
	exited   chan struct{} // closed when the current process has exited
	stopping bool          // set while we stop it on purpose, so its exit is not a crash
	exitErr  error
}

func newComponent(dataDir, name string, args []string) *component {
	return &component{name: name, args: args, logPath: filepath.Join(dataDir, "logs", name+".log")}
}

// start launches the process with stdout and stderr appended to its log file. The child gets its own
// process group (so a terminal's Ctrl-C reaches only the supervisor, which stops children in order) and
// SIGKILL when the supervisor dies, so no component outlives it.
func (c *component) start(self string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd != nil && !isClosed(c.exited) {
		return fmt.Errorf("%s is already running", c.name)
	}
	logFile, err := os.OpenFile(c.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(logFile, "\n===== localcp: starting %s at %s =====\n", c.name, time.Now().Format(time.RFC3339))
	cmd := exec.Command(self, append([]string{c.name}, c.args...)...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("start %s: %w", c.name, err)
	}
	exited := make(chan struct{})
	c.cmd, c.exited, c.stopping, c.exitErr = cmd, exited, false, nil
	go func() {
		err := cmd.Wait()
		logFile.Close()
		c.mu.Lock()
		c.exitErr = err
		c.mu.Unlock()
		close(exited)
	}()
	return nil
}

// stop sends SIGTERM, waits up to grace for a clean exit, then SIGKILLs.
func (c *component) stop(grace time.Duration) {
	c.mu.Lock()
	cmd, exited := c.cmd, c.exited
	c.stopping = true
	c.mu.Unlock()
	if cmd == nil || isClosed(exited) {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(grace):
		_ = cmd.Process.Kill()
		<-exited
	}
}

// done returns a channel closed when the current process exits, and whether that exit was requested.
func (c *component) done() (<-chan struct{}, func() (bool, error)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	exited := c.exited
	return exited, func() (bool, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.stopping, c.exitErr
	}
}

func (c *component) running() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cmd != nil && !isClosed(c.exited)
}

func (c *component) pid() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd == nil || c.cmd.Process == nil {
		return 0
	}
	return c.cmd.Process.Pid
}

// logTail returns the last n lines of the component's log, for failure reports.
func (c *component) logTail(n int) string {
	data, err := os.ReadFile(c.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	lines := splitLines(string(data))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	out := ""
	for _, l := range lines {
		out += "    " + l + "\n"
	}
	return out
}

func splitLines(s string) []string {
	var lines []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			lines = append(lines, s[start:i])
			start = i + 1
		}
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}

func isClosed(ch chan struct{}) bool {
	if ch == nil {
		return true
	}
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
