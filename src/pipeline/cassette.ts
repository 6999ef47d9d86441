/**
 * Reading a cassette above the cassette layer: always with the provider normalisers, so seal
 * checks and canonical hashes agree with what the writer sealed (see ./canonical.ts).
 */
import { type Cassette, readCassette } from '../cassette/reader.ts';
import { normalizeStep } from './canonical.ts';

export function loadCassette(file: string): Promise<Cassette> {
  return readCassette(file, { normalize: normalizeStep });
}
