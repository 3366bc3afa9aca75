// Conformance driver: the official JS clients, @uploadcare/upload-client and
// @uploadcare/rest-client (versions pinned in ../sdk-versions.txt), run every operation they
// offer against the crate's emulator. Started by ../run, which exports
//   UC_REST_BASE, UC_UPLOAD_BASE, UC_CDN_BASE, UC_PUBLIC_KEY, UC_SECRET_KEY,
//   UC_AUTH = signed | simple   (REST auth scheme)
// Prints one line per step: `ok <step>`, `skip <step>: <why>` or `FAIL <step>: <what>` (with
// the HTTP exchange that went wrong). Exit status 1 when a step failed, else 0.
// UC_TRACE=1 also prints every HTTP exchange (method, path, status, request headers).
//
// Only 127.0.0.1 is contacted: any other outgoing connection is refused before it is made
// (upload-client's uploadFromUrl always tries a Pusher websocket to ws.pusherapp.com; it is
// refused here and the client falls back to polling /from_url/status/).

import http from 'node:http';
import net from 'node:net';
import crypto from 'node:crypto';
import zlib from 'node:zlib';

// ---------------------------------------------------------------------------------------------
// Configuration

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`steps.mjs: ${name} is not set (run tests/interop/run)`);
    process.exit(2);
  }
  return value;
};
const REST_BASE = env('UC_REST_BASE').replace(/\/$/, '');
const UPLOAD_BASE = env('UC_UPLOAD_BASE').replace(/\/$/, '');
const CDN_BASE = env('UC_CDN_BASE').replace(/\/$/, '');
const PUBLIC_KEY = env('UC_PUBLIC_KEY');
const SECRET_KEY = env('UC_SECRET_KEY');
const AUTH = env('UC_AUTH');
const TRACE = process.env.UC_TRACE === '1';
if (AUTH !== 'signed' && AUTH !== 'simple') {
  console.error(`steps.mjs: UC_AUTH must be "signed" or "simple", not "${AUTH}"`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Network guard: loopback only.

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const connectTarget = (args) => {
  let first = args[0];
  if (Array.isArray(first)) first = first[0]; // net.connect() passes its normalized arguments
  if (first && typeof first === 'object') {
    if (first.path) return null; // a local socket
    return first.host ?? first.hostname ?? 'localhost';
  }
  if (typeof first === 'number' || /^\d+$/.test(String(first))) {
    return typeof args[1] === 'string' ? args[1] : 'localhost';
  }
  return null;
};
const blockedHosts = new Set();
const realConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const host = connectTarget(args);
  if (host !== null && !LOOPBACK.has(host)) {
    blockedHosts.add(host);
    process.nextTick(() => this.destroy(new Error(`steps.mjs refuses to connect to ${host}`)));
    return this;
  }
  return realConnect.apply(this, args);
};

// ---------------------------------------------------------------------------------------------
// HTTP trace: every request the clients make through node:http (both clients use it), with
// status and the start of both bodies, so a failure can say what was sent and answered.

const BODY_KEEP = 4096;
let exchanges = [];
const realRequest = http.request;
http.request = function tracedRequest(...args) {
  const req = realRequest.apply(this, args);
  const exchange = {
    method: req.method,
    path: req.path,
    headers: null,
    sent: [],
    sentLength: 0,
    status: null,
    contentType: null,
    answer: '',
  };
  exchanges.push(exchange);
  const keep = (chunk, encoding) => {
    if (chunk == null || typeof chunk === 'function') return;
    const buffer = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8');
    if (exchange.sentLength < BODY_KEEP) exchange.sent.push(buffer.subarray(0, BODY_KEEP - exchange.sentLength));
    exchange.sentLength += buffer.length;
  };
  const write = req.write;
  req.write = function (chunk, encoding, cb) {
    keep(chunk, encoding);
    return write.call(this, chunk, encoding, cb);
  };
  const end = req.end;
  req.end = function (chunk, encoding, cb) {
    // node-fetch sets every header as an array of values.
    exchange.headers = Object.fromEntries(Object.entries(req.getHeaders())
      .map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]));
    keep(chunk, encoding);
    return end.call(this, chunk, encoding, cb);
  };
  req.on('response', (res) => {
    exchange.status = res.statusCode;
    exchange.contentType = res.headers['content-type'] ?? null;
    res.on('data', (chunk) => {
      if (exchange.answer.length < BODY_KEEP) exchange.answer += chunk.toString('utf8');
    });
    if (TRACE) res.on('end', () => console.log(`    ${describe(exchange, true)}`));
  });
  return req;
};

const clip = (text, n = 300) => {
  const flat = String(text).replace(/\s+/g, ' ').trim();
  return flat.length > n ? `${flat.slice(0, n)}…` : flat;
};
function describe(exchange, withHeaders = false) {
  const sent = Buffer.concat(exchange.sent).toString('latin1');
  let body = '';
  const type = String(exchange.headers?.['content-type'] ?? '');
  if (type.startsWith('multipart/form-data')) {
    const fields = [...sent.matchAll(/name="([^"]*)"(?:; filename="([^"]*)")?\r\n(?:Content-Type: [^\r]*\r\n)?\r\n([^\r]{0,60})/g)]
      .map(([, name, filename, value]) => (filename !== undefined ? `${name}=<file ${filename}>` : `${name}=${value}`));
    body = ` form{${fields.join(', ')}}`;
  } else if (exchange.sentLength > 0 && exchange.sentLength <= BODY_KEEP) {
    body = ` body=${clip(sent, 200)}`;
  } else if (exchange.sentLength > 0) {
    body = ` body=<${exchange.sentLength} bytes>`;
  }
  const headers = withHeaders && exchange.headers
    ? ` headers=${JSON.stringify(Object.fromEntries(Object.entries(exchange.headers)
      .filter(([k]) => !['user-agent', 'x-uc-user-agent', 'connection', 'accept-encoding'].includes(k))
      .map(([k, v]) => [k, k === 'authorization' ? String(v).replace(/:.*/, ':…') : v])))}`
    : '';
  const answer = exchange.status === null
    ? 'no answer'
    : `${exchange.status}${exchange.contentType ? ` (${exchange.contentType})` : ''} ${clip(exchange.answer)}`;
  return `${exchange.method} ${exchange.path}${body}${headers} -> ${answer}`;
}

// ---------------------------------------------------------------------------------------------
// The clients (loaded after the guard and the trace are in place).

const uc = await import('@uploadcare/upload-client');
const rc = await import('@uploadcare/rest-client');

const UPLOAD = {
  publicKey: PUBLIC_KEY,
  baseURL: UPLOAD_BASE,
  // A trailing slash: the client appends `<uuid>/` to the base's path as is.
  baseCDN: `${CDN_BASE}/`,
  retryThrottledRequestMaxTimes: 0,
  retryNetworkErrorMaxTimes: 0,
};
const authSchema = AUTH === 'signed'
  ? new rc.UploadcareAuthSchema({ publicKey: PUBLIC_KEY, secretKey: SECRET_KEY })
  : new rc.UploadcareSimpleAuthSchema({ publicKey: PUBLIC_KEY, secretKey: SECRET_KEY });
const REST = {
  authSchema,
  apiBaseURL: `${REST_BASE}/`,
  retryThrottledRequestMaxTimes: 0,
  retryNetworkErrorMaxTimes: 0,
};

// ---------------------------------------------------------------------------------------------
// Steps and assertions

class Skip extends Error {}
class Check extends Error {
  constructor(message) {
    super(message);
    this.name = 'AssertionError';
  }
}
const results = { ok: 0, skip: 0, fail: 0 };
const failures = [];

const show = (value) => {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : clip(text, 200);
};
function check(condition, what) {
  if (!condition) throw new Check(what);
}
function eq(actual, expected, what) {
  if (actual !== expected) throw new Check(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}
function need(value, what) {
  if (value === undefined || value === null) throw new Skip(`needs ${what}, which an earlier step did not produce`);
  return value;
}
async function rejects(promise, what) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Check(`${what}: expected an error, the call succeeded`);
}

function describeError(error) {
  if (!(error instanceof Error)) return show(error);
  let text = `${error.name}: ${error.message}`;
  if (error.code) text += ` (code ${error.code})`;
  if (error.status !== undefined && !String(error.message).includes(String(error.status))) text += ` (status ${error.status})`;
  return text;
}

async function step(name, body, timeoutMs = 15000) {
  exchanges = [];
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Check(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const note = await Promise.race([body(), timeout]);
    console.log(`ok ${name}${typeof note === 'string' ? ` (${note})` : ''}`);
    results.ok += 1;
  } catch (error) {
    if (error instanceof Skip) {
      console.log(`skip ${name}: ${error.message}`);
      results.skip += 1;
    } else {
      const latest = [...exchanges].reverse();
      const failed = latest.find((e) => e.status >= 400) ?? latest.find((e) => e.status === null) ?? latest[0];
      const http = failed ? `\n    last exchange: ${describe(failed, true)}` : '';
      console.log(`FAIL ${name}: ${describeError(error)}${http}`);
      results.fail += 1;
      failures.push(name);
    }
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Test data

const MiB = 1024 * 1024;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const md5 = (data) => crypto.createHash('md5').update(data).digest('hex');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const pattern = (size, seed) => {
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) data[i] = (i * 31 + seed) & 0xff;
  return data;
};

// A valid PNG of w×h opaque pixels.
function png(width, height) {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes) => {
    let c = 0xffffffff;
    for (const b of bytes) c = table[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const tail = Buffer.alloc(4);
    tail.writeUInt32BE(crc(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, tail]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc((width * 3 + 1) * height, 0x7f);
  for (let y = 0; y < height; y += 1) rows[y * (width * 3 + 1)] = 0;
  return Buffer.concat([
    Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function cdnBytes(url) {
  check(url.startsWith('http://127.0.0.1'), `CDN URL is local: ${url}`);
  const response = await fetch(url);
  eq(response.status, 200, `GET ${url} status`);
  return Buffer.from(await response.arrayBuffer());
}

// State shared by the steps.
const S = {};
const TEXT = Buffer.from('Hello from the JS conformance driver of the Uploadcare emulator.\n');
const IMAGE = png(3, 2);
const BIG_LOW = pattern(10 * MiB + 123, 7); // low-level multipart: 3 parts of 5 MiB at most
const BIG = pattern(11 * MiB + 5, 13);

// =============================================================================================
// Upload API (@uploadcare/upload-client)

await step('upload.uploadFile.direct', async () => {
  const file = await uc.uploadFile(TEXT, {
    ...UPLOAD,
    fileName: 'hello.txt',
    contentType: 'text/plain',
    store: false,
    metadata: { pet: 'cat', subsystem: 'interop' },
  });
  check(UUID_RE.test(file.uuid), `uuid looks like a UUID: ${file.uuid}`);
  eq(file.size, TEXT.length, 'size');
  eq(file.name, 'hello.txt', 'name');
  eq(file.originalFilename, 'hello.txt', 'originalFilename');
  eq(file.mimeType, 'text/plain', 'mimeType');
  eq(file.isStored, false, 'isStored with store: false');
  eq(file.isImage, false, 'isImage');
  eq(file.metadata?.pet, 'cat', 'metadata.pet');
  eq(file.metadata?.subsystem, 'interop', 'metadata.subsystem');
  eq(file.cdnUrl, `${CDN_BASE}/${file.uuid}/`, 'cdnUrl');
  check(exchanges.some((e) => e.path.startsWith('/base/')), 'sent through POST /base/');
  eq(md5(await cdnBytes(file.cdnUrl)), md5(TEXT), 'CDN content md5');
  S.text = file;
});

await step('upload.uploadFile.image', async () => {
  const file = await uc.uploadFile(IMAGE, { ...UPLOAD, fileName: 'pixel.png', contentType: 'image/png' });
  eq(file.size, IMAGE.length, 'size');
  eq(file.isImage, true, 'isImage');
  eq(file.mimeType, 'image/png', 'mimeType');
  eq(file.isStored, true, 'isStored with store unset (auto, project autostore on)');
  eq(file.imageInfo?.width, 3, 'imageInfo.width');
  eq(file.imageInfo?.height, 2, 'imageInfo.height');
  S.image = file;
});

await step('upload.base', async () => {
  const answer = await uc.base(Buffer.from('low-level base upload\n'), {
    ...UPLOAD,
    fileName: 'base.txt',
    contentType: 'text/plain',
    store: true,
  });
  check(UUID_RE.test(answer.file), `answer.file is a UUID: ${show(answer)}`);
  S.baseUuid = answer.file;
});

await step('upload.info', async () => {
  const uuid = need(S.baseUuid, 'the upload.base file');
  const info = await uc.info(uuid, UPLOAD);
  eq(info.uuid, uuid, 'uuid');
  eq(info.size, 'low-level base upload\n'.length, 'size');
  eq(info.isReady, true, 'isReady');
  eq(info.isStored, true, 'isStored with store: true');
  eq(info.originalFilename, 'base.txt', 'originalFilename');
  eq(info.filename, 'base.txt', 'filename');
  eq(info.mimeType, 'text/plain', 'mimeType');
});

await step('upload.uploadDirect', async () => {
  const data = Buffer.from(new Uint8Array([0x75, 0x63, 0x0a, 0x00, 0xff]));
  const file = await uc.uploadDirect(data, {
    ...UPLOAD,
    fileName: 'direct.bin',
    store: true,
    metadata: { kind: 'direct' },
  });
  eq(file.size, 5, 'size');
  eq(file.name, 'direct.bin', 'name');
  eq(file.isStored, true, 'isStored with store: true');
  eq(file.mimeType, 'application/octet-stream', 'mimeType');
  eq(file.metadata?.kind, 'direct', 'metadata.kind');
  eq(md5(await cdnBytes(file.cdnUrl)), md5(data), 'CDN content md5');
  S.direct = file;
});

await step('upload.multipartStart+multipartUpload+multipartComplete', async () => {
  const chunkSize = 5 * MiB;
  const start = await uc.multipartStart(BIG_LOW.length, {
    ...UPLOAD,
    fileName: 'low-level.bin',
    contentType: 'application/octet-stream',
    multipartChunkSize: chunkSize,
    store: false,
    metadata: { kind: 'multipart' },
  });
  check(UUID_RE.test(start.uuid), `start.uuid is a UUID: ${start.uuid}`);
  S.lowLevelUuid = start.uuid;
  eq(start.parts.length, Math.ceil(BIG_LOW.length / chunkSize), 'number of part URLs');
  for (const [index, url] of start.parts.entries()) {
    check(url.startsWith('http://127.0.0.1'), `part URL is local: ${url}`);
    const chunk = BIG_LOW.subarray(index * chunkSize, Math.min((index + 1) * chunkSize, BIG_LOW.length));
    const put = await uc.multipartUpload(chunk, url, { contentType: 'application/octet-stream', ...UPLOAD });
    eq(put.code, 200, `part ${index} status`);
  }
  const info = await uc.multipartComplete(start.uuid, UPLOAD);
  eq(info.uuid, start.uuid, 'uuid');
  eq(info.size, BIG_LOW.length, 'size');
  eq(info.isReady, true, 'isReady');
  eq(info.isStored, false, 'isStored with store: false');
  eq(info.originalFilename, 'low-level.bin', 'originalFilename');
  eq(info.metadata?.kind, 'multipart', 'metadata.kind');
  eq(md5(await cdnBytes(`${CDN_BASE}/${start.uuid}/`)), md5(BIG_LOW), 'CDN content md5');
}, 30000);

await step('upload.uploadMultipart', async () => {
  const file = await uc.uploadMultipart(BIG, {
    ...UPLOAD,
    fileName: 'big.bin',
    contentType: 'application/octet-stream',
    store: true,
    metadata: { size: 'big' },
  });
  eq(file.size, BIG.length, 'size');
  eq(file.name, 'big.bin', 'name');
  eq(file.isStored, true, 'isStored with store: true');
  eq(file.metadata?.size, 'big', 'metadata.size');
  eq(exchanges.filter((e) => e.method === 'PUT').length, 3, 'parts PUT');
  eq(md5(await cdnBytes(file.cdnUrl)), md5(BIG), 'CDN content md5');
  S.big = file;
}, 30000);

await step('upload.uploadFile.multipart', async () => {
  const file = await uc.uploadFile(BIG, {
    ...UPLOAD,
    fileName: 'big-auto.bin',
    multipartMinFileSize: 10 * MiB,
    store: false,
  });
  check(exchanges.some((e) => e.path.startsWith('/multipart/start/')), 'went through /multipart/start/');
  check(exchanges.some((e) => e.path.startsWith('/multipart/complete/')), 'went through /multipart/complete/');
  eq(file.size, BIG.length, 'size');
  // `name` is the Upload API's sanitized `filename`; the original is kept as given.
  eq(file.originalFilename, 'big-auto.bin', 'originalFilename');
  eq(file.isStored, false, 'isStored with store: false');
  S.bigAuto = file;
}, 30000);

await step('upload.fromUrl+fromUrlStatus', async () => {
  const source = need(S.text, 'the upload.uploadFile.direct file');
  const answer = await uc.fromUrl(source.cdnUrl, { ...UPLOAD, fileName: 'copied.txt', store: true });
  eq(answer.type, 'token', 'type');
  check(typeof answer.token === 'string' && answer.token.length > 0, `token: ${show(answer)}`);
  const seen = [];
  let status;
  for (let i = 0; i < 20; i += 1) {
    status = await uc.fromUrlStatus(answer.token, UPLOAD);
    seen.push(status.status);
    if (status.status === 'success' || status.status === 'error') break;
    await sleep(20);
  }
  eq(status.status, 'success', `final status (seen ${seen.join(' → ')}; last ${show(status)})`);
  check(UUID_RE.test(status.uuid), `success carries the uuid: ${show(status)}`);
  eq(status.size, TEXT.length, 'size');
  eq(status.isStored, true, 'isStored with store: true');
  eq(status.originalFilename, 'copied.txt', 'originalFilename');
  eq(status.done, status.total, 'done == total');
  return seen.join(' → ');
});

await step('upload.uploadFromUrl', async () => {
  const source = need(S.text, 'the upload.uploadFile.direct file');
  const file = await uc.uploadFromUrl(source.cdnUrl, {
    ...UPLOAD,
    fileName: 'from-url.txt',
    store: false,
    metadata: { origin: 'cdn' },
  });
  check(file.uuid !== source.uuid, 'a new file');
  eq(file.size, TEXT.length, 'size');
  eq(file.originalFilename, 'from-url.txt', 'originalFilename');
  eq(file.isStored, false, 'isStored with store: false');
  eq(file.metadata?.origin, 'cdn', 'metadata.origin');
  eq(md5(await cdnBytes(file.cdnUrl)), md5(TEXT), 'CDN content md5');
  S.fromUrl = file;
});

await step('upload.uploadFromUrl.duplicates', async () => {
  const source = need(S.text, 'the upload.uploadFile.direct file');
  const url = `${source.cdnUrl}duplicate.txt`;
  const first = await uc.uploadFromUrl(url, { ...UPLOAD, saveUrlForRecurrentUploads: true });
  const second = await uc.uploadFromUrl(url, { ...UPLOAD, checkForUrlDuplicates: true });
  eq(second.uuid, first.uuid, 'checkForUrlDuplicates returns the saved upload');
  eq(second.size, TEXT.length, 'size');
});

await step('upload.uploadFile.url', async () => {
  const source = need(S.text, 'the upload.uploadFile.direct file');
  const file = await uc.uploadFile(source.cdnUrl, { ...UPLOAD, fileName: 'via-uploadFile.txt' });
  check(exchanges.some((e) => e.path.startsWith('/from_url/?')), 'went through POST /from_url/');
  eq(file.size, TEXT.length, 'size');
  eq(file.originalFilename, 'via-uploadFile.txt', 'originalFilename');
});

await step('upload.fromUrlStatus.unknownToken', async () => {
  const status = await uc.fromUrlStatus(crypto.randomUUID(), UPLOAD);
  eq(status.status, 'unknown', 'status');
});

await step('upload.uploadFile.uuid (uploadFromUploaded)', async () => {
  const source = need(S.text, 'the upload.uploadFile.direct file');
  const viaUploadFile = await uc.uploadFile(source.uuid, UPLOAD);
  eq(viaUploadFile.uuid, source.uuid, 'uuid');
  eq(viaUploadFile.size, TEXT.length, 'size');
  const direct = await uc.uploadFromUploaded(source.uuid, { ...UPLOAD, fileName: 'renamed.txt' });
  eq(direct.uuid, source.uuid, 'uploadFromUploaded uuid');
  eq(direct.name, 'renamed.txt', 'uploadFromUploaded name (client-side fileName)');
});

await step('upload.isReadyPoll', async () => {
  const source = need(S.text, 'the upload.uploadFile.direct file');
  const info = await uc.isReadyPoll(source.uuid, UPLOAD);
  eq(info.isReady, true, 'isReady');
  eq(info.uuid, source.uuid, 'uuid');
});

await step('upload.group', async () => {
  const a = need(S.text, 'the upload.uploadFile.direct file');
  const b = need(S.image, 'the upload.uploadFile.image file');
  const group = await uc.group([a.uuid, `${b.uuid}/-/resize/2x/`], UPLOAD);
  check(new RegExp(`^[0-9a-f-]{36}~2$`).test(group.id), `id is <uuid>~2: ${group.id}`);
  eq(group.filesCount, 2, 'filesCount');
  eq(group.files?.length, 2, 'files.length');
  eq(group.files[0]?.uuid, a.uuid, 'files[0].uuid (order kept)');
  eq(group.files[1]?.uuid, b.uuid, 'files[1].uuid');
  eq(group.files[1]?.defaultEffects, 'resize/2x/', 'files[1].defaultEffects');
  check(typeof group.cdnUrl === 'string' && group.cdnUrl.includes(group.id), `cdnUrl: ${group.cdnUrl}`);
  check(exchanges.some((e) => /name="files\[\]"/.test(Buffer.concat(e.sent).toString('latin1'))),
    'sent the UUIDs as repeated files[] fields');
  S.group = group;
});

await step('upload.groupInfo', async () => {
  const group = need(S.group, 'the upload.group group');
  const info = await uc.groupInfo(group.id, UPLOAD);
  eq(info.id, group.id, 'id');
  eq(info.filesCount, 2, 'filesCount');
  eq(info.files?.[0]?.uuid, group.files[0].uuid, 'files[0].uuid');
  eq(info.files?.[1]?.size, IMAGE.length, 'files[1].size');
});

await step('upload.uploadFileGroup.buffers', async () => {
  const one = Buffer.from('first file of a group\n');
  const two = Buffer.from('second file of the group, a bit longer\n');
  const group = await uc.uploadFileGroup([one, two], { ...UPLOAD, contentType: 'text/plain', store: true });
  eq(group.filesCount, 2, 'filesCount');
  eq(group.totalSize, one.length + two.length, 'totalSize');
  eq(group.files.length, 2, 'files.length');
  eq(group.files[0].size, one.length, 'files[0].size');
  eq(group.files[1].size, two.length, 'files[1].size');
  check(group.uuid.endsWith('~2'), `uuid: ${group.uuid}`);
  check(group.cdnUrl.startsWith('http://127.0.0.1'), `cdnUrl: ${group.cdnUrl}`);
  S.fileGroup = group;
});

await step('upload.uploadFileGroup.uuids', async () => {
  const a = need(S.text, 'the upload.uploadFile.direct file');
  const b = need(S.direct, 'the upload.uploadDirect file');
  const group = await uc.uploadFileGroup([a.uuid, b.uuid, a.uuid], UPLOAD);
  eq(group.filesCount, 3, 'filesCount');
  eq(group.totalSize, TEXT.length * 2 + 5, 'totalSize');
  eq(group.files.map((f) => f.uuid).join(','), [a.uuid, b.uuid, a.uuid].join(','), 'file order');
});

await step('upload.uploadFileGroup.urls', async () => {
  const a = need(S.text, 'the upload.uploadFile.direct file');
  const group = await uc.uploadFileGroup([a.cdnUrl, `${a.cdnUrl}second.txt`], UPLOAD);
  eq(group.filesCount, 2, 'filesCount');
  eq(group.totalSize, TEXT.length * 2, 'totalSize');
});

await step('upload.UploadClient', async () => {
  const client = new uc.UploadClient(UPLOAD);
  const file = await client.uploadFile(Buffer.from('through the UploadClient class\n'), {
    fileName: 'client.txt',
    metadata: { via: 'class' },
  });
  eq(file.name, 'client.txt', 'name');
  const info = await client.info(file.uuid);
  eq(info.size, 'through the UploadClient class\n'.length, 'info().size');
  eq(info.metadata?.via, 'class', 'info().metadata.via');
  const group = await client.group([file.uuid]);
  eq((await client.groupInfo(group.id)).filesCount, 1, 'groupInfo().filesCount');
});

await step('upload.errors.fileNotFound', async () => {
  const error = await rejects(uc.info(crypto.randomUUID(), UPLOAD), 'info of an unknown file');
  check(error instanceof uc.UploadError, `an UploadError: ${describeError(error)}`);
  eq(error.code, 'FileNotFoundError', 'code');
});

await step('upload.errors.publicKey', async () => {
  const error = await rejects(
    uc.uploadFile(TEXT, { ...UPLOAD, publicKey: 'not-the-project-key' }),
    'upload with a wrong public key',
  );
  check(error instanceof uc.UploadError, `an UploadError: ${describeError(error)}`);
  eq(error.code, 'ProjectPublicKeyInvalidError', 'code');
});

await step('upload.tags', async () => {
  const file = await uc.uploadFile(Buffer.from('tagged\n'), { ...UPLOAD, tags: ['Alpha', 'beta'] });
  const info = await rc.fileInfo({ uuid: file.uuid }, REST);
  eq(JSON.stringify(info.tags), JSON.stringify(['alpha', 'beta']), 'tags given at upload, normalized');
  S.tagged = file;
});

await step('upload.helpers (local, no HTTP)', async () => {
  eq(uc.camelizeString('original_file_url'), 'originalFileUrl', 'camelizeString');
  eq(uc.camelizeKeys({ is_ready: true, image_info: { color_mode: 'RGB' } }).imageInfo.colorMode, 'RGB', 'camelizeKeys');
  check(uc.getUserAgent({ libraryName: 'L', libraryVersion: '1', publicKey: PUBLIC_KEY }).startsWith('L/1/'), 'getUserAgent');
  let n = 0;
  eq(await uc.poll({ check: async () => (++n >= 2 ? 'done' : false), interval: 1 }), 'done', 'poll');
  const queue = new uc.Queue(1);
  eq((await Promise.all([queue.add(async () => 1), queue.add(async () => 2)])).join(), '1,2', 'Queue');
  check(new uc.CancelError() instanceof uc.UploadcareError, 'CancelError is an UploadcareError');
  check(uc.UploadClientError === uc.UploadError && uc.UploadcareNetworkError === uc.NetworkError, 'deprecated aliases');
});

// =============================================================================================
// REST API (@uploadcare/rest-client)

await step('rest.fileInfo', async () => {
  const uploaded = need(S.text, 'the upload.uploadFile.direct file');
  const info = await rc.fileInfo({ uuid: uploaded.uuid }, REST);
  eq(info.uuid, uploaded.uuid, 'uuid');
  eq(info.size, TEXT.length, 'size');
  eq(info.originalFilename, 'hello.txt', 'originalFilename');
  eq(info.mimeType, 'text/plain', 'mimeType');
  eq(info.isReady, true, 'isReady');
  eq(info.datetimeStored, null, 'datetimeStored (uploaded with store: false)');
  eq(info.datetimeRemoved, null, 'datetimeRemoved');
  eq(info.metadata?.pet, 'cat', 'metadata.pet');
  eq(info.contentInfo?.mime?.mime, 'text/plain', 'contentInfo.mime.mime');
  eq(info.originalFileUrl, `${CDN_BASE}/${uploaded.uuid}/hello.txt`, 'originalFileUrl');
  check(!Number.isNaN(Date.parse(info.datetimeUploaded)), `datetimeUploaded parses: ${info.datetimeUploaded}`);
  const image = need(S.image, 'the upload.uploadFile.image file');
  const imageInfo = await rc.fileInfo({ uuid: image.uuid, include: 'appdata' }, REST);
  eq(imageInfo.isImage, true, 'image isImage');
  eq(imageInfo.contentInfo?.image?.width, 3, 'image contentInfo.image.width');
  check(imageInfo.appdata !== undefined, 'include=appdata gives appdata');
  check(imageInfo.datetimeStored !== null, 'autostored image has datetimeStored');
});

await step('rest.storeFile', async () => {
  const uploaded = need(S.text, 'the upload.uploadFile.direct file');
  const stored = await rc.storeFile({ uuid: uploaded.uuid }, REST);
  eq(stored.uuid, uploaded.uuid, 'uuid');
  check(!Number.isNaN(Date.parse(stored.datetimeStored)), `datetimeStored set: ${show(stored.datetimeStored)}`);
  const info = await rc.fileInfo({ uuid: uploaded.uuid }, REST);
  eq(info.datetimeStored, stored.datetimeStored, 'fileInfo datetimeStored after store');
});

await step('rest.storeFiles', async () => {
  const a = need(S.lowLevelUuid, 'the upload.multipartStart file');
  const b = need(S.bigAuto, 'the upload.uploadFile.multipart file');
  const missing = crypto.randomUUID();
  const answer = await rc.storeFiles({ uuids: [a, b.uuid, missing, 'not-a-uuid'] }, REST);
  eq(answer.status, 'ok', 'status');
  eq(answer.result?.length, 2, 'result.length');
  check(answer.result.every((f) => f.datetimeStored), 'every result has datetimeStored');
  check(missing in (answer.problems ?? {}), `problems names the unknown UUID: ${show(answer.problems)}`);
  check('not-a-uuid' in answer.problems, `problems names the invalid UUID: ${show(answer.problems)}`);
  const info = await rc.fileInfo({ uuid: a }, REST);
  check(info.datetimeStored, 'fileInfo shows it stored');
});

await step('rest.listOfFiles', async () => {
  const page = await rc.listOfFiles({ limit: 1000 }, REST);
  check(Array.isArray(page.results), 'results is an array');
  eq(page.results.length, page.total, 'all files on one page');
  const uuids = page.results.map((f) => f.uuid);
  for (const file of [S.text, S.image, S.direct, S.big].filter(Boolean)) {
    check(uuids.includes(file.uuid), `lists ${file.name} (${file.uuid})`);
  }
  eq(page.perPage, 1000, 'perPage');
  check(page.totals && typeof page.totals.stored === 'number', `totals: ${show(page.totals)}`);
  eq(page.totals.stored + page.totals.unstored, page.total, 'totals.stored + totals.unstored = total');
  const times = page.results.map((f) => Date.parse(f.datetimeUploaded));
  check(times.every((t, i) => i === 0 || times[i - 1] <= t), 'default ordering is oldest first');
  S.allFiles = uuids;

  const newest = await rc.listOfFiles({ limit: 1000, ordering: '-datetime_uploaded' }, REST);
  eq(newest.results.map((f) => f.uuid).join(), [...uuids].reverse().join(), 'ordering=-datetime_uploaded reverses it');

  const unstored = await rc.listOfFiles({ stored: false, limit: 1000 }, REST);
  check(unstored.results.every((f) => f.datetimeStored === null), 'stored=false gives only unstored files');
  eq(unstored.total, page.totals.unstored, 'stored=false total = totals.unstored');
  const stored = await rc.listOfFiles({ stored: true, limit: 1000 }, REST);
  check(stored.results.every((f) => f.datetimeStored !== null), 'stored=true gives only stored files');

  const pivot = page.results[Math.floor(page.results.length / 2)];
  const from = await rc.listOfFiles({ from: new Date(pivot.datetimeUploaded), limit: 1000 }, REST);
  check(from.results.length > 0 && from.results.length < page.results.length, `from=<date> narrows: ${from.results.length}`);
  check(from.results.every((f) => Date.parse(f.datetimeUploaded) >= Date.parse(pivot.datetimeUploaded) - 1),
    'from=<date> gives files uploaded since');
  return `${page.total} files`;
});

// Walks pages through `next`, as the client's Paginator does, and stops when a page repeats.
async function walk(nextPage, maxPages) {
  const seen = [];
  const pages = [];
  for (let i = 0; i < maxPages; i += 1) {
    const page = await nextPage();
    if (!page) break;
    const key = page.results.map((f) => f.uuid ?? f.id).join();
    if (pages.includes(key)) {
      const last = exchanges[exchanges.length - 1];
      throw new Check(`page ${i + 1} repeats an earlier page (the client re-requested ${last?.path}; `
        + `the previous answer's next was ${show(page.next)})`);
    }
    pages.push(key);
    seen.push(...page.results.map((f) => f.uuid ?? f.id));
    if (!page.next) break;
  }
  return seen;
}

await step('rest.listOfFiles.Paginator', async () => {
  const all = need(S.allFiles, 'the rest.listOfFiles listing');
  const paginator = new rc.Paginator(rc.listOfFiles, { limit: 2 }, REST);
  const seen = await walk(async () => (paginator.hasNextPage() ? paginator.next() : null), all.length + 2);
  eq(seen.join(), all.join(), 'the pages hold every file once, in order');
  check(paginator.hasPrevPage(), 'the last page has a previous page');
  const previous = await paginator.prev();
  check(previous?.results.length > 0, 'prev() gives a page');
  return `${seen.length} files in pages of 2`;
});

await step('rest.paginate', async () => {
  const all = need(S.allFiles, 'the rest.listOfFiles listing');
  const pages = rc.paginate(rc.listOfFiles)({ limit: 3, ordering: '-datetime_uploaded' }, REST);
  const seen = await walk(async () => {
    const { value, done } = await pages.next();
    return done ? null : value;
  }, all.length + 2);
  eq(seen.join(), [...all].reverse().join(), 'the pages hold every file once, newest first');
});

await step('rest.metadata', async () => {
  const uploaded = need(S.text, 'the upload.uploadFile.direct file');
  const uuid = uploaded.uuid;
  eq(await rc.updateMetadata({ uuid, key: 'color', value: 'blue' }, REST), 'blue', 'updateMetadata (new key) answer');
  eq(exchanges[exchanges.length - 1].status, 201, 'new key answers 201');
  eq(await rc.getMetadataValue({ uuid, key: 'color' }, REST), 'blue', 'getMetadataValue');
  const all = await rc.getMetadata({ uuid }, REST);
  eq(JSON.stringify(all), JSON.stringify({ color: 'blue', pet: 'cat', subsystem: 'interop' }), 'getMetadata');
  eq(await rc.updateMetadata({ uuid, key: 'color', value: 'red' }, REST), 'red', 'updateMetadata (existing key)');
  eq(exchanges[exchanges.length - 1].status, 200, 'existing key answers 200');
  eq(await rc.updateMetadata({ uuid, key: 'snake_case:key.v-1', value: 'x' }, REST), 'x', 'key with _ : . -');
  eq((await rc.getMetadata({ uuid }, REST))['snake_case:key.v-1'], 'x', 'getMetadata keeps the key as is');
  eq(await rc.deleteMetadata({ uuid, key: 'color' }, REST), undefined, 'deleteMetadata');
  const error = await rejects(rc.getMetadataValue({ uuid, key: 'color' }, REST), 'reading a deleted key');
  eq(error.status, 404, 'deleted key status');
  eq((await rc.fileInfo({ uuid }, REST)).metadata?.color, undefined, 'fileInfo metadata after delete');
});

await step('rest.copyFileToLocalStorage', async () => {
  const uploaded = need(S.text, 'the upload.uploadFile.direct file');
  const copy = await rc.copyFileToLocalStorage({ source: uploaded.uuid, store: true, metadata: { copied: 'yes' } }, REST);
  eq(copy.type, 'file', 'type');
  check(UUID_RE.test(copy.result?.uuid) && copy.result.uuid !== uploaded.uuid, `a new file: ${show(copy.result?.uuid)}`);
  eq(copy.result.size, TEXT.length, 'size');
  check(copy.result.datetimeStored, 'stored with store: true');
  eq(copy.result.metadata?.copied, 'yes', 'metadata.copied');
  const viaUrl = await rc.copyFileToLocalStorage({ source: uploaded.cdnUrl, store: false }, REST);
  eq(viaUrl.result.datetimeStored, null, 'CDN URL source, store: false');
  S.localCopy = copy.result;
});

await step('rest.copyFileToRemoteStorage', async () => {
  const uploaded = need(S.text, 'the upload.uploadFile.direct file');
  const copy = await rc.copyFileToRemoteStorage({
    source: uploaded.uuid,
    target: 'emulator-storage',
    makePublic: true,
    pattern: '${uuid}${ext}',
  }, REST);
  eq(copy.type, 'url', 'type');
  eq(copy.result, `s3://emulator-storage/${uploaded.uuid}.txt`, 'result');
  const error = await rejects(
    rc.copyFileToRemoteStorage({ source: uploaded.uuid, target: 'no-such-storage' }, REST),
    'copy to an unknown storage',
  );
  eq(error.status, 400, 'unknown storage status');
});

await step('rest.listOfGroups', async () => {
  const group = need(S.group, 'the upload.group group');
  const page = await rc.listOfGroups({ limit: 100 }, REST);
  const ids = page.results.map((g) => g.id);
  check(ids.includes(group.id), `lists ${group.id}`);
  eq(page.total, ids.length, 'total');
  eq(page.results.find((g) => g.id === group.id).filesCount, 2, 'filesCount');
  const newest = await rc.listOfGroups({ limit: 100, ordering: '-datetime_created' }, REST);
  eq(newest.results.map((g) => g.id).join(), [...ids].reverse().join(), 'ordering=-datetime_created');
  const paginator = new rc.Paginator(rc.listOfGroups, { limit: 1 }, REST);
  const seen = await walk(async () => (paginator.hasNextPage() ? paginator.next() : null), ids.length + 2);
  eq(seen.join(), ids.join(), 'Paginator with limit 1 walks every group');
  return `${ids.length} groups`;
});

await step('rest.groupInfo', async () => {
  const group = need(S.group, 'the upload.group group');
  const info = await rc.groupInfo({ uuid: group.id }, REST);
  eq(info.id, group.id, 'id');
  eq(info.filesCount, 2, 'filesCount');
  eq(info.files?.length, 2, 'files.length');
  eq(info.files[0]?.uuid, group.files[0].uuid, 'files[0].uuid');
  check(!Number.isNaN(Date.parse(info.datetimeCreated)), `datetimeCreated: ${info.datetimeCreated}`);
});

await step('rest.deleteGroup', async () => {
  const group = need(S.fileGroup, 'the upload.uploadFileGroup.buffers group');
  eq(await rc.deleteGroup({ uuid: group.uuid }, REST), undefined, 'deleteGroup');
  const error = await rejects(rc.groupInfo({ uuid: group.uuid }, REST), 'groupInfo of a deleted group');
  eq(error.status, 404, 'status');
  const info = await rc.fileInfo({ uuid: group.files[0].uuid }, REST);
  eq(info.datetimeRemoved, null, 'its files stay');
});

await step('rest.webhooks', async () => {
  const target = 'http://127.0.0.1:9/uploadcare-hook';
  const created = await rc.createWebhook({
    targetUrl: target,
    event: 'file.uploaded',
    isActive: true,
    signingSecret: 'interop-secret',
  }, REST);
  check(Number.isInteger(created.id), `id: ${show(created.id)}`);
  eq(created.targetUrl, target, 'targetUrl');
  eq(created.event, 'file.uploaded', 'event');
  eq(created.isActive, true, 'isActive');
  const listed = await rc.listOfWebhooks({}, REST);
  check(listed.some((h) => h.id === created.id && h.targetUrl === target), `listOfWebhooks: ${show(listed)}`);
  const updated = await rc.updateWebhook({ id: created.id, targetUrl: `${target}-2`, isActive: false }, REST);
  eq(updated.id, created.id, 'updated id');
  eq(updated.targetUrl, `${target}-2`, 'updated targetUrl');
  eq(updated.isActive, false, 'updated isActive');
  eq(updated.event, 'file.uploaded', 'event kept');
  eq(await rc.deleteWebhook({ targetUrl: `${target}-2` }, REST), undefined, 'deleteWebhook');
  const after = await rc.listOfWebhooks({}, REST);
  check(!after.some((h) => h.id === created.id), 'gone from listOfWebhooks');
});

async function pollJob(poll, isDone, what) {
  const seen = [];
  for (let i = 0; i < 20; i += 1) {
    const status = await poll();
    seen.push(status.status);
    if (isDone(status)) return { status, seen };
    await sleep(10);
  }
  throw new Check(`${what} never finished (statuses ${seen.join(' → ')})`);
}

await step('rest.convert.document+conversionJobStatus+conversionInfo', async () => {
  const uploaded = need(S.text, 'the upload.uploadFile.direct file');
  const path = `${uploaded.uuid}/document/-/format/pdf/`;
  const answer = await rc.convert({ type: 'document', paths: [path], store: true, saveInGroup: true }, REST);
  eq(Object.keys(answer.problems ?? {}).length, 0, `no problems (${show(answer.problems)})`);
  const job = answer.result?.[0];
  eq(job?.originalSource, path, 'result[0].originalSource');
  check(Number.isInteger(job.token), `token: ${show(job.token)}`);
  check(UUID_RE.test(job.uuid), `uuid: ${show(job.uuid)}`);
  const { status, seen } = await pollJob(
    () => rc.conversionJobStatus({ type: 'document', token: job.token }, REST),
    (s) => s.status === 'finished' || s.status === 'failed',
    'document conversion',
  );
  eq(status.status, 'finished', 'final status');
  eq(status.result?.uuid, job.uuid, 'status result.uuid');
  const output = await rc.fileInfo({ uuid: job.uuid }, REST);
  eq(output.isReady, true, 'output isReady');
  eq(output.mimeType, 'application/pdf', 'output mimeType');
  eq(output.originalFilename, 'hello.pdf', 'output originalFilename');
  check(output.datetimeStored, 'output stored with store: true');
  const info = await rc.conversionInfo({ uuid: uploaded.uuid }, REST);
  eq(info.format?.name, 'txt', 'conversionInfo format.name');
  check(info.format.conversionFormats.some((f) => f.name === 'pdf'), 'conversionFormats include pdf');
  check(typeof info.convertedGroups?.pdf === 'string', `convertedGroups.pdf (saveInGroup): ${show(info.convertedGroups)}`);
  return seen.join(' → ');
});

await step('rest.convert.video+conversionJobStatus', async () => {
  const uploaded = need(S.big, 'the upload.uploadMultipart file');
  const path = `${uploaded.uuid}/video/-/size/640x/-/format/webm/-/thumbs~2/`;
  const answer = await rc.convert({ type: 'video', paths: [path], store: false }, REST);
  const job = answer.result?.[0];
  eq(job?.originalSource, path, 'result[0].originalSource');
  check(typeof job.thumbnailsGroupUuid === 'string', `thumbnailsGroupUuid: ${show(job)}`);
  const { status } = await pollJob(
    () => rc.conversionJobStatus({ type: 'video', token: job.token }, REST),
    (s) => s.status === 'finished' || s.status === 'failed',
    'video conversion',
  );
  eq(status.status, 'finished', 'final status');
  eq(status.result?.uuid, job.uuid, 'result.uuid');
  eq(status.result?.thumbnailsGroupUuid, job.thumbnailsGroupUuid, 'result.thumbnailsGroupUuid');
  const output = await rc.fileInfo({ uuid: job.uuid }, REST);
  eq(output.mimeType, 'video/webm', 'output mimeType');
  eq(output.datetimeStored, null, 'output not stored with store: false');
  const thumbnails = await rc.groupInfo({ uuid: job.thumbnailsGroupUuid }, REST);
  eq(thumbnails.filesCount, 2, 'thumbnails group filesCount');
});

await step('rest.conversionJobPoller', async () => {
  const uploaded = need(S.text, 'the upload.uploadFile.direct file');
  const big = need(S.big, 'the upload.uploadMultipart file');
  const statuses = [];
  const docs = await rc.conversionJobPoller({
    type: 'document',
    paths: [`${uploaded.uuid}/document/-/format/png/-/page/1/`, `${crypto.randomUUID()}/document/-/format/pdf/`],
    store: false,
    onStatus: (s) => statuses.push(s.status),
    pollOptions: { interval: 10, timeout: 10000 },
  }, REST);
  eq(docs.length, 2, 'one job per path');
  const [converted, problem] = await Promise.all(docs);
  eq(converted.status, 'finished', `document job status (${show(converted)})`);
  check(UUID_RE.test(converted.result?.uuid), `document job result.uuid: ${show(converted.result)}`);
  eq(problem.status, 'failed', 'a path the API reported as a problem comes back failed');
  check(typeof problem.error === 'string' && problem.error.length > 0, `problem text: ${show(problem.error)}`);
  const [video] = await Promise.all(await rc.conversionJobPoller({
    type: 'video',
    paths: [`${big.uuid}/video/`],
    pollOptions: { interval: 10, timeout: 10000 },
  }, REST));
  eq(video.status, 'finished', 'video job status');
  check(video.result?.thumbnailsGroupUuid, `video job thumbnailsGroupUuid: ${show(video.result)}`);
  return `document statuses ${statuses.join(' → ')}`;
});

const ADDONS = Object.values(rc.AddonName);
for (const addonName of ADDONS) {
  await step(`rest.executeAddon+addonExecutionStatus.${addonName}`, async () => {
    const target = need(S.image, 'the upload.uploadFile.image file').uuid;
    const params = addonName === 'remove_bg' ? { crop: true, type_level: '2' }
      : addonName === 'uc_clamav_virus_scan' ? { purge_infected: false } : undefined;
    const { requestId } = await rc.executeAddon({ addonName, target, params }, REST);
    check(UUID_RE.test(requestId), `requestId: ${show(requestId)}`);
    const { status, seen } = await pollJob(
      () => rc.addonExecutionStatus({ addonName, requestId }, REST),
      (s) => s.status === 'done' || s.status === 'error',
      addonName,
    );
    eq(status.status, 'done', 'final status');
    if (addonName === 'remove_bg') check(UUID_RE.test(status.result?.fileId), `result.fileId: ${show(status.result)}`);
    const info = await rc.fileInfo({ uuid: target, include: 'appdata' }, REST);
    const entry = info.appdata?.[addonName];
    check(entry && entry.data, `appdata.${addonName}.data present: ${show(info.appdata)}`);
    check(!Number.isNaN(Date.parse(entry.datetimeCreated ?? entry.datetime_created)), 'appdata datetimeCreated');
    if (addonName === 'uc_clamav_virus_scan') eq(entry.data.infected, false, 'clamav data.infected');
    if (addonName === 'aws_rekognition_detect_labels') check(Array.isArray(entry.data.Labels), 'rekognition Labels');
    return seen.join(' → ');
  });
}

for (const addonName of ADDONS) {
  await step(`rest.addonJobPoller.${addonName}`, async () => {
    const target = need(S.image, 'the upload.uploadFile.image file').uuid;
    const statuses = [];
    const outcome = await rc.addonJobPoller({
      addonName,
      target,
      onStatus: (s) => statuses.push(s.status),
      pollOptions: { interval: 10, timeout: 10000 },
    }, REST);
    eq(outcome.error, false, `error flag (${show(outcome)})`);
    check(outcome.result && outcome.result.data, `result is the appdata entry: ${show(outcome.result)}`);
    return statuses.join(' → ');
  });
}

await step('rest.deleteFile', async () => {
  const file = need(S.localCopy, 'the rest.copyFileToLocalStorage copy');
  const removed = await rc.deleteFile({ uuid: file.uuid }, REST);
  eq(removed.uuid, file.uuid, 'uuid');
  check(!Number.isNaN(Date.parse(removed.datetimeRemoved)), `datetimeRemoved: ${show(removed.datetimeRemoved)}`);
  const info = await rc.fileInfo({ uuid: file.uuid }, REST);
  eq(info.datetimeRemoved, removed.datetimeRemoved, 'fileInfo datetimeRemoved');
  eq(info.datetimeStored, null, 'no longer stored');
  const listed = await rc.listOfFiles({ removed: true, limit: 1000 }, REST);
  check(listed.results.some((f) => f.uuid === file.uuid), 'listOfFiles removed=true lists it');
});

await step('rest.deleteFiles', async () => {
  const a = need(S.direct, 'the upload.uploadDirect file');
  const b = need(S.bigAuto, 'the upload.uploadFile.multipart file');
  const missing = crypto.randomUUID();
  const answer = await rc.deleteFiles({ uuids: [a.uuid, b.uuid, missing] }, REST);
  eq(answer.status, 'ok', 'status');
  eq(answer.result?.length, 2, 'result.length');
  check(answer.result.every((f) => f.datetimeRemoved), 'every result has datetimeRemoved');
  check(missing in (answer.problems ?? {}), `problems names the unknown UUID: ${show(answer.problems)}`);
});

await step('rest.errors.notFound', async () => {
  const error = await rejects(rc.fileInfo({ uuid: crypto.randomUUID() }, REST), 'fileInfo of an unknown file');
  check(rc.isRestClientError(error), `a RestClientError: ${describeError(error)}`);
  eq(error.status, 404, 'status');
  check(/Not found/.test(error.message), `message: ${error.message}`);
});

await step('rest.errors.wrongSecret', async () => {
  const wrong = AUTH === 'signed'
    ? new rc.UploadcareAuthSchema({ publicKey: PUBLIC_KEY, secretKey: 'not-the-secret' })
    : new rc.UploadcareSimpleAuthSchema({ publicKey: PUBLIC_KEY, secretKey: 'not-the-secret' });
  const error = await rejects(rc.listOfFiles({}, { ...REST, authSchema: wrong }), 'a request with a wrong secret');
  eq(error.status, 401, 'status');
  const expected = AUTH === 'signed' ? /Invalid signature/ : /Incorrect authentication credentials/;
  check(expected.test(error.message), `message: ${error.message}`);
});

await step('rest.auth.signatureResolver', async () => {
  if (AUTH !== 'signed') throw new Skip('signed auth only (UC_AUTH=simple)');
  const signed = [];
  const resolver = new rc.UploadcareAuthSchema({
    publicKey: PUBLIC_KEY,
    signatureResolver: async (text) => {
      signed.push(text);
      return rc.createSignature(SECRET_KEY, text);
    },
  });
  const page = await rc.listOfFiles({ limit: 1 }, { ...REST, authSchema: resolver });
  eq(page.results.length, 1, 'a page of one');
  const [method, hash, type, date, uri] = signed[0].split('\n');
  eq(method, 'GET', 'signed method');
  eq(hash, md5(''), 'signed body hash of a GET');
  eq(type, 'application/json', 'signed Content-Type of a GET');
  eq(uri, '/files/?limit=1', 'signed URI');
  const sentDate = exchanges[exchanges.length - 1].headers['x-uploadcare-date'];
  eq(sentDate, date, 'X-Uploadcare-Date is the signed date');
  eq(exchanges[exchanges.length - 1].headers.date, undefined, 'no Date header sent');
  const uuid = need(S.image, 'the upload.uploadFile.image file').uuid;
  await rc.updateMetadata({ uuid, key: 'signed', value: 'yes' }, { ...REST, authSchema: resolver });
  const [putMethod, putHash, putType, , putUri] = signed[1].split('\n');
  eq(putMethod, 'PUT', 'signed method of a PUT');
  eq(putHash, md5(JSON.stringify('yes')), 'signed body hash: md5 of the JSON body');
  eq(putType, 'application/json', 'signed Content-Type of a PUT');
  eq(putUri, `/files/${uuid}/metadata/signed/`, 'signed URI of a PUT');
  const expected = crypto.createHmac('sha1', SECRET_KEY).update(signed[0]).digest('hex');
  eq(await rc.createSignature(SECRET_KEY, signed[0]), expected, 'createSignature is HMAC-SHA1 hex');
});

// File tags and search (REST API 0.7, since 2026-06).
await step('rest.getTags+replaceTags+updateTags', async () => {
  const uuid = need(S.text, 'the upload.uploadFile.direct file').uuid;
  const replaced = await rc.replaceTags({ uuid, tags: ['Alpha', ' gamma ', 'alpha'] }, REST);
  eq(JSON.stringify(replaced.tags), JSON.stringify(['alpha', 'gamma']), 'replaceTags result');
  eq(JSON.stringify(replaced.added), JSON.stringify(['alpha', 'gamma']), 'replaceTags added');
  const updated = await rc.updateTags({ uuid, add: ['beta'], delete: ['alpha'] }, REST);
  eq(JSON.stringify(updated.tags), JSON.stringify(['gamma', 'beta']), 'updateTags result');
  eq(JSON.stringify(updated.deleted), JSON.stringify(['alpha']), 'updateTags deleted');
  const got = await rc.getTags({ uuid }, REST);
  eq(JSON.stringify(got.tags), JSON.stringify(['gamma', 'beta']), 'getTags');
  let refused = false;
  try {
    await rc.replaceTags({ uuid, tags: ['two words'] }, REST);
  } catch (error) {
    refused = true;
  }
  eq(refused, true, 'an invalid tag is refused');
});

await step('rest.searchFiles', async () => {
  const tagged = need(S.tagged, 'the upload.tags file').uuid;
  const byTag = await rc.searchFiles({ tags: { all: ['alpha', 'beta'] } }, REST);
  eq(byTag.results.map((f) => f.uuid).includes(tagged), true, 'found by tags.all');
  const byUuid = await rc.searchFiles({ exact: { uuid: [tagged] }, sort: [{ field: 'datetimeUploaded', order: 'desc' }] }, REST);
  eq(byUuid.results.length, 1, 'exact uuid finds one file');
  eq(byUuid.results[0].uuid, tagged, 'the right file');
  const images = await rc.searchFiles({ isImage: true, limit: 2 }, REST);
  eq(images.results.every((f) => f.isImage), true, 'isImage filter');
  let refused = false;
  try {
    await rc.searchFiles({ query: 'abc' }, REST);
  } catch (error) {
    refused = true;
  }
  eq(refused, true, 'a 3-character query is refused');
});

await step('rest.projectInfo', async () => {
  const exported = Object.keys(rc).filter((k) => /project/i.test(k));
  throw new Skip(`not exported by @uploadcare/rest-client 6.21.0 (exports matching /project/: ${show(exported)})`);
});

await step('rest.helpers (local, no HTTP)', async () => {
  check(rc.getUserAgent({ libraryName: 'L', libraryVersion: '1' }).startsWith('L/1'), 'getUserAgent');
  check(new rc.CancelError() instanceof rc.UploadcareError, 'CancelError is an UploadcareError');
  const validation = new rc.RestClientValidationError({ query: ['too short'] });
  check(rc.isRestClientValidationError(validation) && rc.isRestClientError(validation), 'validation error guards');
  eq(rc.RestClientValidationError.parse({ size: { non_field_errors: ['bad'] } })?.size?.[0], 'bad', 'parse');
  eq(rc.ConversionType.DOCUMENT, 'document', 'ConversionType');
  eq(rc.ConversionStatus.FINISHED, 'finished', 'ConversionStatus');
  eq(rc.AddonExecutionStatus.DONE, 'done', 'AddonExecutionStatus');
  eq(rc.BatchResponseStatus.OK, 'ok', 'BatchResponseStatus');
  eq(rc.WebhookEvent.FILE_UPLOADED, 'file.uploaded', 'WebhookEvent');
});

// ---------------------------------------------------------------------------------------------

const outside = [...blockedHosts].filter((h) => h !== 'ws.pusherapp.com');
if (outside.length) console.log(`note: refused connections to ${outside.join(', ')}`);
console.log(`${AUTH} auth: ${results.ok} ok, ${results.skip} skipped, ${results.fail} failed`
  + (failures.length ? ` (${failures.join(', ')})` : ''));
process.exit(results.fail ? 1 : 0);
