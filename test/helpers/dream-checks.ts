/** Checks on dream outputs: image size, and how far the pixels moved from the input. */
import sharp from 'sharp';

export async function imageSize(file: string): Promise<[number, number]> {
  const m = await sharp(file).metadata();
  return [m.width!, m.height!];
}

/** Mean absolute difference per channel value (0..255) between two same-size images. */
export async function meanAbsDiff(a: string, b: string): Promise<number> {
  const [x, y] = await Promise.all([a, b].map((f) => sharp(f).removeAlpha().raw().toBuffer()));
  if (x!.length !== y!.length) throw new Error(`${a} and ${b} differ in size`);
  let sum = 0;
  for (let i = 0; i < x!.length; i++) sum += Math.abs(x![i]! - y![i]!);
  return sum / x!.length;
}
