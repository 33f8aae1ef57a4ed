// A minimal writer for the "newc" cpio format the Linux kernel unpacks as an initramfs
// (Documentation/driver-api/early-userspace/buffer-format.rst). Deterministic: fixed
// mtime and inode numbers, so the same inputs give the same bytes.

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function hex8(n) {
  return n.toString(16).padStart(8, '0');
}

function pad4(len) {
  return (4 - (len % 4)) % 4;
}

export class CpioWriter {
  #chunks = [];
  #ino = 1;

  #entry(name, mode, data, rdev = [0, 0]) {
    const nameBuf = Buffer.from(name + '\0');
    const header =
      '070701' +
      [this.#ino++, mode, 0, 0, mode & S_IFDIR ? 2 : 1, 0, data.length, 0, 0, rdev[0], rdev[1], nameBuf.length, 0]
        .map(hex8)
        .join('');
    this.#chunks.push(Buffer.from(header, 'ascii'), nameBuf, Buffer.alloc(pad4(110 + nameBuf.length)));
    this.#chunks.push(data, Buffer.alloc(pad4(data.length)));
  }

  dir(name, perm = 0o755) {
    this.#entry(name, S_IFDIR | perm, Buffer.alloc(0));
  }

  file(name, data, perm = 0o644) {
    this.#entry(name, S_IFREG | perm, Buffer.isBuffer(data) ? data : Buffer.from(data));
  }

  symlink(name, target) {
    this.#entry(name, S_IFLNK | 0o777, Buffer.from(target));
  }

  charDevice(name, major, minor, perm = 0o600) {
    this.#entry(name, S_IFCHR | perm, Buffer.alloc(0), [major, minor]);
  }

  /** The archive, with its trailer. */
  finish() {
    this.#entry('TRAILER!!!', 0, Buffer.alloc(0));
    return Buffer.concat(this.#chunks);
  }
}
