// Check one face photo with the livecheck API. Node 20+ (built-in fetch), no dependencies.
//
//   LIVECHECK_URL=http://localhost:8080 LIVECHECK_API_KEY=lc_... node check.mjs face.jpg
//
// Prints the JSON response; exit status 0 on 200, 1 otherwise (the error JSON is printed too).
import { readFile } from "node:fs/promises";

const [, , path] = process.argv;
if (!path) {
  console.error("usage: node check.mjs IMAGE");
  process.exit(2);
}
const url = (process.env.LIVECHECK_URL ?? "http://localhost:8080").replace(/\/$/, "");
const image = await readFile(path);
const isPng = image.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]));

const response = await fetch(`${url}/v1/check/liveness`, {
  method: "POST",
  headers: { "X-API-Key": process.env.LIVECHECK_API_KEY, "Content-Type": "application/json" },
  body: JSON.stringify({ image: image.toString("base64"), image_format: isPng ? "png" : "jpeg" }),
});
const result = await response.json(); // errors are JSON too: result.error.code
console.log(JSON.stringify(result, null, 2));
if (response.ok) {
  const d = result.data;
  console.error(`spoof probability ${d.isFakeLikelihood.toFixed(3)} -> ${d.isFakeFace ? "FAKE" : "live"}`);
}
process.exit(response.ok ? 0 : 1);
