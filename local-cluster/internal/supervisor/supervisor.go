// Package supervisor implements `localcp up`: it prepares a data dir (PKI, kubeconfigs), runs etcd,
// kube-apiserver, kube-controller-manager and kube-scheduler as child processes on free 127.0.0.1 ports,
// waits until the whole control plane is usable, then publishes ready.json and the admin kubeconfig.
// It stays in the foreground until SIGINT/SIGTERM and then stops every child, so nothing outlives it.
package supervisor

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/edge-controller/edge-controller/local-cluster/internal/pki"
)

// Versions this binary is built from; the Makefile of the TS side stamps the same into the apiserver.
const (
	KubernetesVersion = "v1.35.4"
	EtcdVersion       = "v3.6.5"
)

// Options are the flags of `localcp up`.
type Options struct {
	DataDir                string
	KubeconfigOut          string
	APIServerPort          int
	NodeMonitorGracePeriod time.Duration
	ReadyTimeout           time.Duration
	Verbosity              int
	StopWithParent         bool
}

// Main runs `up` and returns the process exit code.
func Main(args []string) int {
	opts, err := parseFlags(args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "localcp up: %v\n", err)
		return 2
	}
	s, err := newSupervisor(opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "localcp up: %v\n", err)
		return 1
	}
	return s.run()
}

func parseFlags(args []string) (Options, error) {
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	var o Options
	fs.StringVar(&o.DataDir, "data-dir", "", "directory for PKI, etcd data, logs and kubeconfigs (required; reusable across runs)")
	fs.StringVar(&o.KubeconfigOut, "kubeconfig-out", "", "also write the admin kubeconfig here once ready (default: <data-dir>/admin.kubeconfig only)")
	fs.IntVar(&o.APIServerPort, "apiserver-port", 0, "kube-apiserver port on 127.0.0.1 (0 picks a free one)")
	fs.DurationVar(&o.NodeMonitorGracePeriod, "node-monitor-grace-period", 40*time.Second, "how long a node may miss its lease before the node lifecycle controller marks it NotReady")
	fs.DurationVar(&o.ReadyTimeout, "ready-timeout", 5*time.Minute, "give up, print log tails and stop if the control plane is not ready by then")
	fs.IntVar(&o.Verbosity, "v", 1, "klog verbosity passed to every component")
	fs.BoolVar(&o.StopWithParent, "stop-with-parent", false, "shut down when the process that started us exits (for harnesses that may be killed)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.DataDir == "" {
		return o, errors.New("--data-dir is required")
	}
	abs, err := filepath.Abs(o.DataDir)
	if err != nil {
		return o, err
	}
	o.DataDir = abs
	if o.NodeMonitorGracePeriod < 4*time.Second {
		return o, fmt.Errorf("--node-monitor-grace-period %s is too short: use at least 4s", o.NodeMonitorGracePeriod)
	}
	return o, nil
}

type supervisor struct {
	opts    Options
	self    string
	pki     pki.Paths
	ports   Ports
	etcd    *component
	api     *component
	kcm     *component
	sched   *component
	started time.Time
	changed chan struct{} // a component was started through the control server: re-arm the watch
}

func newSupervisor(opts Options) (*supervisor, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	for _, dir := range []string{opts.DataDir, filepath.Join(opts.DataDir, "logs"), filepath.Join(opts.DataDir, "kubeconfigs")} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("cannot create %s: %w", dir, err)
		}
	}
	return &supervisor{opts: opts, self: self, started: time.Now(), changed: make(chan struct{}, 1)}, nil
}

func (s *supervisor) run() int {
	release, err := lockDataDir(s.opts.DataDir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "localcp up: %v\n", err)
		return 1
	}
	defer release()
	s.removeReadyFiles()

	ports, err := choosePorts(s.opts.APIServerPort)
	if err != nil {
		fmt.Fprintf(os.Stderr, "localcp up: %v\n", err)
		return 1
	}
	s.ports = ports
	paths, err := pki.Ensure(filepath.Join(s.opts.DataDir, "pki"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "localcp up: preparing certificates in %s: %v\n", s.opts.DataDir, err)
		return 1
	}
	s.pki = paths
	if err := s.writeComponentKubeconfigs(); err != nil {
		fmt.Fprintf(os.Stderr, "localcp up: writing kubeconfigs: %v\n", err)
		return 1
	}
	s.buildComponents()

	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer cancel()
	if s.opts.StopWithParent {
		ctx = stopWhenOrphaned(ctx)
	}
	readyCtx, readyCancel := context.WithTimeout(ctx, s.opts.ReadyTimeout)
	err = s.startAll(readyCtx)
	readyCancel()
	if err != nil {
		if ctx.Err() != nil {
			s.logf("interrupted before ready; stopping")
		} else {
			s.logf("control plane failed to become ready: %v", err)
			s.printLogTails()
		}
		s.stopAll()
		return 1
	}
	control, err := startControlServer(s)
	if err != nil {
		s.logf("control server: %v", err)
		s.stopAll()
		return 1
	}
	s.ports.Control = control.port
	if err := s.publishReady(); err != nil {
		s.logf("publishing ready files: %v", err)
		s.stopAll()
		return 1
	}
	s.logf("ready in %.1fs: kube-apiserver https://127.0.0.1:%d, kubeconfig %s",
		time.Since(s.started).Seconds(), s.ports.APIServer, s.adminKubeconfigPath())

	code := s.watch(ctx)
	control.close()
	s.removeReadyFiles()
	s.stopAll()
	s.logf("stopped")
	return code
}

func (s *supervisor) buildComponents() {
	d := s.opts.DataDir
	v := "--v=" + strconv.Itoa(s.opts.Verbosity)
	p := s.ports
	etcdURL := fmt.Sprintf("http://127.0.0.1:%d", p.EtcdClient)
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", p.EtcdPeer)
	s.etcd = newComponent(d, "etcd", []string{
		"--name=local", "--data-dir=" + filepath.Join(d, "etcd"),
		"--listen-client-urls=" + etcdURL, "--advertise-client-urls=" + etcdURL,
		"--listen-peer-urls=" + peerURL, "--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=local=" + peerURL,
		// A throwaway development store: fsync buys nothing and costs seconds per test on slow disks.
		"--unsafe-no-fsync=true", "--log-level=warn",
	})
	s.api = newComponent(d, "kube-apiserver", []string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port=" + strconv.Itoa(p.APIServer),
		"--tls-cert-file=" + s.pki.ServingCert(), "--tls-private-key-file=" + s.pki.ServingKey(),
		"--client-ca-file=" + s.pki.CACert(),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + s.pki.ServiceAccountPub(),
		"--service-account-signing-key-file=" + s.pki.ServiceAccountKey(),
		"--service-cluster-ip-range=10.0.0.0/24",
		"--authorization-mode=Node,RBAC",
		"--enable-admission-plugins=NodeRestriction,ServiceAccount",
		"--allow-privileged=true",
		// The advertise address is loopback, which the endpoint reconciler refuses to publish.
		"--endpoint-reconciler-type=none",
		"--kubelet-client-certificate=" + s.pki.ClientCert("apiserver-kubelet-client"),
		"--kubelet-client-key=" + s.pki.ClientKey("apiserver-kubelet-client"),
		"--profiling=false", v,
	})
	kcmKubeconfig := filepath.Join(d, "kubeconfigs", "kube-controller-manager.kubeconfig")
	s.kcm = newComponent(d, "kube-controller-manager", []string{
		"--kubeconfig=" + kcmKubeconfig,
		"--authentication-kubeconfig=" + kcmKubeconfig, "--authorization-kubeconfig=" + kcmKubeconfig,
		"--bind-address=127.0.0.1", "--secure-port=" + strconv.Itoa(p.ControllerManager),
		"--cert-dir=" + filepath.Join(d, "kube-controller-manager"),
		"--leader-elect=false",
		"--use-service-account-credentials=true",
		"--service-account-private-key-file=" + s.pki.ServiceAccountKey(),
		"--root-ca-file=" + s.pki.CACert(),
		"--cluster-signing-cert-file=" + s.pki.CACert(), "--cluster-signing-key-file=" + s.pki.CAKey(),
		"--service-cluster-ip-range=10.0.0.0/24", "--cluster-name=kubernetes",
		"--controllers=*",
		"--node-monitor-grace-period=" + s.opts.NodeMonitorGracePeriod.String(),
		"--node-monitor-period=2s",
		"--profiling=false", v,
	})
	schedKubeconfig := filepath.Join(d, "kubeconfigs", "kube-scheduler.kubeconfig")
	s.sched = newComponent(d, "kube-scheduler", []string{
		"--kubeconfig=" + schedKubeconfig,
		"--authentication-kubeconfig=" + schedKubeconfig, "--authorization-kubeconfig=" + schedKubeconfig,
		"--bind-address=127.0.0.1", "--secure-port=" + strconv.Itoa(p.Scheduler),
		"--cert-dir=" + filepath.Join(d, "kube-scheduler"),
		"--leader-elect=false", "--profiling=false", v,
	})
}

func (s *supervisor) components() []*component {
	return []*component{s.etcd, s.api, s.kcm, s.sched}
}

// startAll starts the components in dependency order and waits for each gate of readiness.
func (s *supervisor) startAll(ctx context.Context) error {
	probe := newProber(s)
	steps := []struct {
		c    *component
		wait func(context.Context) error
	}{
		{s.etcd, probe.etcdHealthy},
		{s.api, probe.apiServerReady},
		{s.kcm, nil},
		{s.sched, nil},
	}
	for _, step := range steps {
		if err := step.c.start(s.self); err != nil {
			return err
		}
		if step.wait == nil {
			continue
		}
		t := time.Now()
		if err := s.waitWhileRunning(ctx, step.c, step.wait); err != nil {
			return err
		}
		s.logf("%s ready (%.1fs)", step.c.name, time.Since(t).Seconds())
	}
	t := time.Now()
	gates := []struct {
		c    *component
		wait func(context.Context) error
	}{
		{s.kcm, probe.controllerManagerHealthy},
		{s.sched, probe.schedulerHealthy},
		{s.api, probe.defaultServiceAccountExists},
	}
	for _, g := range gates {
		if err := s.waitWhileRunning(ctx, g.c, g.wait); err != nil {
			return err
		}
	}
	s.logf("kube-controller-manager and kube-scheduler ready, default service account present (%.1fs)", time.Since(t).Seconds())
	return nil
}

// waitWhileRunning polls a readiness gate but fails at once if the component exits meanwhile, so a
// crash (a port taken, a bad data dir) is reported in a second, not at the timeout.
func (s *supervisor) waitWhileRunning(ctx context.Context, c *component, gate func(context.Context) error) error {
	exited, _ := c.done()
	errc := make(chan error, 1)
	gateCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { errc <- gate(gateCtx) }()
	select {
	case err := <-errc:
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		return nil
	case <-exited:
		return fmt.Errorf("%s exited during start-up (see %s)", c.name, c.logPath)
	}
}

// watch supervises the running plane. A component that exits unexpectedly is restarted a few times
// (kube-controller-manager exits by design when it loses the apiserver for too long); one that keeps
// crashing brings the whole plane down with its log tail, rather than leaving a half-working cluster.
func (s *supervisor) watch(ctx context.Context) int {
	const maxRestarts = 5
	restarts := map[string]int{}
	for {
		exitedAny := make(chan *component, len(s.components()))
		stopWatch := make(chan struct{})
		for _, c := range s.components() {
			exited, info := c.done()
			go func(c *component) {
				select {
				case <-exited:
					if stopping, _ := info(); !stopping {
						exitedAny <- c
					}
				case <-stopWatch:
				}
			}(c)
		}
		select {
		case <-ctx.Done():
			close(stopWatch)
			s.logf("signal received; stopping")
			return 0
		case c := <-exitedAny:
			close(stopWatch)
			_, info := c.done()
			_, err := info()
			restarts[c.name]++
			if restarts[c.name] > maxRestarts {
				s.logf("%s exited %d times (last: %v); giving up", c.name, restarts[c.name], err)
				fmt.Fprintf(os.Stderr, "--- %s log tail ---\n%s", c.name, c.logTail(40))
				return 1
			}
			s.logf("%s exited unexpectedly (%v); restarting (%d/%d)", c.name, err, restarts[c.name], maxRestarts)
			time.Sleep(time.Second)
			if err := c.start(s.self); err != nil {
				s.logf("restarting %s: %v", c.name, err)
				return 1
			}
		case <-s.controlChanged():
			close(stopWatch)
		}
	}
}

func (s *supervisor) stopAll() {
	cs := s.components()
	for i := len(cs) - 1; i >= 0; i-- {
		if cs[i] != nil {
			cs[i].stop(15 * time.Second)
		}
	}
}

func (s *supervisor) printLogTails() {
	for _, c := range s.components() {
		fmt.Fprintf(os.Stderr, "--- %s log tail (%s) ---\n%s", c.name, c.logPath, c.logTail(25))
	}
}

func (s *supervisor) adminKubeconfigPath() string {
	return filepath.Join(s.opts.DataDir, "admin.kubeconfig")
}

func (s *supervisor) readyFilePath() string { return filepath.Join(s.opts.DataDir, "ready.json") }

func (s *supervisor) removeReadyFiles() {
	_ = os.Remove(s.readyFilePath())
	_ = os.Remove(s.adminKubeconfigPath())
	if s.opts.KubeconfigOut != "" {
		_ = os.Remove(s.opts.KubeconfigOut)
	}
}

func (s *supervisor) writeComponentKubeconfigs() error {
	server := "https://127.0.0.1:" + strconv.Itoa(s.ports.APIServer)
	for _, file := range []string{"kube-controller-manager", "kube-scheduler"} {
		data, err := pki.Kubeconfig(s.pki, server, pki.IdentityByFile(file))
		if err != nil {
			return err
		}
		if err := pki.WriteFileAtomic(filepath.Join(s.opts.DataDir, "kubeconfigs", file+".kubeconfig"), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func (s *supervisor) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "localcp: "+strings.TrimSuffix(format, "\n")+"\n", args...)
}

func (s *supervisor) controlChanged() <-chan struct{} { return s.changed }

func (s *supervisor) notifyControlChanged() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// stopWhenOrphaned returns a context cancelled when our parent process exits (we are re-parented), so a
// harness that dies without cleaning up (SIGKILL, a crash) never leaves a control plane running.
func stopWhenOrphaned(parent context.Context) context.Context {
	ctx, cancel := context.WithCancel(parent)
	ppid := os.Getppid()
	go func() {
		ticker := time.NewTicker(500 * time.Millisecond)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
				if os.Getppid() != ppid {
					fmt.Fprintln(os.Stderr, "localcp: parent process exited; stopping")
					cancel()
					return
				}
			}
		}
	}()
	return ctx
}
