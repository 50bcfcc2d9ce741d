/**
 * GRUB's Reed-Solomon redundancy for an embedded core.img, written as grub-bios-setup writes it, so the
 * disk is byte-identical to one GRUB's own tool made. At boot, GRUB's startup code uses these bytes to
 * repair a core.img that other software (some Windows licence managers, old partitioning tools)
 * scribbled over inside the BIOS boot gap.
 *
 * The code: GF(2^8) with the polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d) and generator x. Data are
 * interleaved by sector: byte i of every 512-byte sector forms one code word, whose parity bytes go to
 * byte i of the redundancy sectors. Long inputs are cut into blocks of at most 200 sectors of data plus
 * redundancy, shared out in proportion.
 */
const SECTOR = 512;
const MAX_BLOCK = 200 * SECTOR;

const POW = new Uint8Array(510); // x^i, twice over so that log(a) + log(b) needs no modulo
const LOG = new Int32Array(256);
(() => {
  let cur = 1;
  for (let i = 0; i < 255; i++) {
    POW[i] = cur;
    POW[i + 255] = cur;
    LOG[cur] = i;
    cur = cur & 0x80 ? ((cur << 1) ^ 0x11d) & 0xff : cur << 1;
  }
})();

const mul = (a: number, b: number) => (a === 0 || b === 0 ? 0 : POW[LOG[a]! + LOG[b]!]!);
/** x^j · a */
const mulX = (j: number, a: number) => POW[j + LOG[a]!]!;

/** The generator polynomial of `rs` parity bytes, ∏ (X − x^j) for j < rs, highest power first. */
function generator(rs: number): Uint8Array {
  const g = new Uint8Array(rs + 1);
  g[rs] = 1;
  for (let j = 0; j < rs; j++) {
    for (let i = 0; i < rs; i++) g[i] = g[i]! ? g[i + 1]! ^ mulX(j, g[i]!) : g[i + 1]!;
    if (g[rs]) g[rs] = mulX(j, g[rs]!);
  }
  return g;
}

/** Systematic encoding: the remainder of data·X^rs divided by the generator. */
export function rsParity(data: Uint8Array, rs: number): Uint8Array {
  const g = generator(rs);
  const m = new Uint8Array(data.length + rs);
  m.set(data);
  for (let j = 0; j < data.length; j++) {
    const f = m[j]!;
    if (f) for (let i = 0; i <= rs; i++) m[i + j]! ^= mul(g[i]!, f);
  }
  return m.subarray(data.length);
}

function encodeBlock(buf: Buffer, data: number, size: number, red: number, redSize: number): void {
  for (let i = 0; i < SECTOR; i++) {
    const ds = Math.floor((size + SECTOR - 1 - i) / SECTOR);
    const rr = Math.floor((redSize + SECTOR - 1 - i) / SECTOR);
    if (!ds || !rr) continue;
    const column = new Uint8Array(ds);
    for (let j = 0; j < ds; j++) column[j] = buf[data + SECTOR * j + i]!;
    const parity = rsParity(column, rr);
    for (let j = 0; j < rr; j++) buf[red + SECTOR * j + i] = parity[j]!;
  }
}

/**
 * Writes `redundancy` bytes of Reed-Solomon code for buf[start, start+size) right after it, in place.
 * The data bytes are left as they are.
 */
export function addRedundancy(buf: Buffer, start: number, size: number, redundancy: number): void {
  if (start + size + redundancy > buf.length) throw new RangeError('redundancy does not fit in the buffer');
  let s = size;
  let rs = redundancy;
  let data = start;
  let red = start + size;
  if (!rs) return;
  while (s > 0) {
    let cs = s;
    let crs = rs;
    const total = cs + crs;
    if (total > MAX_BLOCK) {
      cs = Math.floor((cs * (MAX_BLOCK / SECTOR)) / total) * SECTOR;
      crs = Math.floor((crs * (MAX_BLOCK / SECTOR)) / total) * SECTOR;
    }
    encodeBlock(buf, data, cs, red, crs);
    data += cs;
    red += crs;
    s -= cs;
    rs -= crs;
  }
}

/** The syndromes of a code word (data then parity): all zero when the word is intact. For tests and checks. */
export function syndromes(word: Uint8Array, rs: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < rs; j++) {
    // evaluate at x^j with Horner's rule; word[0] is the highest power
    let acc = 0;
    for (const b of word) acc = mul(acc, POW[j]!) ^ b;
    out.push(acc);
  }
  return out;
}
