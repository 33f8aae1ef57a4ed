// Owns the link to one engine: picks the first endpoint that answers, keeps
// one shared event stream, and reports a single state that the status bar,
// the welcome views and the CLI all read. Nothing here runs during extension
// activation: the caller decides when to `start()`.

import type { Readable } from 'node:stream';
import { ConnectError, EngineClient, type ClientOptions, type EngineIdentity } from './client';
import { Emitter, type Disposable } from '../base/emitter';
import type { Endpoint } from './endpoint';
import { describeConnectError, whereToFix, type EngineProblem } from './errors';
import { backoffDelay, type BackoffOptions } from '../base/backoff';
import { EventStream, type EngineEvent } from './events';
import { TimeoutError, withTimeout } from '../base/timeout';

export interface Attempt {
  endpoint: Endpoint;
  problem: EngineProblem;
}

export type ConnectionState =
  | { kind: 'idle' }
  | { kind: 'connecting' }
  | { kind: 'connected'; client: EngineClient; identity: EngineIdentity; generation: number }
  | { kind: 'unreachable'; attempts: Attempt[]; retryInMs: number };

export interface ConnectionOptions extends ClientOptions {
  /** Backoff for reconnecting; short in tests. */
  backoff?: BackoffOptions;
  /** How long one endpoint may take to answer /version. */
  probeTimeoutMs?: number;
}

export class EngineConnection implements Disposable {
  private readonly stateEmitter = new Emitter<ConnectionState>();
  private readonly eventEmitter = new Emitter<EngineEvent>();
  /** Fires on every state change; a view refreshes fully on each `connected`. */
  readonly onState = this.stateEmitter.event;
  /** Engine events from the shared stream. */
  readonly onEvent = this.eventEmitter.event;

  private current: ConnectionState = { kind: 'idle' };
  private stream: EventStream | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private generation = 0;
  private disposed = false;
  private connecting: Promise<void> | undefined;

  constructor(
    private readonly resolve: () => Endpoint[],
    private readonly opts: ConnectionOptions = {},
  ) {}

  get state(): ConnectionState {
    return this.current;
  }

  /** The connected client, or undefined. */
  get client(): EngineClient | undefined {
    return this.current.kind === 'connected' ? this.current.client : undefined;
  }

  /** The connected client, or an Error saying why there is none. */
  requireClient(): EngineClient {
    const s = this.current;
    if (s.kind === 'connected') return s.client;
    if (s.kind === 'unreachable') throw new Error(s.attempts[0]?.problem.reason ?? 'No engine is connected.');
    throw new Error('Still connecting to the engine; try again in a moment.');
  }

  start(): Promise<void> {
    return this.connect();
  }

  /** Forget the current engine and pick again (the setting changed, or the user pressed Retry). */
  restart(): Promise<void> {
    this.teardown();
    this.failures = 0;
    return this.connect();
  }

  private setState(s: ConnectionState): void {
    this.current = s;
    this.stateEmitter.fire(s);
  }

  private connect(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (!this.connecting) {
      this.connecting = this.doConnect().finally(() => (this.connecting = undefined));
    }
    return this.connecting;
  }

  private async doConnect(): Promise<void> {
    clearTimeout(this.retryTimer);
    if (this.current.kind !== 'unreachable') this.setState({ kind: 'connecting' });
    const attempts: Attempt[] = [];
    let endpoints: Endpoint[];
    try {
      endpoints = this.resolve();
    } catch (err) {
      endpoints = [];
      attempts.push({
        endpoint: { name: 'settings', source: 'setting', host: '' },
        problem: { reason: (err as Error).message, fix: 'Fix `slipway.engine.host` or `DOCKER_HOST`.' },
      });
    }
    for (const endpoint of endpoints) {
      let client: EngineClient;
      try {
        client = new EngineClient(endpoint, { ...this.opts, timeoutMs: this.opts.timeoutMs });
      } catch (err) {
        attempts.push({ endpoint, problem: { reason: (err as Error).message, fix: `${whereToFix(endpoint) ?? 'Fix the engine address'}.` } });
        continue;
      }
      try {
        const identity = await withTimeout(client.identify(), this.opts.probeTimeoutMs ?? 5000, () => timedOut(this.opts.probeTimeoutMs ?? 5000, endpoint.host));
        if (this.disposed) return;
        this.failures = 0;
        this.attach(client, identity);
        return;
      } catch (err) {
        const problem = err instanceof ConnectError ? err.problem : describeConnectError(err, endpoint);
        attempts.push({ endpoint, problem });
        // Frees what the client holds (an ssh:// engine's SSH connection).
        client.dispose();
      }
    }
    if (this.disposed) return;
    this.scheduleReconnect(attempts);
  }

  private scheduleReconnect(attempts: Attempt[]): void {
    const retryInMs = backoffDelay(this.failures++, this.opts.backoff ?? { minMs: 1000, maxMs: 30_000 });
    this.setState({ kind: 'unreachable', attempts, retryInMs });
    this.retryTimer = setTimeout(() => void this.connect(), retryInMs);
  }

  private attach(client: EngineClient, identity: EngineIdentity): void {
    this.stream?.dispose();
    const stream = new EventStream(() => client.events() as Promise<Readable>, this.opts.backoff);
    this.stream = stream;
    let first = true;
    stream.onEvent((e) => this.eventEmitter.fire(e));
    stream.onState((s) => {
      if (this.stream !== stream) return;
      if (s.kind === 'connected') {
        if (first) {
          first = false;
          return;
        }
        // The engine came back (maybe restarted): identify again, then views refresh.
        client.identify().then(
          (id) => this.stream === stream && this.setState({ kind: 'connected', client, identity: id, generation: ++this.generation }),
          () => undefined,
        );
      } else {
        this.setState({
          kind: 'unreachable',
          attempts: [{ endpoint: client.endpoint, problem: client.problem(s.error) }],
          retryInMs: s.retryInMs,
        });
      }
    });
    this.setState({ kind: 'connected', client, identity, generation: ++this.generation });
    stream.start();
  }

  private teardown(): void {
    clearTimeout(this.retryTimer);
    this.stream?.dispose();
    this.stream = undefined;
    if (this.current.kind === 'connected') this.current.client.dispose();
  }

  dispose(): void {
    this.disposed = true;
    this.teardown();
    this.stateEmitter.dispose();
    this.eventEmitter.dispose();
  }
}

function timedOut(ms: number, address: string): Error {
  return Object.assign(new TimeoutError(`timed out after ${ms} ms`), { address });
}
