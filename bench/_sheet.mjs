import sharp from 'sharp';
const [out, wArg, hArg, colsArg, ...files] = process.argv.slice(2);
const w = Number(wArg), h = Number(hArg), cols = Number(colsArg);
const rows = Math.ceil(files.length / cols);
const comps = await Promise.all(files.map(async (f, i) => ({ input: await sharp(f).resize(w, h).png().toBuffer(), left: (i % cols) * w, top: Math.floor(i / cols) * h })));
await sharp({ create: { width: w * cols, height: h * rows, channels: 3, background: '#000' } }).composite(comps).png().toFile(out);
