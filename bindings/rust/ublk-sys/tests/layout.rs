//! The hand-written declarations in src/lib.rs against include/ublk.h:
//! a C program compiled with `cc` prints every constant (value and size) and
//! the size and field offsets of `struct ublk_backend_ops`; the Rust values
//! must be equal. Also: every `#define UBLK_*` value and every `UBLK_API`
//! function of the header has a Rust counterpart, and no Rust function is
//! missing from the header.
use std::collections::BTreeMap;
use std::mem::{size_of, size_of_val, MaybeUninit};
use std::path::PathBuf;
use std::process::Command;
use ublk_sys::*;

fn include_dir() -> PathBuf {
    match std::env::var_os("UBLK_INCLUDE_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../include"),
    }
}

fn header() -> String {
    std::fs::read_to_string(include_dir().join("ublk.h")).expect("read ublk.h")
}

/// Names of `#define UBLK_X value` lines (not the include guard or macros).
fn header_constants(h: &str) -> Vec<String> {
    let skip = [
        "UBLK_H",
        "UBLK_API",
        "UBLK_NOEXCEPT",
        "UBLK_BACKEND_OPS_INIT",
    ];
    h.lines()
        .filter_map(|l| l.strip_prefix("#define "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| n.starts_with("UBLK_") && !skip.contains(n))
        .map(|n| n.to_string())
        .collect()
}

/// Names of the functions declared with UBLK_API.
fn names_before_paren(text: &str, marker: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices(marker) {
        let rest = &text[i + marker.len()..];
        if let Some(p) = rest.find('(') {
            let name = rest[..p]
                .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next();
            if let Some(n) = name {
                if n.starts_with("ublk_") {
                    out.push(n.to_string());
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

macro_rules! rust_consts {
    ($($name:ident),* $(,)?) => {{
        let mut m = BTreeMap::new();
        $( m.insert(stringify!($name).to_string(),
                    format!("{} {}", $name as i128, size_of_val(&$name))); )*
        m
    }};
}

macro_rules! offsets {
    ($($field:ident),* $(,)?) => {{
        let u = MaybeUninit::<ublk_backend_ops>::uninit();
        let base = u.as_ptr() as usize;
        let mut m = BTreeMap::new();
        // SAFETY: addr_of! computes field addresses without reading.
        $( m.insert(format!("offsetof.{}", stringify!($field)),
                    (unsafe { std::ptr::addr_of!((*u.as_ptr()).$field) } as usize - base)
                        .to_string()); )*
        m
    }};
}

const OPS_FIELDS: &[&str] = &[
    "struct_size",
    "flags",
    "free_user_data",
    "read",
    "write",
    "flush",
    "discard",
    "write_zeroes",
    "submit",
    "data_at",
];

fn rust_values() -> BTreeMap<String, String> {
    let mut m = rust_consts!(
        UBLK_VERSION_MAJOR,
        UBLK_VERSION_MINOR,
        UBLK_VERSION_PATCH,
        UBLK_DEV_ID_AUTO,
        UBLK_DATA_MODE_COPY,
        UBLK_DATA_MODE_NEED_GET_DATA,
        UBLK_DATA_MODE_USER_COPY,
        UBLK_DATA_MODE_ZERO_COPY,
        UBLK_DATA_MODE_AUTO,
        UBLK_DATA_MODE_ZERO_COPY_MANUAL,
        UBLK_QUEUE_AFFINITY_AUTO,
        UBLK_QUEUE_AFFINITY_QUEUE_CPUS,
        UBLK_QUEUE_AFFINITY_NONE,
        UBLK_QUEUE_SCHED_INHERIT,
        UBLK_QUEUE_SCHED_BATCH,
        UBLK_BATCH_IO_AUTO,
        UBLK_BATCH_IO_OFF,
        UBLK_BATCH_IO_ON,
        UBLK_OP_READ,
        UBLK_OP_WRITE,
        UBLK_OP_FLUSH,
        UBLK_OP_DISCARD,
        UBLK_OP_WRITE_ZEROES,
        UBLK_OP_FLAG_FUA,
        UBLK_OP_FLAG_NOUNMAP,
        UBLK_FILE_OP_READ,
        UBLK_FILE_OP_WRITE,
        UBLK_FILE_OP_FDATASYNC,
        UBLK_FILE_OP_PUNCH_HOLE,
        UBLK_FILE_OP_ZERO_RANGE,
        UBLK_FILE_F_DSYNC,
        UBLK_BACKEND_F_FLUSH,
        UBLK_BACKEND_F_DISCARD,
        UBLK_BACKEND_F_WRITE_ZEROES,
        UBLK_BACKEND_F_FUA,
        UBLK_BACKEND_F_FILE_OPS_ONLY,
        UBLK_COUNTER_REQUESTS,
        UBLK_COUNTER_BAD_REQUESTS,
        UBLK_COUNTER_DOUBLE_COMPLETIONS,
        UBLK_COUNTER_KERNEL_ERRORS,
        UBLK_COUNTER_BYTES_COPIED,
    );
    m.extend(offsets!(
        struct_size,
        flags,
        free_user_data,
        read,
        write,
        flush,
        discard,
        write_zeroes,
        submit,
        data_at
    ));
    m.insert(
        "sizeof.ublk_backend_ops".into(),
        size_of::<ublk_backend_ops>().to_string(),
    );
    m.insert(
        "alignof.ublk_backend_ops".into(),
        std::mem::align_of::<ublk_backend_ops>().to_string(),
    );
    m.insert(
        "init.struct_size".into(),
        ublk_backend_ops::init().struct_size.to_string(),
    );
    m
}

/// Runs a C program printing "name value" lines for the same names.
fn c_values(consts: &[String]) -> BTreeMap<String, String> {
    let mut src = String::from(
        "#include <stddef.h>\n#include <stdio.h>\n#include <ublk.h>\nint main(void) {\n",
    );
    for c in consts {
        src += &format!("  printf(\"{c} %lld %zu\\n\", (long long)({c}), sizeof({c}));\n",);
    }
    for f in OPS_FIELDS {
        src += &format!(
            "  printf(\"offsetof.{f} %zu\\n\", offsetof(struct ublk_backend_ops, {f}));\n"
        );
    }
    src += "  printf(\"sizeof.ublk_backend_ops %zu\\n\", sizeof(struct ublk_backend_ops));\n";
    src += "  printf(\"alignof.ublk_backend_ops %zu\\n\", _Alignof(struct ublk_backend_ops));\n";
    src += "  struct ublk_backend_ops init = UBLK_BACKEND_OPS_INIT;\n";
    src += "  printf(\"init.struct_size %llu\\n\", (unsigned long long)init.struct_size);\n";
    src += "  return 0;\n}\n";
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let c = dir.join("ublk_sys_layout.c");
    let exe = dir.join("ublk_sys_layout");
    std::fs::write(&c, src).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let st = Command::new(cc)
        .args(["-std=c11", "-Wall", "-Werror", "-o"])
        .arg(&exe)
        .arg("-I")
        .arg(include_dir())
        .arg(&c)
        .status()
        .expect("run the C compiler");
    assert!(st.success(), "compiling {} failed", c.display());
    let out = Command::new(&exe).output().expect("run the layout program");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (k, v) = l.split_once(' ').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect()
}

#[test]
fn layout_and_constants_match_the_header() {
    let consts = header_constants(&header());
    assert!(consts.len() >= 29, "parsed only {} constants", consts.len());
    let c = c_values(&consts);
    let rust = rust_values();
    for (k, v) in &c {
        assert_eq!(
            rust.get(k),
            Some(v),
            "{k}: C says {v}, Rust says {:?}",
            rust.get(k)
        );
    }
    for k in rust.keys() {
        assert!(c.contains_key(k), "{k} is in Rust but not in ublk.h");
    }
}

#[test]
fn functions_match_the_header() {
    let in_c = names_before_paren(&header(), "UBLK_API ");
    let lib = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/lib.rs")).unwrap();
    let in_rust = names_before_paren(&lib, "pub fn ");
    assert!(in_c.len() >= 37, "parsed only {} functions", in_c.len());
    assert_eq!(in_c, in_rust);
}

#[test]
fn library_is_callable() {
    // SAFETY: no arguments; returns a static string.
    let v = unsafe { ublk_version() };
    assert_eq!(v >> 16, UBLK_VERSION_MAJOR);
    assert_eq!(
        unsafe { ublk_version_at_least(UBLK_VERSION_MAJOR, UBLK_VERSION_MINOR) },
        1
    );
}
