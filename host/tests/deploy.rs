//! The Kubernetes manifests in deploy/ and the containerd snippet: no
//! cluster is reachable from the tests, so they are parsed (yaml-rust2,
//! toml) and checked against each other and against what `make oci` and the
//! shim produce: the handler containerd registers is the one the
//! RuntimeClass names, pods use that RuntimeClass, images are onepy images
//! whose entrypoint is python, and docs/cluster.md shows the files verbatim.

use onepy_host::guest::repo_root;
use yaml_rust2::{Yaml, YamlLoader};

fn read(rel: &str) -> String {
    let path = repo_root().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn load(rel: &str) -> Yaml {
    let docs = YamlLoader::load_from_str(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert_eq!(docs.len(), 1, "{rel}: expected one YAML document");
    docs.into_iter().next().unwrap()
}

fn str_at<'a>(doc: &'a Yaml, path: &[&str], file: &str) -> &'a str {
    let mut node = doc;
    for key in path {
        node = &node[*key];
    }
    node.as_str().unwrap_or_else(|| panic!("{file}: no string at {}", path.join(".")))
}

/// The containers of a workload's pod template, with the pod spec.
fn pod_spec<'a>(doc: &'a Yaml, file: &str) -> &'a Yaml {
    let spec = &doc["spec"]["template"]["spec"];
    assert!(!spec.is_badvalue(), "{file}: no spec.template.spec");
    spec
}

/// The runtime handler registered by the containerd snippet.
fn containerd_handler() -> (String, String) {
    let config: toml::Table = read("deploy/containerd-config.toml").parse().expect("containerd-config.toml parses");
    assert_eq!(config["version"].as_integer(), Some(2), "containerd config version 2 (containerd 1.6/1.7)");
    let runtimes = config["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]
        .as_table()
        .expect("plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes");
    assert_eq!(runtimes.len(), 1);
    let (handler, runtime) = runtimes.iter().next().unwrap();
    (handler.clone(), runtime["runtime_type"].as_str().unwrap().to_string())
}

#[test]
fn containerd_snippet_registers_our_shim() {
    let (_, runtime_type) = containerd_handler();
    // containerd runs io.containerd.NAME.v1 as the binary containerd-shim-NAME-v1.
    let name = runtime_type.strip_prefix("io.containerd.").and_then(|r| r.strip_suffix(".v1")).unwrap();
    let shim = read("oci/shim/Cargo.toml");
    assert!(
        shim.contains(&format!("name = \"containerd-shim-{name}-v1\"")),
        "the shim binary is not containerd-shim-{name}-v1"
    );
    assert!(read("scripts/test-oci.sh").contains(&format!("RUNTIME={runtime_type}")), "test-oci runs another runtime");
}

#[test]
fn runtime_class_uses_the_containerd_handler() {
    let (handler, _) = containerd_handler();
    let rc = load("deploy/runtimeclass.yaml");
    assert_eq!(str_at(&rc, &["apiVersion"], "runtimeclass.yaml"), "node.k8s.io/v1");
    assert_eq!(str_at(&rc, &["kind"], "runtimeclass.yaml"), "RuntimeClass");
    assert_eq!(str_at(&rc, &["handler"], "runtimeclass.yaml"), handler);
}

#[test]
fn workloads_run_onepy_images_on_the_runtime_class() {
    let rc = load("deploy/runtimeclass.yaml");
    let class = str_at(&rc, &["metadata", "name"], "runtimeclass.yaml");
    for (file, api, kind) in
        [("deploy/job.yaml", "batch/v1", "Job"), ("deploy/deployment.yaml", "apps/v1", "Deployment")]
    {
        let doc = load(file);
        assert_eq!(str_at(&doc, &["apiVersion"], file), api);
        assert_eq!(str_at(&doc, &["kind"], file), kind);
        assert!(!str_at(&doc, &["metadata", "name"], file).is_empty());
        let spec = pod_spec(&doc, file);
        assert_eq!(spec["runtimeClassName"].as_str(), Some(class), "{file}: runtimeClassName");
        let containers = spec["containers"].as_vec().unwrap_or_else(|| panic!("{file}: no containers"));
        assert!(!containers.is_empty());
        for c in containers {
            let image = c["image"].as_str().unwrap_or_else(|| panic!("{file}: a container without image"));
            assert!(image.contains("/onepy/python:"), "{file}: image {image} is not a `make oci` image");
            // The image's entrypoint is the module: `command` would replace it.
            assert!(c["command"].is_badvalue(), "{file}: `command` replaces /python.wasm; use `args`");
            let args: Vec<&str> = c["args"].as_vec().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
            assert_eq!(args.first(), Some(&"-c"), "{file}: args are python's: -c CODE");
            let limit =
                c["resources"]["limits"]["memory"].as_str().unwrap_or_else(|| panic!("{file}: no memory limit"));
            assert!(limit.ends_with("Mi") || limit.ends_with("Gi"), "{file}: memory limit {limit}");
        }
        if kind == "Deployment" {
            let selector = &doc["spec"]["selector"]["matchLabels"];
            let labels = &doc["spec"]["template"]["metadata"]["labels"];
            assert_eq!(selector, labels, "{file}: selector must match the pod labels");
        }
        if kind == "Job" {
            assert_eq!(spec["restartPolicy"].as_str(), Some("Never"), "{file}: restartPolicy");
        }
    }
}

#[test]
fn readme_shows_the_deploy_files_verbatim() {
    let readme = read("docs/cluster.md");
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in readme.lines() {
        match (&mut current, line.trim_start().strip_prefix("```")) {
            (None, Some(lang)) if lang == "yaml" || lang == "toml" => current = Some((lang.to_string(), String::new())),
            (Some(_), Some(_)) => blocks.push(current.take().unwrap()),
            (Some((_, text)), None) => {
                text.push_str(line);
                text.push('\n');
            }
            _ => {}
        }
    }
    let files =
        ["deploy/runtimeclass.yaml", "deploy/job.yaml", "deploy/deployment.yaml", "deploy/containerd-config.toml"];
    for file in files {
        let content = read(file);
        assert!(blocks.iter().any(|(_, text)| *text == content), "docs/cluster.md does not show {file} verbatim");
    }
    for (lang, text) in &blocks {
        assert!(
            files.iter().any(|f| read(f) == *text),
            "a ```{lang} block in docs/cluster.md is not a file in deploy/:\n{text}"
        );
    }
}
