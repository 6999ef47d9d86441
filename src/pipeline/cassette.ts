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
 * For the replay engine, where reading is on every test's path: the steps are the same, but only
 * the base hash is computed (the seal's `integrity`, which still catches any edit after sealing),
 * not the provider-normalised one as well. Any read error is left to `loadCassette` to report
 * (hand-made seals without `integrity` carry a provider-normalised `sha256` only it can check).
 */
export async function loadForReplay(file: string): Promise<Cassette> {
  try {
    return await readCassette(file);
  } catch {
    return loadCassette(file);
  }
}
