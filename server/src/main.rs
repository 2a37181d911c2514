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

fn main() -> std::process::ExitCode {
    go_env_doctor::cli::main()
}
