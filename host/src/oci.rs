//! OCI image archives of a onepy module, for containerd's wasm runtime.
//!
//! The archive is an OCI image layout (`oci-layout`, `index.json`,
//! `blobs/sha256/...`) in a tar file, the format `ctr images import` reads.
//! The JSON documents are typed with the `oci-spec` crate (the same crate
//! runwasi's shim library uses to read them) and the tar files are written
//! with the `tar` crate. Every byte depends only on the module and the
//! options: fixed timestamps, owners and entry order, gzip without a
//! timestamp, and JSON objects with sorted keys, so the same inputs give the
//! same image digest.
//!
//! Two layouts:
//! * [`Layout::File`]: one ordinary filesystem layer holding the module as
//!   `/<name>.wasm`; the entrypoint is that path. Runs on containerd 1.6+.
//! * [`Layout::WasmLayer`]: the module itself is the layer, with runwasi's
//!   wasm media type and an empty root filesystem. Needs containerd 1.7.7+;
//!   the shim then compiles the module once and keeps the result in
//!   containerd's content store.

use anyhow::{Context, Result, bail};
use flate2::{Compression, GzBuilder};
use oci_spec::image::{
    Arch, ConfigBuilder, Descriptor, DescriptorBuilder, Digest, ImageConfigurationBuilder, ImageIndexBuilder,
    ImageManifestBuilder, MediaType, PlatformBuilder, RootFsBuilder, SCHEMA_VERSION, Sha256Digest,
};
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::str::FromStr;

/// runwasi's media type for a layer that is a wasm module or component.
pub const WASM_LAYER_MEDIA_TYPE: &str = "application/vnd.bytecodealliance.wasm.component.layer.v0+wasm";
/// The platform containerd matches against `ctr images import --platform wasip1/wasm`.
pub const OS: &str = "wasip1";
/// Annotation containerd's importer names the image by.
const IMAGE_NAME_ANNOTATION: &str = "io.containerd.image.name";
/// The OCI annotation other tools (skopeo, podman) name the image by.
const REF_NAME_ANNOTATION: &str = "org.opencontainers.image.ref.name";
/// Image-config label tying a wasm-layer image's config to its module.
const MODULE_LABEL: &str = "org.onepy.module.sha256";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    File,
    WasmLayer,
}

impl FromStr for Layout {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "file" => Ok(Layout::File),
            "wasm-layer" => Ok(Layout::WasmLayer),
            _ => bail!("unknown layout '{s}' (expected 'file' or 'wasm-layer')"),
        }
    }
}

pub struct ImageOptions {
    /// The image reference stored in the archive, e.g. `docker.io/onepy/python:3.14`.
    pub name: String,
    /// The module's path inside the image (File layout), e.g. `/python.wasm`.
    pub entrypoint: String,
    pub layout: Layout,
    /// Timestamp of every tar entry (SOURCE_DATE_EPOCH, else 0).
    pub mtime: u64,
}

/// What was written: the manifest digest identifies the image.
#[derive(Debug)]
pub struct ImageSummary {
    pub manifest_digest: String,
    pub config_digest: String,
    pub layer_digest: String,
}

/// Build the image archive of `module` into `out`.
pub fn write_image(module: &[u8], options: &ImageOptions, out: &Path) -> Result<ImageSummary> {
    if !module.starts_with(b"\0asm") {
        bail!("the module does not start with the wasm magic number");
    }
    if !options.entrypoint.starts_with('/') || options.entrypoint.len() < 2 {
        bail!("entrypoint '{}' must be an absolute path in the image", options.entrypoint);
    }
    let mut blobs = Blobs::default();

    let (layer_desc, diff_ids, labels) = match options.layout {
        Layout::File => {
            let layer_tar = filesystem_layer(module, &options.entrypoint, options.mtime)?;
            let diff_id = sha256_digest(&layer_tar);
            let gz = gzip(&layer_tar)?;
            (blobs.add(MediaType::ImageLayerGzip, gz)?, vec![diff_id], None)
        }
        Layout::WasmLayer => {
            let labels = HashMap::from([(MODULE_LABEL.to_string(), sha256_hex(module))]);
            let desc = blobs.add(MediaType::Other(WASM_LAYER_MEDIA_TYPE.into()), module.to_vec())?;
            (desc, vec![], Some(labels))
        }
    };

    let mut config = ConfigBuilder::default().entrypoint(vec![options.entrypoint.clone()]);
    if let Some(labels) = labels {
        config = config.labels(labels);
    }
    let image_config = ImageConfigurationBuilder::default()
        .architecture(Arch::Wasm)
        .os(OS)
        .config(config.build()?)
        .rootfs(RootFsBuilder::default().typ("layers").diff_ids(diff_ids).build()?)
        .build()?;
    let config_desc = blobs.add(MediaType::ImageConfig, canonical_json(&image_config)?)?;

    let manifest = ImageManifestBuilder::default()
        .schema_version(SCHEMA_VERSION)
        .media_type(MediaType::ImageManifest)
        .config(config_desc.clone())
        .layers(vec![layer_desc.clone()])
        .build()?;
    let mut manifest_desc = blobs.add(MediaType::ImageManifest, canonical_json(&manifest)?)?;
    manifest_desc.set_platform(Some(PlatformBuilder::default().architecture(Arch::Wasm).os(OS).build()?));
    let tag = options.name.rsplit_once(':').filter(|(_, t)| !t.contains('/')).map(|(_, t)| t);
    let mut annotations = HashMap::from([(IMAGE_NAME_ANNOTATION.to_string(), options.name.clone())]);
    if let Some(tag) = tag {
        annotations.insert(REF_NAME_ANNOTATION.to_string(), tag.to_string());
    }
    manifest_desc.set_annotations(Some(annotations));

    let index = ImageIndexBuilder::default()
        .schema_version(SCHEMA_VERSION)
        .media_type(MediaType::ImageIndex)
        .manifests(vec![manifest_desc.clone()])
        .build()?;

    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("oci-layout".into(), br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec()),
        ("index.json".into(), canonical_json(&index)?),
    ];
    files.extend(blobs.files);
    write_archive(&files, options.mtime, out)?;
    Ok(ImageSummary {
        manifest_digest: manifest_desc.digest().to_string(),
        config_digest: config_desc.digest().to_string(),
        layer_digest: layer_desc.digest().to_string(),
    })
}

/// The content-addressed blobs, in the order they were added.
#[derive(Default)]
struct Blobs {
    files: Vec<(String, Vec<u8>)>,
}

impl Blobs {
    fn add(&mut self, media_type: MediaType, bytes: Vec<u8>) -> Result<Descriptor> {
        let hex = sha256_hex(&bytes);
        let desc = DescriptorBuilder::default()
            .media_type(media_type)
            .size(bytes.len() as u64)
            .digest(Digest::from(Sha256Digest::from_str(&hex)?))
            .build()?;
        self.files.push((format!("blobs/sha256/{hex}"), bytes));
        Ok(desc)
    }
}

/// A filesystem layer: the module at `entrypoint` (mode 0644) and a
/// world-writable `/tmp` for `tempfile`.
fn filesystem_layer(module: &[u8], entrypoint: &str, mtime: u64) -> Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    let path = entrypoint.trim_start_matches('/');
    let mut parents: Vec<&str> = path.match_indices('/').map(|(i, _)| &path[..i]).collect();
    parents.push("tmp");
    for dir in parents {
        let mode = if dir == "tmp" { 0o1777 } else { 0o755 };
        tar.append_data(&mut header(tar::EntryType::Directory, 0, mode, mtime), format!("{dir}/"), &[][..])
            .with_context(|| format!("adding directory {dir} to the layer"))?;
    }
    tar.append_data(&mut header(tar::EntryType::Regular, module.len() as u64, 0o644, mtime), path, module)
        .context("adding the module to the layer")?;
    tar.into_inner().context("finishing the layer tar")
}

/// The image layout archive: directories first, then files in the given order.
fn write_archive(files: &[(String, Vec<u8>)], mtime: u64, out: &Path) -> Result<()> {
    let tmp = out.with_extension("tar.tmp");
    let file = std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    let mut tar = tar::Builder::new(std::io::BufWriter::new(file));
    for dir in ["blobs/", "blobs/sha256/"] {
        tar.append_data(&mut header(tar::EntryType::Directory, 0, 0o755, mtime), dir, &[][..])?;
    }
    for (name, bytes) in files {
        tar.append_data(&mut header(tar::EntryType::Regular, bytes.len() as u64, 0o644, mtime), name, &bytes[..])
            .with_context(|| format!("writing {name} into {}", tmp.display()))?;
    }
    let mut writer = tar.into_inner().with_context(|| format!("finishing {}", tmp.display()))?;
    writer.flush().with_context(|| format!("writing {}", tmp.display()))?;
    drop(writer);
    std::fs::rename(&tmp, out).with_context(|| format!("renaming {} to {}", tmp.display(), out.display()))
}

/// A tar header that records nothing about the build machine: owner 0:0,
/// no user or group names, a fixed timestamp.
fn header(kind: tar::EntryType, size: u64, mode: u32, mtime: u64) -> tar::Header {
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(mode);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(mtime);
    h
}

/// gzip with no file name and a zero timestamp in its header.
fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut enc = GzBuilder::new().mtime(0).write(Vec::new(), Compression::default());
    enc.write_all(bytes).context("gzip")?;
    enc.finish().context("gzip")
}

/// JSON with object keys in sorted order: oci-spec keeps annotations and
/// labels in HashMaps, whose iteration order changes from run to run.
pub fn canonical_json<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    let value = sort_keys(serde_json::to_value(value).context("serializing OCI document")?);
    serde_json::to_vec(&value).context("serializing OCI document")
}

fn sort_keys(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sort_keys(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", sha256_hex(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODULE: &[u8] = b"\0asm\x01\0\0\0";

    fn options(layout: Layout) -> ImageOptions {
        ImageOptions { name: "docker.io/onepy/test:1".into(), entrypoint: "/app/test.wasm".into(), layout, mtime: 0 }
    }

    fn entries(archive: &[u8]) -> Vec<(String, Vec<u8>, u64, u64)> {
        let mut tar = tar::Archive::new(archive);
        tar.entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let name = e.path().unwrap().to_string_lossy().into_owned();
                let (mtime, uid) = (e.header().mtime().unwrap(), e.header().uid().unwrap());
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut e, &mut bytes).unwrap();
                (name, bytes, mtime, uid)
            })
            .collect()
    }

    #[test]
    fn same_inputs_give_the_same_bytes() {
        let dir = std::env::temp_dir().join(format!("onepy-oci-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (a, b) = (dir.join("a.tar"), dir.join("b.tar"));
        let sa = write_image(MODULE, &options(Layout::File), &a).unwrap();
        let sb = write_image(MODULE, &options(Layout::File), &b).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        assert_eq!(sa.manifest_digest, sb.manifest_digest);
        let archive = std::fs::read(&a).unwrap();
        let names: Vec<String> = entries(&archive).into_iter().map(|e| e.0).collect();
        assert_eq!(&names[..4], ["blobs/", "blobs/sha256/", "oci-layout", "index.json"]);
        assert!(entries(&archive).iter().all(|e| e.2 == 0 && e.3 == 0));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn file_layer_holds_the_module_at_the_entrypoint() {
        let layer = filesystem_layer(MODULE, "/app/test.wasm", 7).unwrap();
        let e = entries(&layer);
        let names: Vec<&str> = e.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(names, ["app/", "tmp/", "app/test.wasm"]);
        assert_eq!(e[2].1, MODULE);
        assert_eq!(e[2].2, 7);
    }

    #[test]
    fn index_names_the_image_and_its_platform() {
        let dir = std::env::temp_dir().join(format!("onepy-oci-idx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("i.tar");
        write_image(MODULE, &options(Layout::WasmLayer), &out).unwrap();
        let archive = std::fs::read(&out).unwrap();
        let e = entries(&archive);
        let index: serde_json::Value = serde_json::from_slice(&e[3].1).unwrap();
        let m = &index["manifests"][0];
        assert_eq!(m["platform"]["os"], "wasip1");
        assert_eq!(m["platform"]["architecture"], "wasm");
        assert_eq!(m["annotations"][IMAGE_NAME_ANNOTATION], "docker.io/onepy/test:1");
        assert_eq!(m["annotations"][REF_NAME_ANNOTATION], "1");
        // The wasm layer is the module itself.
        let digest = m["digest"].as_str().unwrap().trim_start_matches("sha256:");
        let manifest = &e.iter().find(|x| x.0.ends_with(digest)).unwrap().1;
        let manifest: serde_json::Value = serde_json::from_slice(manifest).unwrap();
        assert_eq!(manifest["layers"][0]["mediaType"], WASM_LAYER_MEDIA_TYPE);
        assert_eq!(manifest["layers"][0]["digest"], sha256_digest(MODULE));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn canonical_json_sorts_keys() {
        let map = HashMap::from([("b", 1), ("a", 2), ("c", 3)]);
        assert_eq!(canonical_json(&map).unwrap(), br#"{"a":2,"b":1,"c":3}"#);
    }

    #[test]
    fn rejects_what_is_not_a_module() {
        let err = write_image(b"#!/bin/sh", &options(Layout::File), Path::new("/nonexistent/x.tar")).unwrap_err();
        assert!(format!("{err:#}").contains("wasm magic"), "{err:#}");
    }
}
