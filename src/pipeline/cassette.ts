/**
 * Reading a cassette above the cassette layer: always with the provider normalisers, so seal
 * checks and canonical hashes agree with what the writer sealed (see ./canonical.ts).
 */
import { type Cassette, readCassette } from '../cassette/reader.ts';
import { normalizeStep } from './canonical.ts';

export function loadCassette(file: string): Promise<Cassette> {
  return readCassette(file, { normalize: normalizeStep });
}

/**
 * For the replay engine, where reading is on every test's path: the steps are the same, but the
 * seal is checked by its `content_sha256` (one sha256 pass over the lines) and no canonical hash
 * is computed, so `sha256` is absent. Anything that check cannot settle (an older seal without
 * `content_sha256`, an edit after sealing, any read error) is read again by `loadCassette`, which
 * accepts what the canonical check accepts and reports the rest.
 */
export async function loadForReplay(file: string): Promise<Cassette> {
  try {
    return await readCassette(file, { verify: 'content' });
  } catch {
    return loadCassette(file);
  }
}
