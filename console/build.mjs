// Builds the console into dist/: one bundled app.js (uPlot included), app.css, index.html.
// `node build.mjs --out DIR` builds elsewhere; config.json is never built: a deploy writes its own.
import { build } from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outIndex = process.argv.indexOf("--out");
const out = resolve(outIndex > 0 ? process.argv[outIndex + 1] : join(here, "dist"));

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: { app: join(here, "src/main.js") },
  bundle: true, format: "esm", target: ["chrome110", "firefox110", "safari16"],
  minify: true, sourcemap: true, outdir: out, logLevel: "warning",
});
await build({ entryPoints: { app: join(here, "src/styles.css") }, bundle: true, minify: true, outdir: out, logLevel: "warning" });
await copyFile(join(here, "src/index.html"), join(out, "index.html"));
console.log(`console built into ${out}`);
