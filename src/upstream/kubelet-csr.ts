/**
 * What a node may ask a kubelet signer to sign (issue 12 item 2). A `certificatesigningrequest` insert is
 * filed with the controller's credentials, and kube-controller-manager auto-approves a kubelet client CSR
 * whose requester may create node client certificates (the controller may): so everything the
 * certificate would say is checked here, before the create, against the node that sent it. Refused:
 * - a subject other than exactly `CN=system:node:<node>` and `O=system:nodes` (two attributes, one value
 *   each; the Node authorizer then treats the certificate as that node and only that node);
 * - a signer other than the two kubelet signers;
 * - usages other than the ones kubelet asks for from that signer, with or without `key encipherment`
 *   (RSA keys only; Kubernetes' `ValidateKubeletClientCSR` / `ValidateKubeletServingCSR`,
 *   kubernetes/kubernetes v1.35 `pkg/apis/certificates/v1/helpers.go`, accept exactly these sets);
 * - for the client signer, any SAN; for the serving signer, email or URI SANs, no SAN at all, a DNS name
 *   other than the node's own name or a DNS address of its own Node, a DNS name that is another Node's
 *   name, or an IP that is not one of its own Node's addresses (kubelet takes its serving SANs from the
 *   Node's `status.addresses`, `pkg/kubelet/certificate/kubelet.go`).
 *
 * Parsing (@peculiar/x509, PEM as the API carries it) is {@link parseKubeletCsr}; the verdict
 * {@link kubeletCsrViolation}. Pure: the Node's addresses and the node names come in.
 * @module
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

/** The kubelet client signer: certificates the API server accepts as `system:node:<node>`. */
export const kubeletClientSigner = 'kubernetes.io/kube-apiserver-client-kubelet';
/** The kubelet serving signer: the kubelet's HTTPS server certificate. */
export const kubeletServingSigner = 'kubernetes.io/kubelet-serving';

/** The signers a node may request from. */
export const kubeletSigners: readonly string[] = Object.freeze([kubeletClientSigner, kubeletServingSigner]);

const subjectAltNameOid = '2.5.29.17';

/** What the checks read of a CSR's PKCS#10 request. */
export interface KubeletCsrRequest {
  /** The subject's relative distinguished names, each attribute name → values (`Name.toJSON`). */
  readonly subject: readonly Readonly<Record<string, readonly string[]>>[];
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  /** SANs that are neither DNS nor IP (email, URI, …): never allowed for a node. */
  readonly otherNames: readonly string[];
}

/** A node's address as `status.addresses` holds it. */
export interface NodeAddress {
  readonly type: string;
  readonly address: string;
}

/** What the SAN check may ask about nodes. */
export interface NodeFacts {
  /** The addresses of `node`'s own Node object (empty when unknown). */
  nodeAddresses(node: string): readonly NodeAddress[];
  /** Whether a Node named `name` exists. */
  isNode(name: string): boolean;
}

/** Why a CSR was refused: a closed set, folded into authorization's reasons. */
export type KubeletCsrReason =
  'csr-signer-not-allowed' | 'csr-subject-not-allowed' | 'csr-usages-not-allowed' | 'csr-san-not-allowed';

/** A refusal with its 403 message (names the rule, never the key). */
export interface KubeletCsrViolation {
  readonly reason: KubeletCsrReason;
  readonly message: string;
}

/**
 * Reads `spec.request` (base64 of a PEM `CERTIFICATE REQUEST`, as the API carries it). `undefined` when
 * it is not one, or holds a SAN the library cannot read (fail closed). Never throws.
 */
export function parseKubeletCsr(requestBase64: string): KubeletCsrRequest | undefined {
  try {
    const pem = Buffer.from(requestBase64, 'base64').toString('utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE REQUEST-----')) return undefined;
    const csr = new x509.Pkcs10CertificateRequest(pem);
    const sanExtensions = csr.getExtensions(subjectAltNameOid);
    if (sanExtensions.length > 1) return undefined;
    const first = sanExtensions[0];
    const names =
      first === undefined ? [] : new x509.SubjectAlternativeNameExtension(first.rawData).names.items;
    return {
      subject: csr.subjectName.toJSON(),
      dnsNames: names.filter((n) => n.type === 'dns').map((n) => n.value),
      ipAddresses: names.filter((n) => n.type === 'ip').map((n) => n.value),
      otherNames: names.filter((n) => n.type !== 'dns' && n.type !== 'ip').map((n) => `${n.type}:${n.value}`),
    };
  } catch {
    return undefined;
  }
}

const clientUsages = ['client auth', 'digital signature'];
const servingUsages = ['digital signature', 'server auth'];

/** The violation of the first rule `node`'s CSR breaks, or `undefined` when it may be filed. */
export function kubeletCsrViolation(
  node: string,
  csr: {
    readonly signerName: string;
    readonly usages: readonly string[] | undefined;
    readonly request: KubeletCsrRequest;
  },
  facts: NodeFacts,
): KubeletCsrViolation | undefined {
  const { signerName, request } = csr;
  if (!kubeletSigners.includes(signerName)) {
    return violation('csr-signer-not-allowed', `a node may only request from ${kubeletSigners.join(' or ')}`);
  }
  if (!isOwnSubject(node, request.subject)) {
    return violation(
      'csr-subject-not-allowed',
      `the subject must be exactly CN=system:node:${node}, O=system:nodes`,
    );
  }
  const isServing = signerName === kubeletServingSigner;
  if (!isKubeletUsages(csr.usages ?? [], isServing ? servingUsages : clientUsages)) {
    const expected = (isServing ? servingUsages : clientUsages).join(', ');
    return violation(
      'csr-usages-not-allowed',
      `usages for ${signerName} must be ${expected} (and key encipherment for an RSA key)`,
    );
  }
  if (!isServing) {
    const sans = request.dnsNames.length + request.ipAddresses.length + request.otherNames.length;
    return sans === 0
      ? undefined
      : violation('csr-san-not-allowed', `a ${kubeletClientSigner} request may not carry SANs`);
  }
  return servingSanViolation(node, request, facts);
}

function servingSanViolation(
  node: string,
  request: KubeletCsrRequest,
  facts: NodeFacts,
): KubeletCsrViolation | undefined {
  if (request.otherNames.length > 0)
    return violation('csr-san-not-allowed', 'a serving certificate may only name DNS names and IPs');
  if (request.dnsNames.length + request.ipAddresses.length === 0)
    return violation('csr-san-not-allowed', 'a serving certificate must name a DNS name or an IP');
  const addresses = facts.nodeAddresses(node);
  const ownDns = new Set([
    node,
    ...addresses.filter((a) => !isIpAddressType(a.type)).map((a) => a.address.toLowerCase()),
  ]);
  const ownIps = new Set(addresses.filter((a) => isIpAddressType(a.type)).map((a) => canonicalIp(a.address)));
  for (const dns of request.dnsNames) {
    const name = dns.toLowerCase();
    if (!ownDns.has(name) || (name !== node && facts.isNode(name))) {
      return violation(
        'csr-san-not-allowed',
        `DNS name ${JSON.stringify(dns)} is not node ${JSON.stringify(node)}'s own name or address`,
      );
    }
  }
  for (const ip of request.ipAddresses) {
    if (!ownIps.has(canonicalIp(ip))) {
      return violation(
        'csr-san-not-allowed',
        `IP ${JSON.stringify(ip)} is not an address of node ${JSON.stringify(node)}`,
      );
    }
  }
  return undefined;
}

function isOwnSubject(node: string, subject: KubeletCsrRequest['subject']): boolean {
  // Exactly two attributes, one value each: CN and O, in either order (Go's pkix.Name writes O first).
  const attributes = subject.flatMap((rdn) =>
    Object.entries(rdn).flatMap(([type, values]) => values.map((value) => `${type}=${value}`)),
  );
  return (
    attributes.length === 2 &&
    attributes.includes(`CN=system:node:${node}`) &&
    attributes.includes('O=system:nodes')
  );
}

function isKubeletUsages(usages: readonly string[], required: readonly string[]): boolean {
  const given = new Set(usages);
  const allowed = new Set([...required, 'key encipherment']);
  return required.every((u) => given.has(u)) && [...given].every((u) => allowed.has(u));
}

function isIpAddressType(type: string): boolean {
  return type === 'InternalIP' || type === 'ExternalIP';
}

// One spelling per address: IPv6 has several (`2001:DB8::0:1` is `2001:db8::1`); the WHATWG URL parser
// canonicalizes them without any I/O. IPv4 is compared as written.
function canonicalIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname;
  } catch {
    return ip;
  }
}

function violation(reason: KubeletCsrReason, message: string): KubeletCsrViolation {
  return { reason, message };
}
