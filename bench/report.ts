// The one output format of `npm run bench` (other tools parse it):
//   BENCH <name> ours=<value><unit> peer=<value><unit> ratio=<ours/peer> target=<text>

export interface BenchLine {
  name: string;
  ours: number;
  /** Undefined when there is no peer to compare with. */
  peer?: number;
  unit: string;
  target: string;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const abs = Math.abs(v);
  return abs >= 100 ? v.toFixed(0) : abs >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

export function formatBench(l: BenchLine): string {
  const peer = l.peer === undefined ? 'peer=-' : `peer=${fmt(l.peer)}${l.unit}`;
  const ratio = l.peer === undefined || l.peer === 0 ? 'ratio=-' : `ratio=${(l.ours / l.peer).toFixed(3)}`;
  return `BENCH ${l.name} ours=${fmt(l.ours)}${l.unit} ${peer} ${ratio} target=${l.target}`;
}

export function report(l: BenchLine): void {
  console.log(formatBench(l));
}

/** Median of `runs` timings of `fn`, in milliseconds. */
export async function medianMs(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export interface Bench {
  /** Dotted name; `npm run bench -- <prefix>` selects by prefix. */
  name: string;
  run(prefixes: string[]): Promise<void>;
}
