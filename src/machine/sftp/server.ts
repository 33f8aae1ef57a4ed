// The host half of reverse-sshfs: an SFTP version 3 server over one stream
// (an SSH exec channel running `sshfs -o passive` in the guest), serving one
// host folder and nothing outside it.
//
// Why our own server rather than ssh2's SFTP class in server mode: ssh2 1.17's
// server mode answers INIT with a fixed VERSION packet that advertises no
// extensions, so sshfs would fall back to plain RENAME (fails over an existing
// file), no statvfs (df), no hardlink and no fsync; adding them means patching
// a module-private constant and hand-building EXTENDED_REPLY packets next to a
// fake `Protocol`/channel object of its internal API. The protocol itself is
// small (protocol.ts), so a compact server of our own is the more robust choice,
// and it lets DATA replies be read straight into the packet buffer.
//
// Confinement (every request): the wire path is mapped lexically into the share
// (confine.ts: `..`, `//`, absolute paths outside are refused); its parent
// directory's real path must lie inside the share's real root (a symlink in an
// intermediate component cannot lead out); a final symlink is never followed by
// a host call except through `resolveFinal`, which confines its real path too.
// Refusals answer SSH_FX_PERMISSION_DENIED. Name-space changes the guest can
// race against a check (symlink, rename, link) are serialized (order.ts).
//
// Ownership: files are created by this process, so they belong to the host
// user; chown requests are accepted and ignored (like QEMU 9p's
// security_model=none); every file is reported as owned by `share.owner`.

import { constants as C } from 'node:fs';
import * as fs from 'node:fs/promises';
import type { Dir, Stats } from 'node:fs';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import { isInside, mapGuestPath, type MappedPath } from './confine';
import { HandleOrder, NameSpaceLock } from './order';
import {
  BadMessage, DATA_HEADER, EXTENSIONS, FX, FXF, FXP, Framer, MAX_READ, Reader, Writer,
  dataPacketAlloc, dataPacketFinish, statusPacket, type Attrs,
} from './protocol';

export interface SftpShare {
  /** Absolute host directory served (on Windows e.g. C:\Users\me). */
  hostRoot: string;
  /** Absolute POSIX path the guest uses for it (same as hostRoot on macOS/Linux; e.g. /c/Users/me for Windows). Paths on the wire are guest paths under guestRoot. */
  guestRoot: string;
  readOnly: boolean;
  /** uid/gid every file is presented as (the guest user), so files look owned by the guest user in the VM. */
  owner: { uid: number; gid: number };
}

export interface SftpService {
  /** Resolves when the stream ends. */
  done: Promise<void>;
  close(): void;
}

/** A request refused with a given status (confinement, read-only, bad handle). */
class Refused extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}
const denied = (what: string) => new Refused(FX.PERMISSION_DENIED, what);

const O_NOFOLLOW = C.O_NOFOLLOW ?? 0;
/** Opening a FIFO must not park a thread-pool thread forever; no effect on regular files. */
const O_NONBLOCK = process.platform === 'win32' ? 0 : C.O_NONBLOCK ?? 0;
const CASE_INSENSITIVE = process.platform === 'win32' || process.platform === 'darwin';
/** Requests processed at once before the server stops reading the stream. */
const MAX_IN_FLIGHT = 128;
const READDIR_BATCH = 128;

type FileH = { kind: 'file'; fh: fs.FileHandle; host: string; writable: boolean; order: HandleOrder };
type DirH = { kind: 'dir'; dir: Dir; host: string; order: HandleOrder };

/** Serves SFTP for one sshfs client over `stream` (the guest sshfs's stdout is readable from it, its stdin is written to it). */
export function serveSftp(stream: Duplex, share: SftpShare, opts: { onError?: (e: Error) => void } = {}): SftpService {
  const s = new Session(stream, share, opts.onError ?? (() => {}));
  return { done: s.done, close: () => s.end() };
}

class Session {
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private framer = new Framer();
  private handles = new Map<string, FileH | DirH>();
  private nextHandle = 1;
  private lock = new NameSpaceLock();
  private realRoot: Promise<string>;
  private inFlight = 0;
  private ended = false;

  constructor(private stream: Duplex, private share: SftpShare, private onError: (e: Error) => void) {
    this.done = new Promise((r) => (this.resolveDone = r));
    this.realRoot = fs.realpath(share.hostRoot);
    this.realRoot.catch(() => {}); // reported per request
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('end', () => this.end());
    stream.on('close', () => this.end());
    stream.on('error', (e) => {
      if (this.ended) return; // our own destroy() after end()
      this.onError(new Error(`SFTP stream for "${share.hostRoot}" failed: ${e.message}`, { cause: e }));
      this.end();
    });
    stream.on('drain', () => this.flowControl());
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.stream.destroyed) this.stream.end();
    const closing = [...this.handles.values()].map((h) =>
      h.order.serial(() => (h.kind === 'file' ? h.fh.close() : h.dir.close()), true).catch(() => {}),
    );
    this.handles.clear();
    void Promise.allSettled(closing).then(() => {
      this.stream.destroy();
      this.resolveDone();
    });
  }

  private send(packet: Buffer): void {
    if (this.ended || this.stream.destroyed) return;
    this.stream.write(packet);
    this.flowControl();
  }

  /** Stops reading while replies back up or too many requests are open. */
  private flowControl(): void {
    const busy = this.stream.writableNeedDrain || this.inFlight >= MAX_IN_FLIGHT;
    if (busy && !this.stream.isPaused()) this.stream.pause();
    else if (!busy && this.stream.isPaused() && !this.ended) this.stream.resume();
  }

  private onData(chunk: Buffer): void {
    let packets: Buffer[];
    try {
      packets = this.framer.push(chunk);
    } catch (e) {
      this.onError(new Error(`SFTP client for "${this.share.hostRoot}" sent an unframeable stream; closing it`, { cause: e }));
      this.end();
      return;
    }
    for (const p of packets) this.dispatch(p);
  }

  private dispatch(pkt: Buffer): void {
    const type = pkt[0];
    const r = new Reader(pkt, 1);
    if (type === FXP.INIT) {
      const w = new Writer(FXP.VERSION).u32(3);
      for (const [name, data] of EXTENSIONS) w.bytes(name).bytes(data);
      this.send(w.finish());
      return;
    }
    let id: number;
    try {
      id = r.u32();
    } catch {
      return; // no id to answer to
    }
    this.inFlight++;
    this.flowControl();
    this.ordered(type, () => this.handle(type, id, r))
      .then((reply) => this.send(reply))
      .catch((e: unknown) => this.send(this.errorReply(id, e)))
      .finally(() => {
        this.inFlight--;
        this.flowControl();
      });
  }

  /**
   * Requests take effect in the order they arrive, as with OpenSSH's server:
   * sshfs pipelines, e.g. OPEN(CREAT) and then LSTAT of the same path without
   * waiting, and expects the LSTAT to see the new file. READs alone run
   * concurrently (large reads stay fast); each waits for every earlier
   * request, and any other request waits for every earlier READ.
   */
  private barrier: Promise<unknown> = Promise.resolve();
  private pendingReads = new Set<Promise<unknown>>();

  private ordered<T>(type: number, fn: () => Promise<T>): Promise<T> {
    const before = this.barrier;
    if (type === FXP.READ) {
      const run = before.then(fn);
      const settled = run.catch(() => undefined);
      this.pendingReads.add(settled);
      void settled.then(() => this.pendingReads.delete(settled));
      return run;
    }
    const reads = [...this.pendingReads];
    const run = before.then(() => Promise.allSettled(reads)).then(fn);
    this.barrier = run.catch(() => undefined);
    return run;
  }

  private errorReply(id: number, e: unknown): Buffer {
    if (e instanceof Refused) return statusPacket(id, e.code, e.message);
    if (e instanceof BadMessage) return statusPacket(id, FX.BAD_MESSAGE, e.message);
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return statusPacket(id, FX.NO_SUCH_FILE, 'No such file');
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return statusPacket(id, FX.PERMISSION_DENIED, 'Permission denied');
    if (!code) this.onError(new Error(`SFTP request failed unexpectedly in "${this.share.hostRoot}"`, { cause: e }));
    return statusPacket(id, FX.FAILURE, code ?? String(e));
  }

  // ---- confinement ------------------------------------------------------

  private map(wire: string): MappedPath {
    const m = mapGuestPath(wire, this.share);
    if (!m) throw denied(`"${wire}" is outside the shared folder`);
    return m;
  }

  private async inside(real: string): Promise<boolean> {
    return isInside(await this.realRoot, real, path, CASE_INSENSITIVE);
  }

  /** Refuses a path whose parent directory really lies outside the share (a symlink in an intermediate component). */
  private async checkParent(m: MappedPath): Promise<void> {
    await this.realRoot;
    if (m.rel.length <= 1) return;
    if (!(await this.inside(await fs.realpath(path.dirname(m.host))))) throw denied(`"${m.guest}" leads outside the shared folder`);
  }

  /** The real path a request that follows symlinks acts on, if it stays inside the share. */
  private async resolveFinal(m: MappedPath): Promise<string> {
    await this.checkParent(m);
    const real = await fs.realpath(m.host);
    if (!(await this.inside(real))) throw denied(`"${m.guest}" leads outside the shared folder`);
    return real;
  }

  private writable(): void {
    if (this.share.readOnly) throw denied('the shared folder is read-only');
  }

  private attrs(st: Stats): Attrs {
    return {
      size: st.size, uid: this.share.owner.uid, gid: this.share.owner.gid, mode: st.mode,
      atime: Math.floor(st.atimeMs / 1000), mtime: Math.floor(st.mtimeMs / 1000),
    };
  }

  private handleOf(r: Reader, kind: 'file'): FileH;
  private handleOf(r: Reader, kind: 'dir'): DirH;
  private handleOf(r: Reader, kind: 'file' | 'dir'): FileH | DirH {
    const h = this.handles.get(r.bytes().toString('hex'));
    if (!h || h.kind !== kind) throw new Refused(FX.FAILURE, 'invalid handle');
    return h;
  }

  private newHandle(h: FileH | DirH, id: number): Buffer {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(this.nextHandle++);
    this.handles.set(b.toString('hex'), h);
    return new Writer(FXP.HANDLE, id).bytes(b).finish();
  }

  private ok(id: number): Buffer {
    return statusPacket(id, FX.OK, 'OK');
  }

  // ---- requests ---------------------------------------------------------

  private async handle(type: number, id: number, r: Reader): Promise<Buffer> {
    switch (type) {
      case FXP.OPEN: return this.open(id, r);
      case FXP.CLOSE: {
        const key = r.bytes().toString('hex');
        const h = this.handles.get(key);
        if (!h) throw new Refused(FX.FAILURE, 'invalid handle');
        this.handles.delete(key);
        await h.order.serial(() => (h.kind === 'file' ? h.fh.close() : h.dir.close()), true);
        return this.ok(id);
      }
      case FXP.READ: {
        const h = this.handleOf(r, 'file');
        const offset = r.u64();
        const len = Math.min(r.u32(), MAX_READ);
        return h.order.read(async () => {
          const pkt = dataPacketAlloc(id, len);
          const { bytesRead } = await h.fh.read(pkt, DATA_HEADER, len, offset);
          return bytesRead === 0 && len > 0 ? statusPacket(id, FX.EOF, 'EOF') : dataPacketFinish(pkt, bytesRead);
        });
      }
      case FXP.WRITE: {
        const h = this.handleOf(r, 'file');
        const offset = r.u64();
        const data = r.bytes();
        if (!h.writable) throw denied('the file was not opened for writing');
        await h.order.serial(async () => {
          let done = 0;
          while (done < data.length) done += (await h.fh.write(data, done, data.length - done, offset + done)).bytesWritten;
        });
        return this.ok(id);
      }
      case FXP.LSTAT:
      case FXP.STAT: {
        const m = this.map(r.string());
        const st = await this.lock.shared(async () =>
          type === FXP.STAT ? fs.stat(await this.resolveFinal(m)) : (await this.checkParent(m), fs.lstat(m.host)),
        );
        return new Writer(FXP.ATTRS, id).attrs(this.attrs(st)).finish();
      }
      case FXP.FSTAT: {
        const h = this.handleOf(r, 'file');
        const st = await h.order.serial(() => h.fh.stat());
        return new Writer(FXP.ATTRS, id).attrs(this.attrs(st)).finish();
      }
      case FXP.SETSTAT: {
        const m = this.map(r.string());
        const a = r.attrs();
        this.writable();
        await this.lock.shared(async () => this.setAttrs(await this.followForSetstat(m), a));
        return this.ok(id);
      }
      case FXP.FSETSTAT: {
        const h = this.handleOf(r, 'file');
        const a = r.attrs();
        this.writable();
        await h.order.serial(() => this.setAttrs(h.fh, a));
        return this.ok(id);
      }
      case FXP.OPENDIR: {
        const m = this.map(r.string());
        const real = await this.lock.shared(() => this.resolveFinal(m));
        const dir = await fs.opendir(real, { bufferSize: READDIR_BATCH });
        return this.newHandle({ kind: 'dir', dir, host: real, order: new HandleOrder() }, id);
      }
      case FXP.READDIR: return this.readdir(id, this.handleOf(r, 'dir'));
      case FXP.REMOVE:
      case FXP.RMDIR: {
        const m = this.map(r.string());
        this.writable();
        if (!m.rel.length) throw denied('the shared folder itself cannot be removed');
        await this.lock.shared(async () => {
          await this.checkParent(m);
          await (type === FXP.REMOVE ? fs.unlink(m.host) : fs.rmdir(m.host));
        });
        return this.ok(id);
      }
      case FXP.MKDIR: {
        const m = this.map(r.string());
        const a = r.attrs();
        this.writable();
        await this.lock.shared(async () => {
          await this.checkParent(m);
          await fs.mkdir(m.host, { mode: (a.mode ?? 0o777) & 0o7777 });
        });
        return this.ok(id);
      }
      case FXP.REALPATH: {
        const m = this.map(r.string());
        return new Writer(FXP.NAME, id).u32(1).bytes(m.guest).bytes(m.guest).attrs({}).finish();
      }
      case FXP.RENAME: return this.rename(id, r, false);
      case FXP.READLINK: {
        const m = this.map(r.string());
        const target = await this.lock.shared(async () => (await this.checkParent(m), fs.readlink(m.host)));
        const text = this.guestLinkText(target);
        return new Writer(FXP.NAME, id).u32(1).bytes(text).bytes(text).attrs({}).finish();
      }
      case FXP.SYMLINK: {
        // OpenSSH (and so sshfs) sends the target first, then the link path:
        // the reverse of the draft. The target is text, stored as is.
        const target = r.string();
        const link = this.map(r.string());
        this.writable();
        if (target.includes('\0')) throw new BadMessage('symlink target contains NUL');
        await this.lock.exclusive(async () => {
          await this.checkParent(link);
          await fs.symlink(target, link.host);
        });
        return this.ok(id);
      }
      case FXP.EXTENDED: return this.extended(id, r);
      default:
        return statusPacket(id, FX.OP_UNSUPPORTED, `SFTP request type ${type} is not supported`);
    }
  }

  private async open(id: number, r: Reader): Promise<Buffer> {
    const m = this.map(r.string());
    const pflags = r.u32();
    const a = r.attrs();
    const wantsWrite = (pflags & (FXF.WRITE | FXF.APPEND | FXF.CREAT | FXF.TRUNC)) !== 0;
    if (wantsWrite) this.writable();
    let flags = (pflags & FXF.READ) && wantsWrite ? C.O_RDWR : wantsWrite ? C.O_WRONLY : C.O_RDONLY;
    if (pflags & FXF.APPEND) flags |= C.O_APPEND;
    if (pflags & FXF.CREAT) flags |= C.O_CREAT;
    if (pflags & FXF.TRUNC) flags |= C.O_TRUNC;
    if (pflags & FXF.EXCL) flags |= C.O_EXCL;
    const fh = await this.lock.shared(async () => {
      await this.checkParent(m);
      let target = m.host;
      const st = await fs.lstat(m.host).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return undefined;
        throw e;
      });
      if (st?.isSymbolicLink()) {
        if (pflags & FXF.EXCL) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
        target = await this.resolveFinal(m);
      }
      return fs.open(target, flags | O_NOFOLLOW | O_NONBLOCK, (a.mode ?? 0o666) & 0o7777);
    });
    return this.newHandle({ kind: 'file', fh, host: m.host, writable: wantsWrite, order: new HandleOrder() }, id);
  }

  private async readdir(id: number, h: DirH): Promise<Buffer> {
    return h.order.serial(async () => {
      const names: Array<{ name: string; st: Stats }> = [];
      while (names.length === 0) {
        const batch: string[] = [];
        for (let e = await h.dir.read(); e; e = batch.length < READDIR_BATCH ? await h.dir.read() : null) batch.push(e.name);
        if (!batch.length) return statusPacket(id, FX.EOF, 'EOF');
        const stats = await Promise.all(batch.map((n) => fs.lstat(path.join(h.host, n)).catch(() => undefined)));
        batch.forEach((name, i) => stats[i] && names.push({ name, st: stats[i]! }));
      }
      const w = new Writer(FXP.NAME, id).u32(names.length);
      for (const { name, st } of names) w.bytes(name).bytes(longname(name, st, this.share.owner)).attrs(this.attrs(st));
      return w.finish();
    });
  }

  /** SETSTAT follows a final symlink (chmod, truncate and utimes do); only to a target inside the share. */
  private async followForSetstat(m: MappedPath): Promise<string> {
    await this.checkParent(m);
    const st = await fs.lstat(m.host);
    return st.isSymbolicLink() ? this.resolveFinal(m) : m.host;
  }

  private async setAttrs(target: string | fs.FileHandle, a: Attrs): Promise<void> {
    const isHandle = typeof target !== 'string';
    if (a.size !== undefined) await (isHandle ? target.truncate(a.size) : fs.truncate(target, a.size));
    if (a.mode !== undefined) await (isHandle ? target.chmod(a.mode & 0o7777) : fs.chmod(target, a.mode & 0o7777));
    if (a.atime !== undefined && a.mtime !== undefined) {
      await (isHandle ? target.utimes(a.atime, a.mtime) : fs.utimes(target, a.atime, a.mtime));
    }
    // uid/gid: accepted and ignored (files belong to the host user).
  }

  private async rename(id: number, r: Reader, overwrite: boolean): Promise<Buffer> {
    const from = this.map(r.string());
    const to = this.map(r.string());
    this.writable();
    if (!from.rel.length || !to.rel.length) throw denied('the shared folder itself cannot be renamed');
    await this.lock.exclusive(async () => {
      await this.checkParent(from);
      await this.checkParent(to);
      // Plain SFTP v3 RENAME must not replace an existing name.
      if (!overwrite && (await fs.lstat(to.host).then(() => true, () => false))) throw new Refused(FX.FAILURE, 'target exists');
      await fs.rename(from.host, to.host);
    });
    return this.ok(id);
  }

  private async extended(id: number, r: Reader): Promise<Buffer> {
    const name = r.string();
    switch (name) {
      case 'posix-rename@openssh.com': return this.rename(id, r, true);
      case 'hardlink@openssh.com': {
        const from = this.map(r.string());
        const to = this.map(r.string());
        this.writable();
        await this.lock.exclusive(async () => {
          await this.checkParent(from);
          await this.checkParent(to);
          await fs.link(from.host, to.host);
        });
        return this.ok(id);
      }
      case 'fsync@openssh.com': {
        const h = this.handleOf(r, 'file');
        await h.order.serial(() => h.fh.sync());
        return this.ok(id);
      }
      case 'statvfs@openssh.com':
      case 'fstatvfs@openssh.com': {
        const host = name === 'statvfs@openssh.com'
          ? await this.lock.shared(() => this.resolveFinal(this.map(r.string())))
          : this.handleOf(r, 'file').host;
        const sf = await fs.statfs(host);
        const ST_RDONLY = 1;
        const ST_NOSUID = 2;
        return new Writer(FXP.EXTENDED_REPLY, id)
          .u64(sf.bsize).u64(sf.bsize).u64(sf.blocks).u64(sf.bfree).u64(sf.bavail)
          .u64(sf.files).u64(sf.ffree).u64(sf.ffree).u64(0)
          .u64((this.share.readOnly ? ST_RDONLY : 0) | ST_NOSUID).u64(255)
          .finish();
      }
      default:
        return statusPacket(id, FX.OP_UNSUPPORTED, `SFTP extension "${name}" is not supported`);
    }
  }

  /** A symlink's text for the guest: unchanged on POSIX hosts; on Windows, separators turned and targets inside the share mapped to guest paths. */
  private guestLinkText(target: string): string {
    if (path.sep === '/') return target;
    if (path.win32.isAbsolute(target) && isInside(this.share.hostRoot, target, path.win32, true)) {
      const rel = path.win32.relative(this.share.hostRoot, target).split('\\').filter(Boolean);
      return [this.share.guestRoot.replace(/\/+$/, ''), ...rel].join('/') || '/';
    }
    return target.replace(/\\/g, '/');
  }
}

/** `ls -l`-style line some clients show; sshfs reads the attributes instead. */
function longname(name: string, st: Stats, owner: { uid: number; gid: number }): string {
  const t = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : '-';
  const rwx = (b: number) => (b & 4 ? 'r' : '-') + (b & 2 ? 'w' : '-') + (b & 1 ? 'x' : '-');
  const perms = rwx(st.mode >> 6) + rwx(st.mode >> 3) + rwx(st.mode);
  return `${t}${perms} 1 ${owner.uid} ${owner.gid} ${st.size} ${st.mtime.toISOString().slice(0, 10)} ${name}`;
}
