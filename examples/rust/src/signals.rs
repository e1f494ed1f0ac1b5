//! SIGINT/SIGTERM as a blocking call. std has no signal API and this
//! example uses no crates, so it declares the few libc functions it needs.
//! `block()` must run before any thread starts (threads inherit the mask);
//! `wait()` then returns on the first signal, and `wake()` sends SIGTERM to
//! this process to release a thread in `wait()`.
use std::os::raw::c_int;

const SIG_BLOCK: c_int = 0;
const SIGINT: c_int = 2;
const SIGTERM: c_int = 15;

/// glibc's sigset_t: 1024 bits.
#[repr(C)]
pub struct SigSet([u64; 16]);

extern "C" {
    fn sigemptyset(set: *mut SigSet) -> c_int;
    fn sigaddset(set: *mut SigSet, sig: c_int) -> c_int;
    fn pthread_sigmask(how: c_int, set: *const SigSet, old: *mut SigSet) -> c_int;
    fn sigwait(set: *const SigSet, sig: *mut c_int) -> c_int;
    fn kill(pid: c_int, sig: c_int) -> c_int;
}

/// {SIGINT, SIGTERM}.
pub fn set() -> SigSet {
    let mut set = SigSet([0; 16]);
    // SAFETY: libc calls on a sigset_t-sized buffer (for every call here).
    unsafe {
        sigemptyset(&mut set);
        sigaddset(&mut set, SIGINT);
        sigaddset(&mut set, SIGTERM);
    }
    set
}

/// Blocks SIGINT and SIGTERM in this thread and the threads it starts later.
pub fn block() {
    unsafe { pthread_sigmask(SIG_BLOCK, &set(), std::ptr::null_mut()) };
}

/// Waits for SIGINT or SIGTERM.
pub fn wait() {
    let mut sig = 0;
    unsafe { sigwait(&set(), &mut sig) };
}

/// Sends SIGTERM to this process (a thread in `wait` takes it).
pub fn wake() {
    unsafe { kill(std::process::id() as c_int, SIGTERM) };
}
