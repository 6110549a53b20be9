/**
 * MurmurHash3 x86_32, the hash behind werf's slug suffixes (werf uses
 * github.com/spaolacci/murmur3 `New32()`, i.e. seed 0, over the UTF-8 bytes).
 *
 * All arithmetic goes through Math.imul and `>>> 0` because JS numbers are
 * doubles: a plain `*` loses the low bits once the product exceeds 2^53, and
 * bitwise operators yield signed 32-bit values that must be made unsigned.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function rotl32(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** MurmurHash3's 32-bit finaliser: every input bit affects every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Returns the hash as an unsigned 32-bit integer (0 … 2^32-1). */
export function murmur3_32(bytes: Uint8Array, seed = 0): number {
  const len = bytes.length;
  const blockEnd = len - (len % 4);
  let h = seed >>> 0;

  for (let i = 0; i < blockEnd; i += 4) {
    // Blocks are read little-endian regardless of host byte order, as the
    // reference implementation and the Go port do on x86.
    let k =
      bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, C1);
    k = rotl32(k, 15);
    k = Math.imul(k, C2);

    h ^= k;
    h = rotl32(h, 13);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }

  // The 1–3 byte tail is folded in little-endian too; written as ifs rather
  // than the reference's fall-through switch, which tsconfig forbids.
  const tail = len & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= bytes[blockEnd + 2] << 16;
    if (tail >= 2) k ^= bytes[blockEnd + 1] << 8;
    k ^= bytes[blockEnd];
    k = Math.imul(k, C1);
    k = rotl32(k, 15);
    k = Math.imul(k, C2);
    h ^= k;
  }

  // Only the low 32 bits of the length enter the hash (uint32 in the reference).
  h ^= len;
  return fmix32(h);
}

const utf8 = new TextEncoder();

/** murmur3_32 of a string's UTF-8 encoding, the form werf hashes. */
export function murmur3_32String(s: string, seed = 0): number {
  return murmur3_32(utf8.encode(s), seed);
}
