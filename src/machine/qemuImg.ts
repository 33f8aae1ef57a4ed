// A typed wrapper around the `qemu-img` tool: create, info, resize, check.
// Every call spawns qemu-img with an argv array; failures carry qemu-img's
// own stderr, and a missing binary says how to install it.

import { execFile } from 'node:child_process';
import { hostOs } from './layout';
import { installHint } from './host';

export interface ImageInfo {
  filename: string;
  format: string;
  virtualSize: number;
  /** Bytes used on the host (sparse files and qcow2 grow as written). */
  actualSize: number;
  dirty: boolean;
  backingFile?: string;
  backingFormat?: string;
  clusterSize?: number;
}

export interface CheckResult {
  ok: boolean;
  corruptions: number;
  leaks: number;
  /** Corruptions fixed / leaks fixed are only reported with repair, not used here. */
  checkErrors: number;
  imageEndOffset?: number;
}

export class QemuImgError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'QemuImgError';
  }
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class QemuImg {
  constructor(readonly exe: string = process.env.SLIPWAY_QEMU_IMG || 'qemu-img') {}

  private run(args: string[], okCodes: number[] = [0]): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      execFile(this.exe, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new QemuImgError(`"${this.exe}" was not found. ${installHint(hostOs())}`, '', { cause: err }));
          return;
        }
        if (!okCodes.includes(code)) {
          const detail = stderr.trim() || stdout.trim() || (err as Error).message;
          reject(new QemuImgError(`qemu-img ${args[0]} failed (exit ${code}): ${detail}`, stderr, { cause: err }));
          return;
        }
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** Creates a qcow2 image of `sizeBytes` (virtual), optionally on top of a backing file. */
  async create(file: string, sizeBytes: number, opts: { backingFile?: string; backingFormat?: string } = {}): Promise<void> {
    if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0) throw new Error(`Disk size ${sizeBytes} is not a positive number of bytes.`);
    const args = ['create', '-q', '-f', 'qcow2', '-o', 'lazy_refcounts=on'];
    if (opts.backingFile) args.push('-b', opts.backingFile, '-F', opts.backingFormat ?? 'qcow2');
    args.push(file, String(sizeBytes));
    await this.run(args);
  }

  /** Reads the image's metadata. `-U` lets this work while a running QEMU holds the image. */
  async info(file: string): Promise<ImageInfo> {
    const { stdout } = await this.run(['info', '-U', '--output=json', file]);
    const raw = parseJson(stdout, 'info') as Record<string, unknown>;
    const info: ImageInfo = {
      filename: String(raw.filename ?? file),
      format: String(raw.format ?? ''),
      virtualSize: Number(raw['virtual-size'] ?? 0),
      actualSize: Number(raw['actual-size'] ?? 0),
      dirty: raw['dirty-flag'] === true,
    };
    if (typeof raw['backing-filename'] === 'string') info.backingFile = raw['backing-filename'];
    if (typeof raw['backing-filename-format'] === 'string') info.backingFormat = raw['backing-filename-format'];
    if (typeof raw['cluster-size'] === 'number') info.clusterSize = raw['cluster-size'];
    return info;
  }

  /** Grows the image to `sizeBytes`. Shrinking would destroy data in the guest file system, so it is refused. */
  async resize(file: string, sizeBytes: number): Promise<void> {
    const current = await this.info(file);
    if (sizeBytes < current.virtualSize)
      throw new Error(`Refusing to shrink "${file}" from ${current.virtualSize} to ${sizeBytes} bytes: that would cut the guest's file system. Give a size of at least ${current.virtualSize} bytes.`);
    if (sizeBytes === current.virtualSize) return;
    await this.run(['resize', '-q', '-f', current.format, file, String(sizeBytes)]);
  }

  /** Checks a qcow2 image's consistency (read-only). Exit codes 2 and 3 mean corruptions / leaks, not a failure to check. */
  async check(file: string): Promise<CheckResult> {
    const { stdout } = await this.run(['check', '-U', '--output=json', file], [0, 2, 3]);
    const raw = parseJson(stdout, 'check') as Record<string, unknown>;
    const corruptions = Number(raw.corruptions ?? 0);
    const leaks = Number(raw.leaks ?? 0);
    const checkErrors = Number(raw['check-errors'] ?? 0);
    const r: CheckResult = { ok: corruptions === 0 && leaks === 0 && checkErrors === 0, corruptions, leaks, checkErrors };
    if (typeof raw['image-end-offset'] === 'number') r.imageEndOffset = raw['image-end-offset'];
    return r;
  }
}

function parseJson(text: string, verb: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new QemuImgError(`qemu-img ${verb} printed output that is not JSON: ${text.slice(0, 200)}`, '', { cause: err });
  }
}
