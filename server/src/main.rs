//! The binary: [`go_env_doctor::cli::main`], with its allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, Ordering};

/// mimalloc for the server and the commands: a check builds many small maps and strings, and
/// each costs markedly less with it than with the system allocator (a settings edit's
/// re-diagnosis took 1.30 ms instead of 1.85, over 300 edits). The login shell's helpers
/// (`__print-env`, `__probe-guard-end`) keep the system allocator: they start on the way to
/// the first diagnostics and make few allocations, and mimalloc cost each start ~0.3 ms.
struct Allocator;

/// Which allocator this process uses: decided before `main`, from the command line, and never
/// changed (every block is freed by the allocator that made it).
static SYSTEM: AtomicBool = AtomicBool::new(false);

// SAFETY: each method forwards to one allocator, the same one for the process's whole life.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if SYSTEM.load(Ordering::Relaxed) {
            // SAFETY: the caller's contract, passed on unchanged.
            unsafe { System.alloc(layout) }
        } else {
            // SAFETY: the caller's contract, passed on unchanged.
            unsafe { mimalloc::MiMalloc.alloc(layout) }
        }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if SYSTEM.load(Ordering::Relaxed) {
            // SAFETY: the caller's contract, passed on unchanged.
            unsafe { System.alloc_zeroed(layout) }
        } else {
            // SAFETY: the caller's contract, passed on unchanged.
            unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
        }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if SYSTEM.load(Ordering::Relaxed) {
            // SAFETY: the caller's contract, passed on unchanged.
            unsafe { System.dealloc(ptr, layout) }
        } else {
            // SAFETY: the caller's contract, passed on unchanged.
            unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
        }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if SYSTEM.load(Ordering::Relaxed) {
            // SAFETY: the caller's contract, passed on unchanged.
            unsafe { System.realloc(ptr, layout, new_size) }
        } else {
            // SAFETY: the caller's contract, passed on unchanged.
            unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
        }
    }
}

#[global_allocator]
static GLOBAL: Allocator = Allocator;

/// Runs before `main` and before any Rust code allocates (glibc passes the command line to
/// `.init_array` functions): the helpers choose the system allocator here.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[used]
#[link_section = ".init_array"]
static CHOOSE_ALLOCATOR: extern "C" fn(
    std::ffi::c_int,
    *const *const std::ffi::c_char,
    *const *const std::ffi::c_char,
) = {
    extern "C" fn choose(
        argc: std::ffi::c_int,
        argv: *const *const std::ffi::c_char,
        _env: *const *const std::ffi::c_char,
    ) {
        if argc < 2 || argv.is_null() {
            return;
        }
        // SAFETY: glibc passes main's argv: argc valid pointers to NUL-terminated strings.
        let first = unsafe { std::ffi::CStr::from_ptr(*argv.add(1)) }.to_bytes();
        if go_env_doctor::cli::is_helper(first) {
            SYSTEM.store(true, Ordering::Relaxed);
        }
    }
    choose
};

// mimalloc asks the kernel for transparent huge pages on the arena it reserves as it starts
// (MADV_HUGEPAGE): each first touch of a 2 MiB region then zeroes all of it, which cost the
// server ~0.5 ms of CPU on the way to its first diagnostics (perf: a third of the main
// thread's samples in clear_page). The option that stops the advice must be set before
// mimalloc's own constructor (priority 101) runs; seeing it, mimalloc also turns THP off for
// the whole process (PR_SET_THP_DISABLE), a switch every shell and `go` the tool starts would
// inherit: `main` puts it back as the tool found it (`restore_thp_switch`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MI_OPTION_ALLOW_THP: std::ffi::c_int = 43; // `mi_option_allow_thp` in libmimalloc-sys 0.1.49's v3 mimalloc.h

/// The process's THP switch before mimalloc started (`PR_GET_THP_DISABLE`: 0, 1, or -1 when
/// the kernel cannot tell).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
static THP_SWITCH: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);

#[cfg(all(target_os = "linux", target_env = "gnu"))]
extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[used]
#[link_section = ".init_array.00100"]
static BEFORE_MIMALLOC: extern "C" fn() = {
    extern "C" fn no_thp_advice() {
        // SAFETY: prctl with PR_GET_THP_DISABLE reads a flag of this process.
        let switch = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        THP_SWITCH.store(switch, Ordering::Relaxed);
        // SAFETY: sets an option value; mimalloc reads its options when it initialises.
        unsafe { mi_option_set(MI_OPTION_ALLOW_THP, 0) };
    }
    no_thp_advice
};

/// Undoes mimalloc's process-wide THP switch when it was mimalloc that turned it on.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn restore_thp_switch() {
    if THP_SWITCH.load(Ordering::Relaxed) == 0 {
        // SAFETY: prctl with PR_SET_THP_DISABLE sets a flag of this process.
        unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 0, 0, 0, 0) };
    }
}

fn main() -> std::process::ExitCode {
    // After every constructor, mimalloc's included.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    restore_thp_switch();
    go_env_doctor::cli::main()
}
