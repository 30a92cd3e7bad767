package supervisor

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/edge-controller/edge-controller/local-cluster/internal/pki"
)

// Ready is the content of <data-dir>/ready.json, written once the plane is usable. The TS wrapper reads it.
type Ready struct {
	Pid               int    `json:"pid"`
	Ports             Ports  `json:"ports"`
	Server            string `json:"server"`
	Kubeconfig        string `json:"kubeconfig"`
	CACert            string `json:"caCert"`
	CAKey             string `json:"caKey"`
	KubernetesVersion string `json:"kubernetesVersion"`
	EtcdVersion       string `json:"etcdVersion"`
	StartToReadyMs    int64  `json:"startToReadyMs"`
}

func (s *supervisor) publishReady() error {
	server := fmt.Sprintf("https://127.0.0.1:%d", s.ports.APIServer)
	kubeconfig, err := pki.Kubeconfig(s.pki, server, pki.IdentityByFile("admin"))
	if err != nil {
		return err
	}
	if err := pki.WriteFileAtomic(s.adminKubeconfigPath(), kubeconfig, 0o600); err != nil {
		return err
	}
	if s.opts.KubeconfigOut != "" {
		if err := pki.WriteFileAtomic(s.opts.KubeconfigOut, kubeconfig, 0o600); err != nil {
			return fmt.Errorf("--kubeconfig-out: %w", err)
		}
	}
	ready, err := json.MarshalIndent(Ready{
		Pid: os.Getpid(), Ports: s.ports, Server: server, Kubeconfig: s.adminKubeconfigPath(),
		CACert: s.pki.CACert(), CAKey: s.pki.CAKey(),
		KubernetesVersion: KubernetesVersion, EtcdVersion: EtcdVersion,
		StartToReadyMs: time.Since(s.started).Milliseconds(),
	}, "", "  ")
	if err != nil {
		return err
	}
	return pki.WriteFileAtomic(s.readyFilePath(), append(ready, '\n'), 0o644)
}

// controlServer lets tests stop and start single components for fault injection:
//
//	POST /components/{name}/stop    stops it (SIGTERM, then SIGKILL after 15 s)
//	POST /components/{name}/start   starts it again with the same flags and waits until it is ready
//	GET  /components                JSON {name: {running, pid}}
//
// It listens on 127.0.0.1 only; anyone who can reach it could also read the data dir's admin key.
type controlServer struct {
	port int
	srv  *http.Server
}

func startControlServer(s *supervisor) (*controlServer, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /components", func(w http.ResponseWriter, _ *http.Request) {
		out := map[string]any{}
		for _, c := range s.components() {
			out[c.name] = map[string]any{"running": c.running(), "pid": c.pid()}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("POST /components/{name}/{action}", func(w http.ResponseWriter, r *http.Request) {
		c := s.componentByName(r.PathValue("name"))
		if c == nil {
			http.Error(w, "unknown component "+r.PathValue("name"), http.StatusNotFound)
			return
		}
		switch r.PathValue("action") {
		case "stop":
			c.stop(15 * time.Second)
			s.logf("%s stopped on request", c.name)
		case "start":
			if c.running() {
				http.Error(w, c.name+" is already running", http.StatusConflict)
				return
			}
			if err := c.start(s.self); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			s.notifyControlChanged()
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Minute)
			defer cancel()
			if err := s.waitWhileRunning(ctx, c, s.readinessGate(c)); err != nil {
				http.Error(w, err.Error(), http.StatusServiceUnavailable)
				return
			}
			s.logf("%s started on request", c.name)
		default:
			http.Error(w, "action must be stop or start", http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	return &controlServer{port: l.Addr().(*net.TCPAddr).Port, srv: srv}, nil
}

func (c *controlServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = c.srv.Shutdown(ctx)
}

func (s *supervisor) componentByName(name string) *component {
	for _, c := range s.components() {
		if strings.EqualFold(c.name, name) {
			return c
		}
	}
	return nil
}

func (s *supervisor) readinessGate(c *component) func(context.Context) error {
	p := newProber(s)
	switch c {
	case s.etcd:
		return p.etcdHealthy
	case s.api:
		return p.apiServerReady
	case s.kcm:
		return p.controllerManagerHealthy
	default:
		return p.schedulerHealthy
	}
}
