// hollow-edge runs KubeEdge's EdgeCore v1.23.1 (edged, edgehub, metamanager: KubeEdge's own code, taken
// as a module dependency) with a fake container runtime, so that the conformance tests can join real
// edges to edge-controller without containers.
//
// Why not KubeEdge's edgemark main: at v1.23.1 it crashes at start (three kubelet dependencies are left
// nil, and the database is opened after metamanager has captured it), and it hard-codes every path
// (/edgecore.db, /etc/kubeedge, /var/lib/kubelet) and the read-only port, so two cannot share a machine.
// This main sets those dependencies, opens the database first, and puts every file an instance writes
// under --data-dir, the fake runtime's socket included (edgemark leaves one in /tmp per start).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"go.opentelemetry.io/otel/trace/noop"
	cliflag "k8s.io/component-base/cli/flag"
	"k8s.io/component-base/featuregate"
	remote "k8s.io/cri-client/pkg"
	fakeremote "k8s.io/cri-client/pkg/fake"
	"k8s.io/klog/v2"
	kubeletapp "k8s.io/kubernetes/cmd/kubelet/app"
	kubeletoptions "k8s.io/kubernetes/cmd/kubelet/app/options"
	"k8s.io/kubernetes/pkg/kubelet"
	cadvisortest "k8s.io/kubernetes/pkg/kubelet/cadvisor/testing"
	"k8s.io/kubernetes/pkg/kubelet/cm"
	containertest "k8s.io/kubernetes/pkg/kubelet/container/testing"
	kubeletutil "k8s.io/kubernetes/pkg/kubelet/util"
	"k8s.io/kubernetes/pkg/util/oom"
	"k8s.io/kubernetes/pkg/volume"
	"k8s.io/kubernetes/pkg/volume/configmap"
	"k8s.io/kubernetes/pkg/volume/downwardapi"
	"k8s.io/kubernetes/pkg/volume/emptydir"
	"k8s.io/kubernetes/pkg/volume/hostpath"
	"k8s.io/kubernetes/pkg/volume/local"
	"k8s.io/kubernetes/pkg/volume/projected"
	"k8s.io/kubernetes/pkg/volume/secret"
	"k8s.io/kubernetes/pkg/volume/util/hostutil"
	"k8s.io/kubernetes/pkg/volume/util/subpath"
	"k8s.io/mount-utils"

	"github.com/kubeedge/api/apis/componentconfig/edgecore/v1alpha2"
	"github.com/kubeedge/beehive/pkg/core"
	"github.com/kubeedge/kubeedge/edge/pkg/edged"
	"github.com/kubeedge/kubeedge/edge/pkg/edgehub"
	"github.com/kubeedge/kubeedge/edge/pkg/metamanager"
	"github.com/kubeedge/kubeedge/edge/pkg/metamanager/dao"
	"github.com/kubeedge/kubeedge/pkg/version"
)

// options are edgemark's flags plus the per-instance ones.
type options struct {
	nodeName        string
	token           string
	httpServer      string
	websocketServer string
	nodeLabels      map[string]string
	dataDir         string
	readOnlyPort    int32
}

// init asks the kernel to kill this process when its parent dies, so that a test runner that crashes
// leaves no edge behind. It runs in init, on the process's main thread, as PR_SET_PDEATHSIG needs.
func init() {
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0); errno != 0 {
		fmt.Fprintln(os.Stderr, "hollow-edge: cannot set the parent-death signal:", errno)
	}
	if os.Getppid() == 1 {
		os.Exit(1) // the parent died before the call above
	}
}

func main() {
	opts := options{nodeLabels: map[string]string{}}
	fs := pflag.NewFlagSet("hollow-edge", pflag.ContinueOnError)
	fs.StringVar(&opts.nodeName, "name", "fake-node", "node name of this hollow EdgeCore")
	fs.StringVar(&opts.token, "token", "", "join token (<sha256 of the CA>.<jwt>), as keadm gettoken prints it")
	fs.StringVar(&opts.httpServer, "http-server", "", "certificate server, e.g. https://127.0.0.1:10002")
	fs.StringVar(&opts.websocketServer, "websocket-server", "", "hub address host:port, e.g. 127.0.0.1:10000")
	labels := cliflag.ConfigurationMap(opts.nodeLabels)
	fs.Var(&labels, "node-labels", "extra node labels k=v,k2=v2")
	fs.StringVar(&opts.dataDir, "data-dir", "", "directory for everything this instance writes (required)")
	fs.Int32Var(&opts.readOnlyPort, "read-only-port", 10350, "kubelet read-only port on 127.0.0.1; unique per instance")
	klogFlags := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(klogFlags)
	fs.AddGoFlagSet(klogFlags)
	if err := fs.Parse(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "hollow-edge:", err)
		os.Exit(2)
	}
	if err := run(opts); err != nil {
		fmt.Fprintln(os.Stderr, "hollow-edge:", err)
		os.Exit(1)
	}
}

func run(opts options) error {
	if opts.dataDir == "" {
		return fmt.Errorf("--data-dir is required")
	}
	if opts.token == "" || opts.httpServer == "" || opts.websocketServer == "" {
		return fmt.Errorf("--token, --http-server and --websocket-server are required")
	}
	dataDir, err := filepath.Abs(opts.dataDir)
	if err != nil {
		return err
	}
	// sqlite does not create the database's directory; the kubelet creates the rest itself.
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	cfg := edgeCoreConfig(opts, dataDir)

	criEndpoint := "unix://" + filepath.Join(dataDir, "cri.sock")
	edged.DefaultKubeletDeps = func(s *kubeletoptions.KubeletServer, _ featuregate.FeatureGate) (*kubelet.Dependencies, error) {
		return fakeKubeletDeps(s, criEndpoint)
	}
	// The lite kubelet path sets up cgroups, cadvisor and the real CRI; the fake dependencies need the
	// plain RunKubelet, as in KubeEdge's edgemark.
	edged.DefaultRunLiteKubelet = func(ctx context.Context, s *kubeletoptions.KubeletServer,
		deps *kubelet.Dependencies, _ featuregate.FeatureGate) error {
		return kubeletapp.RunKubelet(ctx, s, deps)
	}

	// The database must be open before metamanager registers: its meta service captures the *gorm.DB
	// when it is built, and a nil one panics on the first query (edgecore's own main does the same).
	dao.Init(cfg.DataBase.DataSource, cfg.Modules.MetaManager)
	edged.Register(cfg.Modules.Edged)
	edgehub.Register(cfg.Modules.EdgeHub, cfg.Modules.Edged.HostnameOverride)
	metamanager.Register(cfg.Modules.MetaManager)
	core.Run()
	return nil
}

// edgeCoreConfig is KubeEdge's default EdgeCore configuration with every path under dataDir.
func edgeCoreConfig(opts options, dataDir string) *v1alpha2.EdgeCoreConfig {
	c := v1alpha2.NewDefaultEdgeCoreConfig()
	yes, no := true, false
	c.EdgeCoreVersion = version.Get().String()
	c.DataBase.DataSource = filepath.Join(dataDir, "edgecore.db")

	hub := c.Modules.EdgeHub
	hub.Token = opts.token
	hub.HTTPServer = opts.httpServer
	hub.WebSocket.Server = opts.websocketServer
	hub.TLSCAFile = filepath.Join(dataDir, "ca", "rootCA.crt")
	hub.TLSCertFile = filepath.Join(dataDir, "certs", "server.crt")
	hub.TLSPrivateKeyFile = filepath.Join(dataDir, "certs", "server.key")

	e := c.Modules.Edged
	e.HostnameOverride = opts.nodeName
	e.NodeLabels = opts.nodeLabels
	e.RootDirectory = filepath.Join(dataDir, "kubelet")
	k := e.TailoredKubeletConfig
	k.RegisterNode = &yes
	k.CgroupsPerQOS = &no
	k.EnableControllerAttachDetach = &no
	k.ProtectKernelDefaults = false
	k.Address = "127.0.0.1"
	k.ReadOnlyPort = opts.readOnlyPort
	k.StaticPodPath = filepath.Join(dataDir, "manifests")
	k.PodLogsDir = filepath.Join(dataDir, "pod-logs")
	k.VolumePluginDir = filepath.Join(dataDir, "volume-plugins")
	return c
}

// fakeKubeletDeps are the kubelet's dependencies with KubeEdge's fake runtime (a CRI gRPC server in this
// process) and the three fields stock edgemark leaves nil, each of which panics the kubelet.
func fakeKubeletDeps(s *kubeletoptions.KubeletServer, criEndpoint string) (*kubelet.Dependencies, error) {
	runtime := fakeremote.NewFakeRemoteRuntime()
	// A socket left by an earlier run of this instance (kill -9) would make the listen fail.
	_ = os.Remove(criEndpoint[len("unix://"):])
	if err := runtime.Start(criEndpoint); err != nil {
		return nil, fmt.Errorf("start the fake container runtime: %w", err)
	}
	logger := klog.Background()
	tracing := noop.NewTracerProvider()
	runtimeService, err := remote.NewRemoteRuntimeService(criEndpoint, 15*time.Second, tracing, &logger)
	if err != nil {
		return nil, fmt.Errorf("connect to the fake container runtime: %w", err)
	}
	return &kubelet.Dependencies{
		RemoteRuntimeService:      runtimeService,
		RemoteImageService:        runtime.ImageService,
		CAdvisorInterface:         &cadvisortest.Fake{NodeName: s.HostnameOverride},
		OSInterface:               &containertest.FakeOS{},
		ContainerManager:          cm.NewStubContainerManager(),
		VolumePlugins:             volumePlugins(),
		OOMAdjuster:               oom.NewFakeOOMAdjuster(),
		Mounter:                   &mount.FakeMounter{},
		Subpather:                 &subpath.FakeSubpath{},
		HostUtil:                  hostutil.NewFakeHostUtil(nil),
		TracerProvider:            tracing,
		NodeStartupLatencyTracker: kubeletutil.NewNodeStartupLatencyTracker(),
		PodStartupLatencyTracker:  kubeletutil.NewPodStartupLatencyTracker(),
	}, nil
}

// volumePlugins are the plugins pods in the conformance tests use (ConfigMap, Secret, projected
// service-account tokens, emptyDir, hostPath, downward API, local).
func volumePlugins() []volume.VolumePlugin {
	var plugins []volume.VolumePlugin
	plugins = append(plugins, emptydir.ProbeVolumePlugins()...)
	plugins = append(plugins, hostpath.ProbeVolumePlugins(volume.VolumeConfig{})...)
	plugins = append(plugins, secret.ProbeVolumePlugins()...)
	plugins = append(plugins, downwardapi.ProbeVolumePlugins()...)
	plugins = append(plugins, configmap.ProbeVolumePlugins()...)
	plugins = append(plugins, projected.ProbeVolumePlugins()...)
	plugins = append(plugins, local.ProbeVolumePlugins()...)
	return plugins
}
