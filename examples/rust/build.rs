//! Run-time search path for an uninstalled libublk (`UBLK_LIB_DIR`, the
//! CMake build directory). Not needed when libublk is installed.
fn main() {
    println!("cargo:rerun-if-env-changed=UBLK_LIB_DIR");
    if let Ok(dir) = std::env::var("UBLK_LIB_DIR") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir);
    }
}
