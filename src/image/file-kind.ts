/** What kind of file some bytes are, from their first bytes: to name a kind dreamflow does not read. */

const SIGNATURES: [string, (b: Buffer) => boolean][] = [
  ['PNG', (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))],
  ['JPEG', (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  ['WebP', (b) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP'],
  ['GIF', (b) => b.toString('latin1', 0, 4) === 'GIF8'],
  ['BMP', (b) => b.toString('latin1', 0, 2) === 'BM'],
  ['TIFF', (b) => ['II*\0', 'MM\0*'].includes(b.toString('latin1', 0, 4))],
  ['PDF', (b) => b.toString('latin1', 0, 5) === '%PDF-'],
  ['Photoshop (PSD)', (b) => b.toString('latin1', 0, 4) === '8BPS'],
  ['NumPy array (.npy)', (b) => b.toString('latin1', 1, 6) === 'NUMPY' && b[0] === 0x93],
  ['SVG', (b) => /^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/i.test(b.toString('utf8', 0, 256))],
];

/** 'PNG', 'JPEG', 'WebP', another named kind, 'empty', 'text' or 'unknown binary'. */
export function fileKind(bytes: Buffer): string {
  if (bytes.length === 0) return 'empty';
  for (const [name, test] of SIGNATURES) if (test(bytes)) return name;
  const head = bytes.subarray(0, 512);
  return head.every((c) => c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 128) ? 'text' : 'unknown binary';
}
