/** Deterministic ids per server (`req_fake_0001`...), so captures of the fake are reproducible. */
export class Ids {
  private readonly counters = new Map<string, number>();

  next(prefix: string, separator = '_fake_'): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}${separator}${String(n).padStart(4, '0')}`;
  }

  reset(): void {
    this.counters.clear();
  }
}
