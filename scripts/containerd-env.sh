# A private containerd for the OCI tests and benchmarks: started as a child
# of the calling script with its own root, state, socket and config (no
# systemd, nothing shared with a system containerd), the wasm shim first on
# its PATH. Source it; do not run it.
#
#   containerd_check            fail with the reason if this machine cannot run containers
#   containerd_start SHIM_DIR   start it; exports CONTAINERD_ADDRESS/NAMESPACE for ctr
#                               (CTRD_CRI_SNIPPET=FILE: with the CRI plugin and FILE's config)
#   containerd_stop             stop tasks, shims, containerd; unmount; remove its dirs
#
# The caller must `trap containerd_stop EXIT` (and turn INT/TERM into exit) before starting.

CTRD_DIR=""
CTRD_PID=""

containerd_check() {
    [ "$(id -u)" = 0 ] || die "containerd needs root (run make test-oci as root)"
    command -v containerd >/dev/null || die "containerd is not installed (scripts/deps.sh oci installs it)"
    command -v ctr >/dev/null || die "ctr is not installed (it comes with Debian's containerd package)"
    grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || true
    grep -qw overlay /proc/filesystems \
        || die "this kernel has no overlay filesystem: containerd's overlayfs snapshotter cannot run here"
    grep -q cgroup /proc/mounts || die "no cgroup filesystem is mounted at /sys/fs/cgroup: containers cannot run here"
    [ -w /sys/fs/cgroup/memory ] || [ -f /sys/fs/cgroup/cgroup.controllers ] \
        || die "neither cgroup v1's memory controller nor cgroup v2 is available: containers cannot run here"
}

containerd_start() {
    local shim_dir="$1"
    # Under /var/tmp, not /tmp: overlay needs a real filesystem for its upper dirs.
    CTRD_DIR="$(mktemp -d /var/tmp/onepy-containerd.XXXXXX)"
    # The CRI plugin (Kubernetes) is not needed to run images with ctr; with
    # CTRD_CRI_SNIPPET=FILE it is enabled and FILE's tables are added.
    local disabled='["io.containerd.grpc.v1.cri"]'
    [ -z "${CTRD_CRI_SNIPPET:-}" ] || disabled='[]'
    cat >"$CTRD_DIR/config.toml" <<TOML
version = 2
root = "$CTRD_DIR/root"
state = "$CTRD_DIR/state"
disabled_plugins = $disabled
[grpc]
  address = "$CTRD_DIR/containerd.sock"
[ttrpc]
  address = "$CTRD_DIR/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$CTRD_DIR/opt"
TOML
    if [ -n "${CTRD_CRI_SNIPPET:-}" ]; then
        # A node's config already has the default runc runtime (as
        # `containerd config default` writes it); the snippet adds to it.
        grep -v '^version' "$CTRD_CRI_SNIPPET" >>"$CTRD_DIR/config.toml"
        cat >>"$CTRD_DIR/config.toml" <<TOML
[plugins."io.containerd.grpc.v1.cri"]
  stream_server_port = "0"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
TOML
    fi
    PATH="$shim_dir:$PATH" containerd --config "$CTRD_DIR/config.toml" >"$CTRD_DIR/containerd.log" 2>&1 &
    CTRD_PID=$!
    export CONTAINERD_ADDRESS="$CTRD_DIR/containerd.sock" CONTAINERD_NAMESPACE=onepy
    local i
    for i in $(seq 100); do
        ctr version >/dev/null 2>&1 && break
        kill -0 "$CTRD_PID" 2>/dev/null || { tail -20 "$CTRD_DIR/containerd.log" >&2; die "containerd exited at start (log above)"; }
        sleep 0.1
    done
    ctr version >/dev/null 2>&1 || { tail -20 "$CTRD_DIR/containerd.log" >&2; die "containerd did not answer on $CONTAINERD_ADDRESS within 10 s"; }
    echo "[containerd] $(containerd --version | cut -d' ' -f3) pid $CTRD_PID, root $CTRD_DIR"
}

# Processes started for our containerd: shims carry its socket path in their
# command line; containers are the shims' descendants.
ours() {
    local pid
    for pid in $(grep -lsF -- "$CTRD_DIR/" /proc/[0-9]*/cmdline | cut -d/ -f3); do
        if [ "$pid" != "$$" ] && [ "$pid" != "$CTRD_PID" ] && [ "$pid" != "$BASHPID" ]; then echo "$pid"; fi
    done
    return 0
}

descendants() {
    local pid child
    for pid in "$@"; do
        for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
            echo "$child"
            descendants "$child"
        done
    done
}

containerd_stop() {
    local rc=$?
    [ -n "$CTRD_DIR" ] || return "$rc"
    if [ -n "$CTRD_PID" ] && kill -0 "$CTRD_PID" 2>/dev/null; then
        local task
        for task in $(ctr tasks ls -q 2>/dev/null); do
            ctr tasks kill -s SIGKILL "$task" >/dev/null 2>&1 || true
        done
        for task in $(ctr containers ls -q 2>/dev/null); do
            ctr tasks delete -f "$task" >/dev/null 2>&1 || true
            ctr containers delete "$task" >/dev/null 2>&1 || true
        done
        kill "$CTRD_PID" 2>/dev/null || true
        wait "$CTRD_PID" 2>/dev/null || true
    fi
    local shims
    shims="$(ours)"
    if [ -n "$shims" ]; then
        # shellcheck disable=SC2046
        kill -9 $(descendants $shims) $shims 2>/dev/null || true
    fi
    local mnt
    for mnt in $(awk -v d="$CTRD_DIR/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r); do
        umount -l "$mnt" 2>/dev/null || true
    done
    if [ "${ONEPY_KEEP_CONTAINERD_LOG:-}" != "" ]; then
        cp "$CTRD_DIR/containerd.log" "$ONEPY_KEEP_CONTAINERD_LOG" 2>/dev/null || true
    fi
    rm -rf "$CTRD_DIR"
    CTRD_DIR=""
    return "$rc"
}
