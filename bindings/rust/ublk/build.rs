//! Lets this crate's tests find an uninstalled libublk at run time
//! (`UBLK_LIB_DIR`, see ublk-sys/build.rs).
fn main() {
    println!("cargo:rerun-if-env-changed=UBLK_LIB_DIR");
    if let Ok(dir) = std::env::var("UBLK_LIB_DIR") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir);
    }
}
