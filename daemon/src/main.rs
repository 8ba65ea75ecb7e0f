//! The `hlidac` binary: parse the command line, hand over to the library.

use clap::Parser;

fn main() -> std::process::ExitCode {
    hlidac::cli::main(hlidac::cli::Cli::parse())
}
