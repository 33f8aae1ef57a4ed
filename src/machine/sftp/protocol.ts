// SFTP version 3 wire format (draft-ietf-secsh-filexfer-02) plus the OpenSSH
// extensions sshfs uses: packet framing, field reading, reply building and the
// ATTRS encoding. No I/O here; server.ts owns the behaviour.

export const FXP = {
  INIT: 1, VERSION: 2, OPEN: 3, CLOSE: 4, READ: 5, WRITE: 6, LSTAT: 7, FSTAT: 8,
  SETSTAT: 9, FSETSTAT: 10, OPENDIR: 11, READDIR: 12, REMOVE: 13, MKDIR: 14, RMDIR: 15,
  REALPATH: 16, STAT: 17, RENAME: 18, READLINK: 19, SYMLINK: 20,
  STATUS: 101, HANDLE: 102, DATA: 103, NAME: 104, ATTRS: 105,
  EXTENDED: 200, EXTENDED_REPLY: 201,
} as const;

export const FX = {
  OK: 0, EOF: 1, NO_SUCH_FILE: 2, PERMISSION_DENIED: 3, FAILURE: 4, BAD_MESSAGE: 5,
  NO_CONNECTION: 6, CONNECTION_LOST: 7, OP_UNSUPPORTED: 8,
} as const;

/** OPEN pflags. */
export const FXF = { READ: 0x01, WRITE: 0x02, APPEND: 0x04, CREAT: 0x08, TRUNC: 0x10, EXCL: 0x20 } as const;

export const ATTR = { SIZE: 0x01, UIDGID: 0x02, PERMISSIONS: 0x04, ACMODTIME: 0x08, EXTENDED: 0x80000000 } as const;

/** Extensions advertised in VERSION, with the versions sshfs 3.7 checks for. */
export const EXTENSIONS: ReadonlyArray<[string, string]> = [
  ['posix-rename@openssh.com', '1'],
  ['statvfs@openssh.com', '2'],
  ['fstatvfs@openssh.com', '2'],
  ['hardlink@openssh.com', '1'],
  ['fsync@openssh.com', '1'],
];

/** Largest packet accepted: sshfs writes at most 64 KiB of data per request; OpenSSH's limit is 256 KiB. */
export const MAX_PACKET = 256 * 1024 + 1024;
/** Largest READ answered in one DATA reply (clients ask again for the rest). */
export const MAX_READ = 256 * 1024;

export interface Attrs {
  size?: number;
  uid?: number;
  gid?: number;
  /** Full st_mode, file type bits included. */
  mode?: number;
  atime?: number;
  mtime?: number;
}

/** Thrown for a packet that does not parse; the request gets SSH_FX_BAD_MESSAGE. */
export class BadMessage extends Error {}

/** Reads the fields of one packet body (after the type byte). */
export class Reader {
  private p: number;
  constructor(private readonly buf: Buffer, start = 0) {
    this.p = start;
  }
  private need(n: number): void {
    if (this.p + n > this.buf.length) throw new BadMessage('packet too short');
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.p);
    this.p += 4;
    return v;
  }
  u64(): number {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.p);
    this.p += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new BadMessage('64-bit value out of range');
    return Number(v);
  }
  bytes(): Buffer {
    const n = this.u32();
    this.need(n);
    const b = this.buf.subarray(this.p, this.p + n);
    this.p += n;
    return b;
  }
  string(): string {
    return this.bytes().toString('utf8');
  }
  attrs(): Attrs {
    const flags = this.u32();
    const a: Attrs = {};
    if (flags & ATTR.SIZE) a.size = this.u64();
    if (flags & ATTR.UIDGID) {
      a.uid = this.u32();
      a.gid = this.u32();
    }
    if (flags & ATTR.PERMISSIONS) a.mode = this.u32();
    if (flags & ATTR.ACMODTIME) {
      a.atime = this.u32();
      a.mtime = this.u32();
    }
    if (flags & ATTR.EXTENDED) {
      const count = this.u32();
      for (let i = 0; i < count; i++) {
        this.bytes();
        this.bytes();
      }
    }
    return a;
  }
}

/** Builds one packet: length prefix, type, then fields. */
export class Writer {
  private parts: Buffer[] = [];
  private len = 0;
  constructor(type: number, id?: number) {
    this.byte(type);
    if (id !== undefined) this.u32(id);
  }
  private push(b: Buffer): this {
    this.parts.push(b);
    this.len += b.length;
    return this;
  }
  byte(v: number): this {
    return this.push(Buffer.from([v]));
  }
  u32(v: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(v >>> 0);
    return this.push(b);
  }
  u64(v: number): this {
    const b = Buffer.allocUnsafe(8);
    b.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(v))));
    return this.push(b);
  }
  bytes(v: Buffer | string): this {
    const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    this.u32(b.length);
    return this.push(b);
  }
  attrs(a: Attrs): this {
    let flags = 0;
    if (a.size !== undefined) flags |= ATTR.SIZE;
    if (a.uid !== undefined && a.gid !== undefined) flags |= ATTR.UIDGID;
    if (a.mode !== undefined) flags |= ATTR.PERMISSIONS;
    if (a.atime !== undefined && a.mtime !== undefined) flags |= ATTR.ACMODTIME;
    this.u32(flags);
    if (flags & ATTR.SIZE) this.u64(a.size!);
    if (flags & ATTR.UIDGID) this.u32(a.uid!).u32(a.gid!);
    if (flags & ATTR.PERMISSIONS) this.u32(a.mode!);
    if (flags & ATTR.ACMODTIME) this.u32(a.atime!).u32(a.mtime!);
    return this;
  }
  finish(): Buffer {
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32BE(this.len);
    return Buffer.concat([head, ...this.parts], 4 + this.len);
  }
}

export function statusPacket(id: number, code: number, message: string): Buffer {
  return new Writer(FXP.STATUS, id).u32(code).bytes(message).bytes('').finish();
}

/**
 * A DATA reply with room for `len` bytes of payload at offset DATA_HEADER, so
 * a file read can land in the packet without a copy; `dataPacketFinish` sets
 * the real length.
 */
export const DATA_HEADER = 13;
export function dataPacketAlloc(id: number, len: number): Buffer {
  const b = Buffer.allocUnsafe(DATA_HEADER + len);
  b[4] = FXP.DATA;
  b.writeUInt32BE(id, 5);
  return b;
}
export function dataPacketFinish(b: Buffer, n: number): Buffer {
  b.writeUInt32BE(DATA_HEADER - 4 + n, 0);
  b.writeUInt32BE(n, 9);
  return b.subarray(0, DATA_HEADER + n);
}

/**
 * Splits a byte stream into SFTP packets (each returned without its length
 * prefix). Throws BadMessage on a length the server will not accept; the
 * caller then ends the session, since the stream can no longer be framed.
 */
export class Framer {
  private pending: Buffer[] = [];
  private pendingLen = 0;
  /** Bytes needed before the next packet is complete (avoids re-joining chunks of a large packet). */
  private need = 4;
  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingLen += chunk.length;
    if (this.pendingLen < this.need) return [];
    const out: Buffer[] = [];
    let buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingLen);
    let p = 0;
    while (buf.length - p >= 4) {
      const len = buf.readUInt32BE(p);
      if (len < 1 || len > MAX_PACKET) throw new BadMessage(`SFTP packet length ${len} is out of range`);
      if (buf.length - p - 4 < len) break;
      out.push(buf.subarray(p + 4, p + 4 + len));
      p += 4 + len;
    }
    buf = buf.subarray(p);
    this.need = buf.length >= 4 ? 4 + buf.readUInt32BE(0) : 4;
    this.pending = buf.length ? [buf] : [];
    this.pendingLen = buf.length;
    return out;
  }
}
