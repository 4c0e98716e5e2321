// Run tests/portability/cases.json against a module with Node's built-in
// WASI (preview1): no preopens, no environment. Prints one JSON line per
// case: {"status": N, "stdout": "...", "stderr": "..."}.
import { readFileSync, openSync, closeSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';

const [wasmPath, casesPath] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(casesPath, 'utf8'));
const module = await WebAssembly.compile(readFileSync(wasmPath));
const dir = mkdtempSync(join(tmpdir(), 'onepy-node-'));
for (const [i, c] of cases.entries()) {
  const outPath = join(dir, `${i}.out`), errPath = join(dir, `${i}.err`);
  const stdout = openSync(outPath, 'w'), stderr = openSync(errPath, 'w');
  const wasi = new WASI({ version: 'preview1', args: ['python3', ...c.args], env: {}, preopens: {},
                          returnOnExit: true, stdout, stderr });
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  let status;
  try {
    status = wasi.start(instance);
  } catch (e) {
    status = `trap: ${e}`;
  }
  closeSync(stdout); closeSync(stderr);
  console.log(JSON.stringify({ status, stdout: readFileSync(outPath, 'utf8'), stderr: readFileSync(errPath, 'utf8') }));
}
