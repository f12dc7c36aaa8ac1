/**
 * The AMI byte stream: plain TCP (manager.conf `enabled`, port 5038) or TLS (`tlsenable`, port
 * 5039), for a connector that reaches the PBX over a network it does not trust. Asterisk's own
 * certificate is usually self-signed, so besides a CA file the peer can be pinned by the SHA-256
 * fingerprint of its certificate (`openssl x509 -in asterisk.pem -noout -fingerprint -sha256`).
 */
import { readFileSync } from 'node:fs';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { ConnectorError } from '../../errors.js';

export interface AmiTlsOptions {
  /** PEM file of the CA (or of the PBX's self-signed certificate itself) to trust. */
  readonly caFile?: string;
  /** PEM text, instead of caFile. */
  readonly ca?: string;
  /** Verify the certificate chain and name. Default true; pinning with fingerprint256 replaces it. */
  readonly rejectUnauthorized?: boolean;
  /** Name the certificate must carry (default: the host, when it is a name). */
  readonly servername?: string;
  /** Accept exactly this certificate (SHA-256, hex, colons optional). */
  readonly fingerprint256?: string;
}

export interface AmiTransport {
  readonly socket: Socket;
  /** The event after which the session may speak: `connect`, or `secureConnect` for TLS. */
  readonly readyEvent: 'connect' | 'secureConnect';
  /** After the ready event: an error when the peer is not the one configured. */
  check(): ConnectorError | undefined;
}

export function normaliseFingerprint(f: string): string {
  return f.replace(/:/g, '').toUpperCase();
}

export function openTransport(host: string, port: number, tls: AmiTlsOptions | undefined): AmiTransport {
  if (!tls) {
    return { socket: netConnect({ host, port }), readyEvent: 'connect', check: () => undefined };
  }
  let ca: string | undefined = tls.ca;
  if (ca === undefined && tls.caFile !== undefined) {
    try {
      ca = readFileSync(tls.caFile, 'utf8');
    } catch (e) {
      throw new ConnectorError('AMI_TLS_CA_UNREADABLE', `ami.tls.caFile ${tls.caFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { cause: e });
    }
  }
  const pinned = tls.fingerprint256 !== undefined ? normaliseFingerprint(tls.fingerprint256) : undefined;
  const servername = tls.servername ?? (isIP(host) ? undefined : host);
  const socket: TLSSocket = tlsConnect({
    host, port,
    ...(ca !== undefined ? { ca } : {}),
    ...(servername !== undefined ? { servername } : {}),
    // A pinned certificate is checked below, instead of a chain the PBX rarely has.
    rejectUnauthorized: pinned === undefined ? tls.rejectUnauthorized ?? true : false,
  });
  return {
    socket,
    readyEvent: 'secureConnect',
    check: () => {
      if (pinned === undefined) return undefined;
      const got = normaliseFingerprint(socket.getPeerCertificate().fingerprint256 ?? '');
      if (got === pinned) return undefined;
      return new ConnectorError('AMI_TLS_FINGERPRINT', `the AMI certificate's SHA-256 fingerprint is ${got || 'absent'}, not the one in ami.tls.fingerprint256`, {
        details: { got, expected: pinned },
      });
    },
  };
}
