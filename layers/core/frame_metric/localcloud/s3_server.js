// The local cloud's object store: s3rver keeps every object as files under a directory, and speaks
// the S3 REST API (ranges, multipart). Each ObjectCreated event is printed as one JSON line on stdout;
// the Python side delivers it to the upload queue, as S3 -> SQS does.
//
// s3rver lets unsigned requests through and never checks a SigV4 signature, so every request is
// verified here first, as S3 does: the signature recomputed with the local secret (header or
// presigned query), the credential scope, the expiry; anything else gets S3's 403 and never reaches
// the store. The credentials come in the environment (argv is visible to every user of the machine).
'use strict';

const crypto = require('crypto');
const S3rver = require('s3rver');

const [directory, address, port, ...buckets] = process.argv.slice(2);
const ACCESS_KEY = process.env.FRAME_METRIC_S3_ACCESS_KEY || '';
const SECRET = process.env.FRAME_METRIC_S3_SECRET || '';
const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_SKEW_MS = 15 * 60 * 1000; // S3's RequestTimeTooSkewed window
const MAX_EXPIRES = 7 * 24 * 3600; // S3's longest presigned URL
if (!ACCESS_KEY || !SECRET) {
  process.stderr.write('FRAME_METRIC_S3_ACCESS_KEY and FRAME_METRIC_S3_SECRET must be set\n');
  process.exit(2);
}

class Denied extends Error {
  constructor(code, message, status = 403) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

// RFC 3986: everything but unreserved characters percent-encoded, as SigV4's canonical query wants.
function uriEncode(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function decode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new Denied('AuthorizationQueryParametersError', 'the query string is not valid percent-encoding', 400);
  }
}

function parseQuery(raw) {
  return raw
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      return at < 0 ? [decode(pair), ''] : [decode(pair.slice(0, at)), decode(pair.slice(at + 1))];
    });
}

// "20260101T120000Z" -> milliseconds, or NaN
function parseAmzDate(text) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text || '');
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
}

function hmac(key, data) {
  return crypto.createHmac('sha256', key).update(data, 'utf8').digest();
}

function authorizationFields(header) {
  const fields = {};
  for (const part of header.slice(ALGORITHM.length).split(',')) {
    const at = part.indexOf('=');
    if (at > 0) fields[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return fields;
}

// The parts of the request's signature, from the presigned query or the Authorization header.
function signedParts(req, query) {
  const params = new Map(query);
  const now = Date.now();
  if (params.has('X-Amz-Algorithm')) {
    if (params.get('X-Amz-Algorithm') !== ALGORITHM) {
      throw new Denied('AuthorizationQueryParametersError', `X-Amz-Algorithm only supports "${ALGORITHM}"`, 400);
    }
    for (const name of ['X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature']) {
      if (!params.get(name)) {
        throw new Denied('AuthorizationQueryParametersError', `the presigned URL lacks ${name}`, 400);
      }
    }
    const date = parseAmzDate(params.get('X-Amz-Date'));
    const expires = params.get('X-Amz-Expires');
    if (Number.isNaN(date) || !/^\d{1,7}$/.test(expires) || Number(expires) > MAX_EXPIRES) {
      throw new Denied('AuthorizationQueryParametersError', 'X-Amz-Date or X-Amz-Expires is malformed', 400);
    }
    if (now > date + Number(expires) * 1000) throw new Denied('AccessDenied', 'Request has expired');
    if (date > now + MAX_SKEW_MS) throw new Denied('AccessDenied', 'Request is not valid yet');
    return {
      credential: params.get('X-Amz-Credential'),
      amzDate: params.get('X-Amz-Date'),
      signedHeaders: params.get('X-Amz-SignedHeaders'),
      signature: params.get('X-Amz-Signature'),
      payloadHash: req.headers['x-amz-content-sha256'] || 'UNSIGNED-PAYLOAD',
      query: query.filter(([name]) => name !== 'X-Amz-Signature'),
    };
  }
  const header = req.headers.authorization || '';
  if (!header) {
    throw new Denied('AccessDenied', 'Access Denied: anonymous requests are refused; sign them with the local credentials');
  }
  if (!header.startsWith(ALGORITHM + ' ')) {
    throw new Denied('InvalidArgument', `only ${ALGORITHM} (SigV4) signatures are accepted`, 400);
  }
  const fields = authorizationFields(header);
  const amzDate = req.headers['x-amz-date'];
  const date = parseAmzDate(amzDate);
  if (!fields.Credential || !fields.SignedHeaders || !fields.Signature || Number.isNaN(date)) {
    throw new Denied('AuthorizationHeaderMalformed', 'the Authorization header or x-amz-date is malformed', 400);
  }
  if (Math.abs(now - date) > MAX_SKEW_MS) {
    throw new Denied('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.');
  }
  if (!req.headers['x-amz-content-sha256']) {
    throw new Denied('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256', 400);
  }
  return {
    credential: fields.Credential,
    amzDate,
    signedHeaders: fields.SignedHeaders,
    signature: fields.Signature,
    payloadHash: req.headers['x-amz-content-sha256'],
    query,
  };
}

function verify(req) {
  const at = req.url.indexOf('?');
  const path = at < 0 ? req.url : req.url.slice(0, at);
  const query = parseQuery(at < 0 ? '' : req.url.slice(at + 1));
  const parts = signedParts(req, query);

  const scope = parts.credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || scope[3] !== 's3') {
    throw new Denied('AuthorizationHeaderMalformed', 'the credential scope must be <key>/<date>/<region>/s3/aws4_request', 400);
  }
  if (scope[0] !== ACCESS_KEY) {
    throw new Denied('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  }
  if (scope[1] !== parts.amzDate.slice(0, 8)) {
    throw new Denied('AuthorizationHeaderMalformed', "the credential scope's date is not the request's date", 400);
  }
  const names = parts.signedHeaders.split(';');
  if (!names.includes('host')) throw new Denied('AccessDenied', 'the host header must be signed');
  // As S3: an x-amz-* header nobody signed could change what the request does (a copy source, an ACL).
  for (const name of Object.keys(req.headers)) {
    if (name.startsWith('x-amz-') && !names.includes(name) && name !== 'x-amz-content-sha256') {
      throw new Denied('AccessDenied', `There were headers present in the request which were not signed: ${name}`);
    }
  }
  const canonicalHeaders = names
    .map((name) => `${name}:${String(req.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalQuery = parts.query
    .map(([name, value]) => [uriEncode(name), uriEncode(value)])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const canonicalRequest = [req.method, path, canonicalQuery, canonicalHeaders, parts.signedHeaders, parts.payloadHash]
    .join('\n');
  const stringToSign = [ALGORITHM, parts.amzDate, scope.slice(1).join('/'),
    crypto.createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')].join('\n');
  let key = hmac('AWS4' + SECRET, scope[1]);
  for (const part of [scope[2], scope[3], 'aws4_request']) key = hmac(key, part);
  const expected = Buffer.from(hmac(key, stringToSign).toString('hex'));
  const provided = Buffer.from(parts.signature);
  // Constant time: the answer's timing must not tell how much of a forged signature was right.
  if (provided.length !== expected.length || !crypto.timingSafeEqual(provided, expected)) {
    throw new Denied('SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
  }
}

function xmlEscape(text) {
  return String(text).replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function verifySignature(ctx, next) {
  // CORS preflights carry no credentials (browsers never sign them) and touch no object.
  if (ctx.method === 'OPTIONS') return next();
  try {
    verify(ctx.req);
  } catch (error) {
    if (!(error instanceof Denied)) throw error;
    ctx.status = error.status;
    ctx.type = 'application/xml';
    ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>' + xmlEscape(error.code) + '</Code><Message>' +
      xmlEscape(error.message) + '</Message><Resource>' + xmlEscape(ctx.path) + '</Resource></Error>';
    return undefined;
  }
  return next();
}

const server = new S3rver({
  directory,
  address,
  port: Number(port),
  silent: true,
  configureBuckets: buckets.map((name) => ({ name })),
});
// Before s3rver's own middleware (Koa composes the list when the server starts listening).
server.middleware.unshift(verifySignature);

server.on('event', (event) => {
  process.stdout.write(JSON.stringify({ event }) + '\n');
});

server.run().then(
  (bound) => process.stdout.write(JSON.stringify({ ready: { address: bound.address, port: bound.port } }) + '\n'),
  (error) => {
    process.stderr.write(`s3rver could not start: ${error.message}\n`);
    process.exit(1);
  },
);

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close().finally(() => process.exit(0)));
}
// The parent's death closes our stdin: never outlive the local cloud.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
