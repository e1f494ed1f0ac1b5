//! Finds libublk for linking.
//!
//! Order: `UBLK_LIB_DIR` (a directory holding libublk.so, e.g. the CMake
//! build directory; also used as the run-time search path of binaries linked
//! by this build), else `pkg-config --libs-only-L libublk`, else the system
//! linker's default paths.
use std::env;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=UBLK_LIB_DIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    if let Ok(dir) = env::var("UBLK_LIB_DIR") {
        println!("cargo:rustc-link-search=native={}", dir);
        // This package's own tests find the library at run time.
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir);
    } else if let Ok(out) = Command::new("pkg-config")
        .args(["--libs-only-L", "libublk"])
        .output()
    {
        if out.status.success() {
            for flag in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                if let Some(dir) = flag.strip_prefix("-L") {
                    println!("cargo:rustc-link-search=native={}", dir);
                }
            }
        }
    }
    println!("cargo:rustc-link-lib=dylib=ublk");
}
