//! `hlidac-sim`: serves a simulated municipality over the hlidac adapter protocol.

use anyhow::Context;
use clap::Parser;
use hlidac_sim::{demo_scenario, synthetic_scenario, Scenario, Sim};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    version,
    about = "Serve a simulated municipality over the hlidac adapter protocol"
)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
    /// `demo` for the built-in demo town, `synthetic:PERSONS:PER_PERSON` for a large
    /// made-up town (persons SYN-0000000…), or a scenario JSON file.
    #[arg(long, default_value = "demo")]
    scenario: String,
    /// The demo scenario's "today" (YYYY-MM-DD); defaults to the current local date.
    #[arg(long)]
    today: Option<chrono::NaiveDate>,
    /// Apply the timeline's steps by themselves at their `at_secs`.
    #[arg(long)]
    auto: bool,
    /// Require this bearer token on protocol calls.
    #[arg(long, env = "HLIDAC_SIM_TOKEN")]
    token: Option<String>,
    /// Serve HTTPS with this certificate (PEM) and `--tls-key`.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    #[arg(long)]
    tls_key: Option<PathBuf>,
    /// With HTTPS, require client certificates signed by this CA (PEM): mutual TLS.
    #[arg(long, requires = "tls_cert")]
    client_ca: Option<PathBuf>,
    /// Write the bound address to this file once listening (for scripts).
    #[arg(long)]
    addr_file: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HLIDAC_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let scenario = if args.scenario == "demo" {
        demo_scenario(
            args.today
                .unwrap_or_else(|| chrono::Local::now().date_naive()),
        )
    } else if let Some(size) = args.scenario.strip_prefix("synthetic:") {
        let (persons, per_person) = size
            .split_once(':')
            .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
            .context("--scenario synthetic:PERSONS:PER_PERSON, for example synthetic:20000:50")?;
        synthetic_scenario(
            persons,
            per_person,
            args.today
                .unwrap_or_else(|| chrono::Local::now().date_naive()),
        )
    } else {
        let text = std::fs::read_to_string(&args.scenario)
            .with_context(|| format!("while reading scenario {}", args.scenario))?;
        serde_json::from_str::<Scenario>(&text)
            .with_context(|| format!("while parsing scenario {}", args.scenario))?
    };
    let sim = Sim::new(scenario, args.token);
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("while binding {}", args.listen))?;
    let addr = listener.local_addr()?;
    if let Some(path) = &args.addr_file {
        std::fs::write(path, addr.to_string()).context("while writing --addr-file")?;
    }
    tracing::info!(%addr, "hlidac-sim listening");
    if args.auto {
        tokio::spawn(sim.clone().run_timeline());
    }
    match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            let config = hlidac_sim::tls_config(cert, key, args.client_ca.as_deref())
                .context("while loading the TLS certificate")?;
            sim.serve_tls(listener, std::sync::Arc::new(config)).await?
        }
        _ => sim.serve(listener).await?,
    }
    Ok(())
}
