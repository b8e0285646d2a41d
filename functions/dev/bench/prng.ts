/** A small seeded PRNG (mulberry32), so that every benchmark run seeds the same data. */
export function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** An item chosen with the given weights. */
    pick<T>(weighted: Array<[T, number]>): T {
      const total = weighted.reduce((sum, [, weight]) => sum + weight, 0);
      let roll = next() * total;
      for (const [item, weight] of weighted) {
        roll -= weight;
        if (roll < 0) return item;
      }
      return weighted[weighted.length - 1][0];
    },
    between(min: number, max: number) {
      return min + next() * (max - min);
    },
  };
}
