import sharp from 'sharp';
const [out, ...files] = process.argv.slice(2);
const w = 320, h = 240, cols = 3;
const rows = Math.ceil(files.length / cols);
const comps = await Promise.all(files.map(async (f, i) => ({ input: await sharp(f).resize(w, h).png().toBuffer(), left: (i % cols) * w, top: Math.floor(i / cols) * h })));
await sharp({ create: { width: w * cols, height: h * rows, channels: 3, background: '#000' } }).composite(comps).png().toFile(out);
