package supervisor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// prober holds the HTTP clients the readiness gates use.
type prober struct {
	s      *supervisor
	admin  *http.Client // admin client certificate, verifies the apiserver against our CA
	health *http.Client // KCM and scheduler serve /healthz with self-signed certs on loopback
	plain  *http.Client // etcd on plain http
}

func newProber(s *supervisor) *prober {
	p := &prober{s: s, plain: &http.Client{Timeout: 2 * time.Second}}
	p.health = &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // loopback health probe of a self-signed endpoint
	}}
	p.admin = &http.Client{Timeout: 5 * time.Second}
	if cfg, err := p.adminTLS(); err == nil {
		p.admin.Transport = &http.Transport{TLSClientConfig: cfg}
	}
	return p
}

func (p *prober) adminTLS() (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(p.s.pki.ClientCert("admin"), p.s.pki.ClientKey("admin"))
	if err != nil {
		return nil, err
	}
	caPEM, err := os.ReadFile(p.s.pki.CACert())
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	return &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool}, nil
}

func (p *prober) etcdHealthy(ctx context.Context) error {
	url := fmt.Sprintf("http://127.0.0.1:%d/health", p.s.ports.EtcdClient)
	return poll(ctx, func() error { return expect(p.plain, url, `"health":"true"`) })
}

func (p *prober) apiServerReady(ctx context.Context) error {
	base := fmt.Sprintf("https://127.0.0.1:%d", p.s.ports.APIServer)
	return poll(ctx, func() error {
		if err := expect(p.admin, base+"/readyz", "ok"); err != nil {
			return err
		}
		return expect(p.admin, base+"/api/v1/namespaces/default", `"name":"default"`)
	})
}

func (p *prober) defaultServiceAccountExists(ctx context.Context) error {
	url := fmt.Sprintf("https://127.0.0.1:%d/api/v1/namespaces/default/serviceaccounts/default", p.s.ports.APIServer)
	return poll(ctx, func() error { return expect(p.admin, url, `"name":"default"`) })
}

func (p *prober) controllerManagerHealthy(ctx context.Context) error {
	url := fmt.Sprintf("https://127.0.0.1:%d/healthz", p.s.ports.ControllerManager)
	return poll(ctx, func() error { return expect(p.health, url, "ok") })
}

func (p *prober) schedulerHealthy(ctx context.Context) error {
	url := fmt.Sprintf("https://127.0.0.1:%d/healthz", p.s.ports.Scheduler)
	return poll(ctx, func() error { return expect(p.health, url, "ok") })
}

// poll retries check every 250 ms until it succeeds or ctx ends; the last failure is the error.
func poll(ctx context.Context, check func() error) error {
	var last error
	for {
		if last = check(); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not ready: %v", last)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func expect(c *http.Client, url, contains string) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), contains) {
		return fmt.Errorf("GET %s: %d %s", url, resp.StatusCode, strings.TrimSpace(string(body[:min(len(body), 200)])))
	}
	return nil
}
