/**
 * Newline-delimited JSON-RPC framing, the MCP stdio transport: one message per line, no newline
 * inside a message. The shim forwards bytes as they arrive and only observes them here, so each
 * side receives exactly what the other sent, however the pipe split it. Bytes are joined before
 * they are decoded: a UTF-8 character split between two chunks stays whole.
 */
export class LineSplitter {
  #pending: Buffer[] = [];
  readonly #onLine: (line: string) => void;

  constructor(onLine: (line: string) => void) {
    this.#onLine = onLine;
  }

  push(chunk: Uint8Array): void {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    let start = 0;
    for (let nl = bytes.indexOf(10, start); nl !== -1; nl = bytes.indexOf(10, start)) {
      const piece = bytes.subarray(start, nl);
      const line = this.#pending.length > 0 ? Buffer.concat([...this.#pending, piece]) : piece;
      this.#pending = [];
      start = nl + 1;
      this.#onLine(stripCr(line.toString('utf8')));
    }
    // A copy: the caller may reuse its buffer once push returns.
    if (start < bytes.length) this.#pending.push(Buffer.from(bytes.subarray(start)));
  }

  /** The stream ended: a last message without its newline still counts. */
  end(): void {
    if (this.#pending.length === 0) return;
    const rest = Buffer.concat(this.#pending).toString('utf8');
    this.#pending = [];
    if (rest.trim() !== '') this.#onLine(stripCr(rest));
  }
}

const stripCr = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);
