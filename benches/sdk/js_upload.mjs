// Upload benchmark through @uploadcare/upload-client, one JSON line:
//   node js_upload.mjs big FILE CONCURRENCY   # uploadFile(buffer) (multipart, maxConcurrentRequests)
// The client takes the file as a Buffer (it has no file-path source in Node), so the whole
// file is read into memory first, as its users do. UC_UPLOAD_BASE / UC_PUBLIC_KEY: the sink.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(process.env.UC_NODE_MODULES, 'x.js'));
const uc = require('@uploadcare/upload-client');

const [mode, target, concurrency = '4'] = process.argv.slice(2);
if (mode !== 'big') throw new Error(`unknown mode ${mode}`);
const options = {
  publicKey: process.env.UC_PUBLIC_KEY,
  baseURL: process.env.UC_UPLOAD_BASE,
  store: false,
  maxConcurrentRequests: Number(concurrency),
};
const started = process.hrtime.bigint();
const buffer = fs.readFileSync(target);
const file = await uc.uploadFile(buffer, { ...options, fileName: 'big.bin', contentType: 'application/octet-stream' });
const secs = Number(process.hrtime.bigint() - started) / 1e9;
if (file.size !== buffer.length) throw new Error(`size ${file.size} != ${buffer.length}`);
const rss = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({
  bench: 'upload', client: 'upload-client-big', concurrency: Number(concurrency), files: 1,
  bytes: buffer.length, secs: +secs.toFixed(3), mib_per_s: +(buffer.length / 1048576 / secs).toFixed(1),
  files_per_s: +(1 / secs).toFixed(1), peak_rss_mib: +rss.toFixed(1),
}));
