//! The `hlidac` binary: parse the command line, hand over to the library.

use clap::Parser;

/// mimalloc instead of the system allocator: SQLite rows are allocated on its worker
/// thread and freed on the runtime's, and glibc's arenas serialise those frees on a lock
/// (a poll of 1,000,000 records spent a third of its time there).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    hlidac::cli::main(hlidac::cli::Cli::parse())
}
