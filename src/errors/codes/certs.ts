/** Certificates: the CA, the CloudCore server certificate, join tokens and the certificate server. */
export const certsErrorCodes = {
  EC_CERTS_CA_INVALID:
    'The CA (files or Secret kubeedge/casecret) is unusable: unparsable, not a CA, key mismatch or not ECDSA P-256.',
  EC_CERTS_SERVER_CERT_INVALID:
    'The server certificate or key (files or Secret kubeedge/cloudcoresecret) is unparsable or mismatched.',
  EC_CERTS_LISTEN_FAILED: 'The certificate server could not listen on its address and port.',
} as const;
