use std::process::ExitCode;

fn main() -> ExitCode {
    match bosun::cli::main() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("bosun: {error:#}");
            ExitCode::FAILURE
        }
    }
}
