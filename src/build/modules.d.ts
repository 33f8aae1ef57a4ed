// Minimal typings for tar-fs 2.x (no published types), only what context.ts uses.
declare module 'tar-fs' {
  import type { Readable } from 'node:stream';
  interface TarHeader {
    name: string;
    size?: number;
    mode?: number;
    mtime?: Date;
    type?: 'file' | 'directory' | 'symlink';
  }
  interface Pack extends Readable {
    entry(header: TarHeader, body: string | Buffer, cb?: (err?: Error) => void): unknown;
    finalize(): void;
  }
  interface PackOptions {
    ignore?: (absolutePath: string) => boolean;
    finalize?: boolean;
    finish?: (pack: Pack) => void;
    dereference?: boolean;
  }
  export function pack(cwd: string, opts?: PackOptions): Pack;
}
