// One SSH connection with ssh2 to a host whose key is pinned (a machine's guest
// key, generated on the host): any other key is refused, never "accept anything".

import { Client, type ConnectConfig } from 'ssh2';
import { fingerprint, publicKeyBlob } from './keys';

export class HostKeyMismatchError extends Error {
  constructor(
    readonly address: string,
    readonly presented: string,
    readonly pinned: string,
    what: string,
  ) {
    super(
      `The SSH host key of ${what} at ${address} is ${presented}, but ${pinned} is pinned: refusing to connect. ` +
        'Something else may be answering on that port, or the machine was recreated; if you trust it, delete and recreate the machine.',
    );
    this.name = 'HostKeyMismatchError';
  }
}

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  privateKey: string;
  /** The pinned host public key line; a server presenting any other key is refused. */
  hostKey: string;
  /** Used in messages, e.g. `machine "default"`. */
  what: string;
  /** Handshake timeout; a guest under TCG can be slow. */
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
}

/** Opens one SSH connection with the host key pinned. */
export function connectSsh(target: SshTarget): Promise<Client> {
  const pinned = publicKeyBlob(target.hostKey);
  const address = `${target.host}:${target.port}`;
  return new Promise((resolve, reject) => {
    const client = new Client();
    let mismatch: HostKeyMismatchError | undefined;
    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.username,
      privateKey: target.privateKey,
      readyTimeout: target.readyTimeoutMs ?? 30_000,
      keepaliveInterval: target.keepaliveIntervalMs ?? 10_000,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer) => {
        if (key.equals(pinned)) return true;
        mismatch = new HostKeyMismatchError(address, fingerprint(key), fingerprint(pinned), target.what);
        return false;
      },
    };
    // Not `once`: a connection reset before the handshake brings two errors (read ECONNRESET,
    // then "Connection lost before handshake"), and an 'error' nobody listens to is thrown.
    let failed = false;
    const onError = (err: Error) => {
      if (failed) return;
      failed = true;
      client.removeListener('ready', onReady);
      client.end();
      reject(mismatch ?? new Error(`SSH to ${target.what} at ${address} failed: ${err.message}`, { cause: err }));
    };
    const onReady = () => {
      client.removeListener('error', onError);
      resolve(client);
    };
    client.on('error', onError);
    client.once('ready', onReady);
    client.connect(config);
  });
}
