// Validates the example app's OpenAPI document with an independent OpenAPI 3.1 validator
// (@seriousme/openapi-schema-validator, installed by scripts/setup), and checks a few facts about it.
//
// usage: node tests/openapi/validate.mjs <app binary> <npm folder>
import { execFileSync } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [binary, npmDir] = process.argv.slice(2);
if (!binary || !npmDir) {
  console.error("usage: node validate.mjs <app binary> <npm folder>");
  process.exit(2);
}
const { Validator } = await import(
  pathToFileURL(path.join(npmDir, "node_modules/@seriousme/openapi-schema-validator/index.js")).href
);

const env = { ...process.env, AEGIS_DATABASE_URL: "sqlite::memory:" };
const text = execFileSync(binary, ["openapi"], { encoding: "utf8", env });
const again = execFileSync(binary, ["openapi"], { encoding: "utf8", env });
if (text !== again) {
  console.error("the document differs between two runs");
  process.exit(1);
}
const doc = JSON.parse(text);
const validator = new Validator();
const result = await validator.validate(doc);
if (!result.valid) {
  console.error("the document is not valid OpenAPI:", JSON.stringify(result.errors, null, 2));
  process.exit(1);
}
if (validator.version !== "3.1") {
  console.error(`validated as OpenAPI ${validator.version}, not 3.1`);
  process.exit(1);
}
let operations = 0;
for (const [p, item] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(item)) {
    operations += 1;
    if (!op.summary) {
      console.error(`${method.toUpperCase()} ${p} has no summary`);
      process.exit(1);
    }
  }
}
console.log(`valid OpenAPI ${validator.version}: ${operations} operations, ` +
            `${Object.keys(doc.components?.schemas ?? {}).length} schemas, identical across runs`);
