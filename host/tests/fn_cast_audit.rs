//! scripts/fn_cast_audit.py on a package build made up here: a build directory
//! laid out as scripts/package_builder leaves it (bin/wasm-cc, the setuptools
//! log with the compile line, the unpacked source), one C file with casts of
//! each kind. The one-parameter METH_NOARGS methods and getter are reported
//! (they trap wasm's call_indirect), also when cast through `(void (*)(void))`
//! in the source or a header of the package; CPython's METH_KEYWORDS and
//! METH_FASTCALL conventions, a PyCFunction cast back to its type to be called
//! and a correctly declared METH_NOARGS method are not.

use onepy_host::guest::{build_python, libpython_dir, repo_root};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SOURCE: &str = r#"#include <Python.h>
#include "h.h"
static PyObject *noargs_one(PyObject *self) { Py_RETURN_NONE; }
static PyObject *noargs_two(PyObject *self, PyObject *unused) { Py_RETURN_NONE; }
static PyObject *keywords(PyObject *self, PyObject *args, PyObject *kwargs) { Py_RETURN_NONE; }
static PyObject *fast(PyObject *self, PyObject *const *args, Py_ssize_t n) { Py_RETURN_NONE; }
static PyObject *getter_one(PyObject *self) { Py_RETURN_NONE; }
static PyObject *getter_two(PyObject *self, void *closure) { Py_RETURN_NONE; }
PyMethodDef methods[] = {
    {"a", (PyCFunction)noargs_one, METH_NOARGS},
    {"b", (PyCFunction)noargs_two, METH_NOARGS},
    {"c", (PyCFunction)keywords, METH_VARARGS | METH_KEYWORDS},
    {"d", (PyCFunction)fast, METH_FASTCALL},
    {"e", (PyCFunction)(void (*)(void))noargs_one, METH_NOARGS},
    {NULL}
};
PyGetSetDef getset[] = {{"g", (getter)getter_one}, {"h", (getter)getter_two}, {NULL}};
PyObject *call(PyCFunction meth, PyObject *self) { return ((PyCFunctionWithKeywords)(void (*)(void))meth)(self, NULL, NULL); }
"#;

/// A header of the package with a cast through `(void (*)(void))`.
const HEADER: &str = r#"static PyObject *hidden_one(PyObject *self) { Py_RETURN_NONE; }
static PyMethodDef hidden[] = {{"h", (PyCFunction)(void(*)(void))hidden_one, METH_NOARGS}, {NULL}};
"#;

fn build_dir(name: &str, source: &str) -> PathBuf {
    let work = std::env::temp_dir().join(format!("onepy-fn-cast-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    for dir in ["bin", "logs", "src/pkg-1.0"] {
        std::fs::create_dir_all(work.join(dir)).unwrap();
    }
    let lib = libpython_dir();
    std::fs::write(
        work.join("bin/wasm-cc"),
        format!(
            "#!/bin/sh\nexec python3 wasm_cc.py clang-19 '--target=wasm32-wasip1' '--sysroot={}' '-resource-dir={}' \"$@\"\n",
            lib.join("sysroot").display(),
            lib.join("clang-resource").display()
        ),
    )
    .unwrap();
    std::fs::write(work.join("src/pkg-1.0/m.c"), source).unwrap();
    std::fs::write(work.join("src/pkg-1.0/h.h"), HEADER).unwrap();
    std::fs::write(
        work.join("logs/build-wheel-setuptools.log"),
        format!(
            "running build_ext\n{} -O2 -I{} -c m.c -o build/m.o\n",
            work.join("bin/wasm-cc").display(),
            lib.join("include").display()
        ),
    )
    .unwrap();
    work
}

fn audit(work: &Path) -> Output {
    Command::new(build_python())
        .arg(repo_root().join("scripts/fn_cast_audit.py"))
        .arg(work)
        .output()
        .expect("running fn_cast_audit.py")
}

#[test]
fn reports_the_casts_of_another_arity_only() {
    let work = build_dir("mixed", SOURCE);
    let out = audit(&work);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let src = work.join("src/pkg-1.0");
    let want = format!(
        "[fn-cast-audit] {name}: 1 compiles (0 not replayed), 4 casts of another arity or kind\n  \
         {src}/h.h:2: PyObject *(*)(PyObject *) -> PyCFunction\n  \
         {src}/m.c:10: PyObject *(*)(PyObject *) -> PyCFunction\n  \
         {src}/m.c:14: PyObject *(*)(PyObject *) -> PyCFunction\n  \
         {src}/m.c:17: PyObject *(*)(PyObject *) -> getter\n",
        name = work.file_name().unwrap().to_string_lossy(),
        src = src.display(),
    );
    assert_eq!(
        (out.status.code(), stdout.as_ref()),
        (Some(1), want.as_str()),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(&work).unwrap();
}

#[test]
fn a_build_it_cannot_replay_is_an_error() {
    let work = build_dir("broken", "#include <no_such_header.h>\n");
    let out = audit(&work);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("replaying a compile failed") && stderr.contains("no_such_header.h"), "{stderr}");
    std::fs::remove_dir_all(&work).unwrap();
}
