// Runs one command in a running machine over its own SSH connection, output
// streamed as text, cancellation by AbortSignal (SIGINT, then channel close).

import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import { connectSsh, type SshTarget } from '../ssh/connect';
import { openExecChannel } from '../ssh/exec';

export interface MachineExecOptions {
  write: (text: string) => void;
  signal?: AbortSignal;
}
export interface MachineExecResult {
  code: number | null;
  cancelled: boolean;
}
export interface MachineSshTargets {
  sshTarget(name: string): SshTarget;
}
export type RunInMachine = (machine: string, argv: readonly string[], opts: MachineExecOptions) => Promise<MachineExecResult>;

export async function runInMachine(machines: MachineSshTargets, name: string, argv: readonly string[], opts: MachineExecOptions): Promise<MachineExecResult> {
  if (opts.signal?.aborted) return { code: null, cancelled: true };
  const client = await connectSsh(machines.sshTarget(name));
  let lost: Error | undefined;
  client.on('error', (e: Error) => (lost = e));
  try {
    const r = await drive(await openExecChannel(client, argv), opts);
    if (lost && !r.cancelled && r.code === null) throw new Error(`The SSH connection to machine "${name}" broke while running ${argv[0]}: ${lost.message}`, { cause: lost });
    return r;
  } finally {
    client.end();
  }
}

function drive(channel: ClientChannel, opts: MachineExecOptions): Promise<MachineExecResult> {
  return new Promise((resolve) => {
    const out = new StringDecoder('utf8');
    const err = new StringDecoder('utf8');
    let code: number | null = null;
    let cancelled = false;
    const emit = (t: string) => t && opts.write(t);
    const onAbort = () => {
      cancelled = true;
      try {
        channel.signal('INT');
      } catch {
        /* closing already */
      }
      channel.close();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    channel.on('exit', (c: number | null) => (code = c));
    channel.on('error', () => undefined);
    channel.on('data', (d: Buffer) => emit(out.write(d)));
    channel.stderr.on('data', (d: Buffer) => emit(err.write(d)));
    channel.on('close', () => {
      opts.signal?.removeEventListener('abort', onAbort);
      emit(out.end() + err.end());
      resolve({ code: cancelled ? null : code, cancelled });
    });
    channel.end();
  });
}
