use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match bosun::cli::main() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("bosun: {error:#}");
            ExitCode::FAILURE
        }
    }
}
