// The local cloud's object store: s3rver keeps every object as files under a directory, and speaks
// the S3 REST API (SigV4, presigned URLs, ranges, multipart). Each ObjectCreated event is printed as
// one JSON line on stdout; the Python side delivers it to the upload queue, as S3 -> SQS does.
'use strict';

const S3rver = require('s3rver');

const [directory, address, port, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  directory,
  address,
  port: Number(port),
  silent: true,
  configureBuckets: buckets.map((name) => ({ name })),
});

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
