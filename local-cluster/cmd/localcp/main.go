// Command localcp is a multi-call binary holding a whole Kubernetes control plane built from Go modules:
// etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kubectl, plus `up`, a supervisor that
// generates certificates and runs each component as a child process of this same binary.
//
// The upstream cobra commands cannot share one process (k8s.io/apiserver's SetupSignalContext panics when
// called twice, and feature gates are process-global), so each component runs in its own process and only
// the link is shared (see ../../README.md).
package main

import (
	"fmt"
	"os"

	"github.com/edge-controller/edge-controller/local-cluster/internal/supervisor"
	"github.com/spf13/cobra"
	"go.etcd.io/etcd/server/v3/etcdmain"
	"k8s.io/component-base/cli"
	"k8s.io/component-base/logs"
	kubectlcmd "k8s.io/kubectl/pkg/cmd"
	kubectlutil "k8s.io/kubectl/pkg/cmd/util"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"

	_ "k8s.io/client-go/plugin/pkg/client/auth"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	_ "time/tzdata"
)

const usage = `usage: localcp <command> [flags]

commands:
  up                        generate certificates and run a whole control plane until SIGINT/SIGTERM
  etcd                      run etcd (go.etcd.io/etcd/server/v3)
  kube-apiserver            run kube-apiserver
  kube-controller-manager   run kube-controller-manager
  kube-scheduler            run kube-scheduler
  kubectl                   run kubectl of the same Kubernetes release
  version                   print the Kubernetes and etcd versions this binary was built from
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	command, rest := os.Args[1], os.Args[2:]
	switch command {
	case "up":
		os.Exit(supervisor.Main(rest))
	case "etcd":
		etcdmain.Main(append([]string{"etcd"}, rest...))
	case "kube-apiserver":
		os.Exit(runCobra(apiserver.NewAPIServerCommand(), rest))
	case "kube-controller-manager":
		os.Exit(runCobra(controllermanager.NewControllerManagerCommand(), rest))
	case "kube-scheduler":
		os.Exit(runCobra(scheduler.NewSchedulerCommand(), rest))
	case "kubectl":
		os.Args = append([]string{"kubectl"}, rest...)
		logs.GlogSetter(kubectlcmd.GetLogVerbosity(os.Args)) //nolint:errcheck
		command := kubectlcmd.NewDefaultKubectlCommand()
		if err := cli.RunNoErrOutput(command); err != nil {
			kubectlutil.CheckErr(err)
		}
	case "version":
		fmt.Printf("kubernetes %s\netcd %s\n", supervisor.KubernetesVersion, supervisor.EtcdVersion)
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "localcp: unknown command %q\n\n%s", command, usage)
		os.Exit(2)
	}
}

// runCobra runs an upstream command with the arguments that follow our subcommand name.
func runCobra(cmd *cobra.Command, args []string) int {
	cmd.SetArgs(args)
	return cli.Run(cmd)
}
