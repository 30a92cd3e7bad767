// Package pki makes the certificates, keys and kubeconfigs a local control plane needs: one CA, the
// apiserver's serving certificate, client certificates for the admin and each component, and the
// service-account signing key. Everything is written once into a data dir and reused on the next start,
// so tokens and kubeconfigs issued earlier stay valid across restarts of the same data dir.
package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Validity of everything issued here. The data dir is for local development and tests, so ten years
// means "never expires in practice" rather than a rotation policy.
const validity = 10 * 365 * 24 * time.Hour

// Identity is a client certificate's subject: the user name (CN) and groups (O) the apiserver sees.
type Identity struct {
	File         string // base name, without extension, of the .crt/.key pair
	CommonName   string
	Organization []string
}

// Identities lists the client certificates every control plane gets.
var Identities = []Identity{
	{File: "admin", CommonName: "kubernetes-admin", Organization: []string{"system:masters"}},
	{File: "kube-controller-manager", CommonName: "system:kube-controller-manager"},
	{File: "kube-scheduler", CommonName: "system:kube-scheduler"},
	{File: "apiserver-kubelet-client", CommonName: "kube-apiserver-kubelet-client", Organization: []string{"system:masters"}},
}

// Paths names every file in the PKI directory.
type Paths struct{ Dir string }

func (p Paths) CACert() string                { return filepath.Join(p.Dir, "ca.crt") }
func (p Paths) CAKey() string                 { return filepath.Join(p.Dir, "ca.key") }
func (p Paths) ServingCert() string           { return filepath.Join(p.Dir, "apiserver.crt") }
func (p Paths) ServingKey() string            { return filepath.Join(p.Dir, "apiserver.key") }
func (p Paths) ServiceAccountKey() string     { return filepath.Join(p.Dir, "sa.key") }
func (p Paths) ServiceAccountPub() string     { return filepath.Join(p.Dir, "sa.pub") }
func (p Paths) ClientCert(file string) string { return filepath.Join(p.Dir, file+".crt") }
func (p Paths) ClientKey(file string) string  { return filepath.Join(p.Dir, file+".key") }

// Ensure creates whatever of the PKI is missing in dir and leaves existing files alone.
func Ensure(dir string) (Paths, error) {
	paths := Paths{Dir: dir}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return paths, err
	}
	ca, caKey, err := ensureCA(paths)
	if err != nil {
		return paths, fmt.Errorf("CA: %w", err)
	}
	if !exists(paths.ServingCert()) || !exists(paths.ServingKey()) {
		tmpl := leafTemplate(pkix.Name{CommonName: "kube-apiserver"}, x509.ExtKeyUsageServerAuth)
		tmpl.DNSNames = []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
			"kubernetes.default.svc.cluster.local"}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("10.0.0.1")}
		if err := issue(tmpl, ca, caKey, paths.ServingCert(), paths.ServingKey()); err != nil {
			return paths, fmt.Errorf("serving certificate: %w", err)
		}
	}
	for _, id := range Identities {
		if exists(paths.ClientCert(id.File)) && exists(paths.ClientKey(id.File)) {
			continue
		}
		tmpl := leafTemplate(pkix.Name{CommonName: id.CommonName, Organization: id.Organization}, x509.ExtKeyUsageClientAuth)
		if err := issue(tmpl, ca, caKey, paths.ClientCert(id.File), paths.ClientKey(id.File)); err != nil {
			return paths, fmt.Errorf("client certificate %s: %w", id.File, err)
		}
	}
	if !exists(paths.ServiceAccountKey()) || !exists(paths.ServiceAccountPub()) {
		if err := writeServiceAccountKey(paths); err != nil {
			return paths, fmt.Errorf("service-account key: %w", err)
		}
	}
	return paths, nil
}

func ensureCA(paths Paths) (*x509.Certificate, crypto.Signer, error) {
	if exists(paths.CACert()) && exists(paths.CAKey()) {
		return loadCA(paths)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "edge-controller-local-ca"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, err
	}
	if err := writeKey(paths.CAKey(), key); err != nil {
		return nil, nil, err
	}
	if err := writePEM(paths.CACert(), "CERTIFICATE", der, 0o644); err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

func loadCA(paths Paths) (*x509.Certificate, crypto.Signer, error) {
	certPEM, err := os.ReadFile(paths.CACert())
	if err != nil {
		return nil, nil, err
	}
	keyPEM, err := os.ReadFile(paths.CAKey())
	if err != nil {
		return nil, nil, err
	}
	certBlock, _ := pem.Decode(certPEM)
	keyBlock, _ := pem.Decode(keyPEM)
	if certBlock == nil || keyBlock == nil {
		return nil, nil, errors.New("ca.crt or ca.key is not PEM: delete the data dir's pki folder to start over")
	}
	cert, err := x509.ParseCertificate(certBlock.Bytes)
	if err != nil {
		return nil, nil, err
	}
	key, err := x509.ParseECPrivateKey(keyBlock.Bytes)
	if err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}

func leafTemplate(subject pkix.Name, usage x509.ExtKeyUsage) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber: serial(),
		Subject:      subject,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
	}
}

func issue(tmpl, ca *x509.Certificate, caKey crypto.Signer, certPath, keyPath string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		return err
	}
	if err := writeKey(keyPath, key); err != nil {
		return err
	}
	return writePEM(certPath, "CERTIFICATE", der, 0o644)
}

// writeServiceAccountKey makes the RSA key pair that signs and verifies service-account tokens. RSA, not
// ECDSA, because every consumer of these tokens (and the OIDC discovery document) handles RS256.
func writeServiceAccountKey(paths Paths) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	if err := writePEM(paths.ServiceAccountKey(), "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key), 0o600); err != nil {
		return err
	}
	return writePEM(paths.ServiceAccountPub(), "PUBLIC KEY", pub, 0o644)
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	return writePEM(path, "EC PRIVATE KEY", der, 0o600)
}

// writePEM writes atomically (temp file + rename) so an interrupted first start never leaves half a key.
func writePEM(path, blockType string, der []byte, mode os.FileMode) error {
	return WriteFileAtomic(path, pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der}), mode)
}

// WriteFileAtomic writes data to a temp file beside path and renames it into place.
func WriteFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return n
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
