package supervisor

import (
	"fmt"
	"net"
)

// Ports are the 127.0.0.1 ports of one running control plane, as published in ready.json.
type Ports struct {
	EtcdClient        int `json:"etcdClient"`
	EtcdPeer          int `json:"etcdPeer"`
	APIServer         int `json:"apiServer"`
	ControllerManager int `json:"controllerManager"`
	Scheduler         int `json:"scheduler"`
	Control           int `json:"control"`
}

// choosePorts picks free ports the way envtest does: bind :0, read the port, close. Another process could
// take one before the component binds it; the component then exits at once and start-up reports it.
func choosePorts(apiServerPort int) (Ports, error) {
	var p Ports
	if apiServerPort != 0 {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", apiServerPort))
		if err != nil {
			return p, fmt.Errorf("port %d on 127.0.0.1 is in use (%v): pass another --apiserver-port, or 0 for a free one", apiServerPort, err)
		}
		l.Close()
		p.APIServer = apiServerPort
	}
	held := []net.Listener{}
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	for _, dst := range []*int{&p.EtcdClient, &p.EtcdPeer, &p.APIServer, &p.ControllerManager, &p.Scheduler} {
		if *dst != 0 {
			continue
		}
		// Hold each listener until all are chosen so the five ports are distinct.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return p, fmt.Errorf("no free port on 127.0.0.1: %w", err)
		}
		held = append(held, l)
		*dst = l.Addr().(*net.TCPAddr).Port
	}
	return p, nil
}
