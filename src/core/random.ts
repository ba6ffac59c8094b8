/**
 * Seeded pseudo-random generator (xoshiro128**, seeded by splitmix32). The kernel never calls
 * Math.random(): a generator is an input, and its state is plain numbers so it can be snapshotted.
 */
export interface RandomState { a: number; b: number; c: number; d: number }

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class SeededRandom {
  private a: number; private b: number; private c: number; private d: number;
  constructor(seed: number | RandomState) {
    if (typeof seed === 'number') {
      const sm = splitmix32(seed);
      this.a = sm(); this.b = sm(); this.c = sm(); this.d = sm();
    } else {
      ({ a: this.a, b: this.b, c: this.c, d: this.d } = seed);
    }
  }
  /** Next unsigned 32-bit integer. */
  nextU32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.b << 9) >>> 0;
    this.c ^= this.a; this.d ^= this.b; this.b ^= this.c; this.a ^= this.d;
    this.c = (this.c ^ t) >>> 0;
    this.d = rotl(this.d >>> 0, 11);
    this.a >>>= 0; this.b >>>= 0; this.c >>>= 0;
    return r;
  }
  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number { return this.nextU32() / 4294967296; }
  /** Standard normal via Box–Muller. */
  normal(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  state(): RandomState { return { a: this.a, b: this.b, c: this.c, d: this.d }; }
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;
