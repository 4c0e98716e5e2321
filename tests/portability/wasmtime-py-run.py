"""Run tests/portability/cases.json against a module with the PyPI wasmtime
package: no preopens, no environment. One JSON line per case."""

import json
import os
import sys
import tempfile

import wasmtime

wasm_path, cases_path = sys.argv[1:3]
cases = json.load(open(cases_path))
engine = wasmtime.Engine()
module = wasmtime.Module.from_file(engine, wasm_path)
linker = wasmtime.Linker(engine)
linker.define_wasi()
with tempfile.TemporaryDirectory() as tmp:
    for i, case in enumerate(cases):
        out, err = os.path.join(tmp, f"{i}.out"), os.path.join(tmp, f"{i}.err")
        config = wasmtime.WasiConfig()
        config.argv = ["python3", *case["args"]]
        config.stdout_file = out
        config.stderr_file = err
        store = wasmtime.Store(engine)
        store.set_wasi(config)
        instance = linker.instantiate(store, module)
        try:
            instance.exports(store)["_start"](store)
            status = 0
        except wasmtime.ExitTrap as e:
            status = e.code
        except wasmtime.Trap as e:
            status = f"trap: {e}"
        print(json.dumps({"status": status, "stdout": open(out).read(), "stderr": open(err).read()}), flush=True)
