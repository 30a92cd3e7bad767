package pki

import (
	"encoding/base64"
	"fmt"
	"os"
)

// Kubeconfig renders a kubeconfig for one client identity with the CA, certificate and key embedded, so the
// file still works when copied out of the data dir.
func Kubeconfig(paths Paths, server string, id Identity) ([]byte, error) {
	ca, err := os.ReadFile(paths.CACert())
	if err != nil {
		return nil, err
	}
	cert, err := os.ReadFile(paths.ClientCert(id.File))
	if err != nil {
		return nil, err
	}
	key, err := os.ReadFile(paths.ClientKey(id.File))
	if err != nil {
		return nil, err
	}
	b64 := base64.StdEncoding.EncodeToString
	return []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: %s
  user:
    client-certificate-data: %s
    client-key-data: %s
contexts:
- name: local
  context:
    cluster: local
    user: %s
current-context: local
`, server, b64(ca), id.File, b64(cert), b64(key), id.File)), nil
}

// IdentityByFile finds one of Identities by its file name.
func IdentityByFile(file string) Identity {
	for _, id := range Identities {
		if id.File == file {
			return id
		}
	}
	panic("pki: unknown identity " + file)
}
