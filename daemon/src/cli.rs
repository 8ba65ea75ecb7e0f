//! The command line: `run`, `check-config`, `migrate`, `citizen add|list|remove|import|track`,
//! `source pause|resume|poll`, `outbox list|resend`, `contact suppress`, `report`,
//! `adapter check`, `preview`, `audit`, `version`.

use crate::clock::SystemClock;
use crate::config::{Config, LogFormat, Overrides};
use crate::store::Store;
use crate::App;
use anyhow::Context;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// sysexits' EX_CONFIG: systemd shows it as a configuration error.
const EXIT_CONFIG: u8 = 78;

#[derive(Parser, Debug)]
#[command(
    name = "hlidac",
    version,
    about = "Watches a municipality's systems and tells citizens by e-mail"
)]
pub struct Cli {
    /// The configuration file.
    #[arg(
        long,
        short,
        env = "HLIDAC_CONFIG",
        default_value = "/etc/hlidac/hlidac.toml",
        global = true
    )]
    pub config: PathBuf,
    /// Overrides `state_dir`.
    #[arg(long, global = true)]
    pub state_dir: Option<PathBuf>,
    /// Overrides `database.url`.
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    /// Overrides `web.listen`.
    #[arg(long, global = true)]
    pub listen: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the daemon until SIGTERM or SIGINT.
    Run,
    /// Load and check the configuration, print every problem, and exit.
    CheckConfig,
    /// Apply database migrations and exit.
    Migrate,
    /// Enrol, list or remove citizens (until they can log in with their eID).
    Citizen {
        #[command(subcommand)]
        command: CitizenCommand,
    },
    /// Pause or resume polling a source.
    Source {
        #[command(subcommand)]
        command: SourceCommand,
    },
    /// Inspect the outbox or resend a dead alert.
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// Stop all alerts to an e-mail address in a municipality.
    Contact {
        #[command(subcommand)]
        command: ContactCommand,
    },
    /// Alerts by kind, channel and outcome for a period, and subscribed citizens.
    Report {
        #[arg(long)]
        tenant: String,
        /// First day, YYYY-MM-DD.
        #[arg(long)]
        from: chrono::NaiveDate,
        /// Last day (inclusive), YYYY-MM-DD.
        #[arg(long)]
        to: chrono::NaiveDate,
        #[arg(long, default_value = "csv", value_parser = ["csv", "json"])]
        format: String,
    },
    /// Check a source's endpoint against the adapter protocol, check by check.
    Adapter {
        #[command(subcommand)]
        command: AdapterCommand,
    },
    /// The alerts that would go out on a day: the sources are read and the rules run as
    /// of DATE, and each alert is printed (kind, channel, masked recipient, text).
    /// Nothing is stored or sent.
    Preview {
        #[arg(long)]
        tenant: String,
        /// The day to preview, YYYY-MM-DD.
        #[arg(long)]
        at: chrono::NaiveDate,
        /// Only this source.
        #[arg(long)]
        source: Option<String>,
        /// Only this person (a registry person reference; also from HLIDAC_PERSON_REF).
        #[arg(long, env = "HLIDAC_PERSON_REF", hide_env_values = true)]
        person: Option<String>,
    },
    /// Apply one report from the mail system read on standard input (a DSN or an ARF
    /// complaint, as Postfix's pipe transport or an alias delivers it): the alert its
    /// return path names is marked bounced, the address undeliverable or unsubscribed.
    /// Exits 0 whatever the report (the mail system must not retry it).
    Bounce {
        /// The address it was delivered to (Postfix: `${recipient}`).
        #[arg(long)]
        recipient: Option<String>,
    },
    /// The audit log of admin actions, newest first.
    Audit {
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Print the version.
    Version,
}

#[derive(Subcommand, Debug)]
pub enum AdapterCommand {
    /// Run the conformance checks against a configured http source; exits 1 on a failure.
    Check {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        source: String,
        /// A test person the municipality agreed to (repeatable).
        #[arg(long = "person-ref")]
        person_refs: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum SourceCommand {
    Pause {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        source: String,
    },
    Resume {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        source: String,
    },
    /// Poll a source now, once, and print what changed as JSON (exit 1 when it fails).
    Poll {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        source: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum OutboxCommand {
    List {
        #[arg(long)]
        tenant: Option<String>,
        /// queued, sending, sent, failed, dead, suppressed, expired, would_send
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Queue a dead or failed alert again.
    Resend { id: String },
}

#[derive(Subcommand, Debug)]
pub enum ContactCommand {
    Suppress {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum CitizenCommand {
    /// Enrol a citizen with a verified e-mail address and all alerts on.
    Add {
        #[arg(long)]
        tenant: String,
        /// The registry person reference the municipality's systems know the citizen by.
        /// Stored only as a keyed hash and sealed; may also come from HLIDAC_PERSON_REF.
        #[arg(
            long,
            env = "HLIDAC_PERSON_REF",
            hide_env_values = true,
            required_unless_present = "matching",
            conflicts_with = "matching"
        )]
        person_ref: Option<String>,
        /// Instead of a person reference: find the person in the tenant's registry source,
        /// as an eID login does (repeatable `key=value`: scheme and identifier, and
        /// given_name, family_name, date_of_birth to confirm). Nothing of it is printed.
        #[arg(long = "match", id = "matching", value_name = "KEY=VALUE", value_parser = key_value)]
        matching: Vec<(String, String)>,
        #[arg(long)]
        email: String,
        /// A mobile number for SMS alerts, in international form (+420…).
        #[arg(long)]
        phone: Option<String>,
        /// cs or en; the tenant's locale when unset.
        #[arg(long)]
        locale: Option<String>,
        /// The citizen's own SMS quiet hours, "HH:MM-HH:MM" (else the municipality's).
        #[arg(long)]
        quiet_hours: Option<String>,
        /// "immediate" (default) or "daily": one digest a day per channel.
        #[arg(long)]
        delivery: Option<String>,
    },
    /// List enrolled citizens (addresses masked).
    List {
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Remove a citizen and everything personal; pending alerts are suppressed.
    Remove { id: String },
    /// Enrol many citizens from a file of `person_ref,email[,locale]` lines (`#` starts
    /// a comment); a line that fails is reported with its number and the rest go on.
    Import {
        #[arg(long)]
        tenant: String,
        file: std::path::PathBuf,
    },
    /// Follow a document by its registration index and access code (Bulgarian document
    /// tracking), for a citizen, through an http source of submissions.
    Track {
        #[arg(long)]
        citizen: String,
        #[arg(long)]
        source: String,
        /// The registration index, for example "94-00-123/12.03.2026".
        #[arg(long)]
        index: String,
        /// The access code the filer received; may also come from HLIDAC_ACCESS_CODE.
        #[arg(long, env = "HLIDAC_ACCESS_CODE", hide_env_values = true)]
        code: String,
    },
}

pub fn main(cli: Cli) -> ExitCode {
    if let Command::Version = cli.command {
        println!(
            "hlidac {} (adapter protocol {})",
            env!("CARGO_PKG_VERSION"),
            hlidac_adapters::PROTOCOL
        );
        return ExitCode::SUCCESS;
    }
    let overrides = Overrides {
        state_dir: cli.state_dir.clone(),
        database_url: cli.database_url.clone(),
        listen: cli.listen.clone(),
        ..Overrides::from_env()
    };
    let config = match crate::settings::load(&cli.config, &overrides) {
        Ok(c) => c,
        Err(errors) => {
            eprint!("{errors}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    if let Command::CheckConfig = cli.command {
        println!(
            "{}: ok ({} tenant(s), {} source(s))",
            cli.config.display(),
            config.tenants.len(),
            config
                .tenants
                .iter()
                .map(|t| t.sources.len())
                .sum::<usize>()
        );
        for note in crate::identity::oidc::config_notes(&config.identity) {
            println!("note: {note}");
        }
        return ExitCode::SUCCESS;
    }
    init_logging(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let reload_path = cli.config.clone();
    let reload_overrides = overrides.clone();
    let reload = move || {
        crate::settings::load(&reload_path, &reload_overrides).map_err(|e| anyhow::anyhow!("{e}"))
    };
    match runtime.block_on(execute(cli.command, config, Box::new(reload))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HLIDAC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&config.log.level));
    use std::io::IsTerminal;
    // Colours only for a person at a terminal; never into the journal or a file.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    // Text and journald lines escape outside values in one field formatter; JSON escapes
    // by being JSON.
    use crate::ops::logfmt::EscapedFields;
    let _ = match config.log.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.fmt_fields(EscapedFields).try_init(),
        LogFormat::Journald => builder
            .fmt_fields(EscapedFields)
            .without_time()
            .with_ansi(false)
            .try_init(),
    };
}

type Reload = Box<dyn Fn() -> anyhow::Result<Config> + Send + Sync>;

async fn execute(command: Command, config: Config, reload: Reload) -> anyhow::Result<()> {
    match command {
        Command::Run => {
            let shutdown = CancellationToken::new();
            tokio::spawn(crate::ops::cancel_on_signal(shutdown.clone()));
            let control = crate::Control {
                shutdown,
                reload: Some(reload),
            };
            crate::run_with(config, Arc::new(SystemClock), control).await
        }
        Command::Migrate => {
            let store =
                Store::connect(&config.database_url(), config.database.max_connections).await?;
            let applied = store.migrate().await?;
            println!("migrations applied: {applied} new");
            Ok(())
        }
        Command::Citizen { command } => citizen(command, config).await,
        Command::Adapter {
            command:
                AdapterCommand::Check {
                    tenant,
                    source,
                    person_refs,
                },
        } => adapter_check(&config, &tenant, &source, &person_refs).await,
        Command::Preview {
            tenant,
            at,
            source,
            person,
        } => {
            let app = App::new(config, Arc::new(SystemClock)).await?;
            let scope = crate::watch::preview::PreviewScope {
                at,
                source: source.as_deref(),
                person_ref: person.as_deref(),
            };
            print!(
                "{}",
                crate::ops::preview::preview(&app.watch, &tenant, &scope).await?
            );
            app.store.close().await;
            Ok(())
        }
        Command::Bounce { recipient } => {
            use std::io::Read;
            let limit = crate::notify::feedback::MAX_REPORT_BYTES;
            let mut raw = Vec::new();
            std::io::stdin()
                .take(limit as u64 + 1)
                .read_to_end(&mut raw)?;
            let app = App::new(config, Arc::new(SystemClock)).await?;
            let taken = crate::ops::bounce::take(
                &app.config,
                &app.store,
                &app.crypto,
                &raw,
                recipient.as_deref(),
                app.clock.now_ms(),
            )
            .await;
            app.store.close().await;
            println!("{:?}", taken?);
            Ok(())
        }
        Command::CheckConfig | Command::Version => Ok(()),
        other => admin(other, config).await,
    }
}

async fn citizen(command: CitizenCommand, config: Config) -> anyhow::Result<()> {
    let app = App::new(config, Arc::new(SystemClock)).await?;
    match command {
        CitizenCommand::Add {
            tenant,
            person_ref,
            matching,
            email,
            phone,
            locale,
            quiet_hours,
            delivery,
        } => {
            let person_ref = match person_ref {
                Some(r) => r,
                None => {
                    let r = app.match_person(&tenant, &matching).await?;
                    println!("the registry of {tenant} knows the person");
                    r
                }
            };
            let (id, created) = app
                .enrol(&tenant, &person_ref, &email, locale.as_deref())
                .await?;
            if let Some(phone) = &phone {
                app.add_phone(&id, phone).await?;
            }
            if quiet_hours.is_some() || delivery.is_some() {
                app.set_preferences(&id, quiet_hours.as_deref(), delivery.as_deref())
                    .await?;
            }
            if created {
                println!("enrolled citizen {id} in {tenant}");
            } else {
                println!("citizen {id} in {tenant} was already enrolled; contact added if new");
            }
        }
        CitizenCommand::List { tenant } => {
            println!("{:<32}  {:<16}  {:<6}  e-mail", "id", "tenant", "locale");
            for c in app.store.list_citizens(tenant.as_deref()).await? {
                let email = c
                    .email_enc
                    .as_deref()
                    .and_then(|e| app.crypto.open(e).ok())
                    .map(|e| mask_email(&e))
                    .unwrap_or_else(|| "-".into());
                println!(
                    "{:<32}  {:<16}  {:<6}  {}",
                    c.id,
                    c.tenant_id,
                    c.locale.as_deref().unwrap_or("-"),
                    email
                );
            }
        }
        CitizenCommand::Track {
            citizen,
            source,
            index,
            code,
        } => {
            let id = app.track(&citizen, &source, &index, &code).await?;
            println!("citizen {citizen} follows the document ({id})");
        }
        CitizenCommand::Import { tenant, file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("while reading {}", file.display()))?;
            let (mut enrolled, mut failed) = (0usize, 0usize);
            for (no, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let fields: Vec<&str> = line.split(',').map(str::trim).collect();
                let result = match fields.as_slice() {
                    [person_ref, email] => app.enrol(&tenant, person_ref, email, None).await,
                    [person_ref, email, locale] => {
                        app.enrol(&tenant, person_ref, email, Some(locale)).await
                    }
                    _ => Err(anyhow::anyhow!("expected person_ref,email[,locale]")),
                };
                match result {
                    Ok(_) => enrolled += 1,
                    Err(e) => {
                        failed += 1;
                        // The line itself is not echoed: it holds a person reference.
                        eprintln!("{}:{}: {e:#}", file.display(), no + 1);
                    }
                }
            }
            println!("enrolled {enrolled} citizen(s) in {tenant}, {failed} line(s) failed");
            if failed > 0 {
                app.store.close().await;
                anyhow::bail!("{failed} line(s) of {} failed", file.display());
            }
        }
        CitizenCommand::Remove { id } => {
            if app.store.remove_citizen(&id, app.clock.now_ms()).await? {
                println!("removed citizen {id}");
            } else {
                anyhow::bail!("no citizen with id {id}");
            }
        }
    }
    app.store.close().await;
    Ok(())
}

pub use crate::ops::preview::mask_email;

/// Admin commands, run as the local administrator and written to the audit log.
async fn admin(command: Command, config: Config) -> anyhow::Result<()> {
    use crate::ops::admin::{Admin, Caller};
    let app = App::new(config, Arc::new(SystemClock)).await?;
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    let admin = Admin {
        config: &app.config,
        store: &app.store,
        clock: app.clock.as_ref(),
        crypto: &app.crypto,
        caller: Caller {
            name: format!("cli:{user}"),
            role: crate::config::Role::Admin,
        },
    };
    match command {
        Command::Source { command } => {
            let (tenant, source, paused) = match command {
                SourceCommand::Pause { tenant, source } => (tenant, source, true),
                SourceCommand::Resume { tenant, source } => (tenant, source, false),
                SourceCommand::Poll { tenant, source } => {
                    let started = std::time::Instant::now();
                    let outcome = app.poll_source(&tenant, &source).await;
                    app.store.close().await;
                    let o = outcome?;
                    println!(
                        "{}",
                        serde_json::json!({
                            "tenant": tenant, "source": source, "paused": o.paused,
                            "records": o.records, "changed": o.changed, "events": o.events,
                            "alerts": o.alerts,
                            "seconds": (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
                        })
                    );
                    return Ok(());
                }
            };
            admin.set_paused(&tenant, &source, paused).await?;
            println!(
                "{tenant}/{source}: {}",
                if paused { "paused" } else { "polling" }
            );
        }
        Command::Outbox {
            command:
                OutboxCommand::List {
                    tenant,
                    state,
                    limit,
                },
        } => {
            println!(
                "{:<32}  {:<12}  {:<26}  {:<10}  {:>8}  last error",
                "id", "tenant", "kind", "state", "attempts"
            );
            for e in admin
                .outbox(tenant.as_deref(), state.as_deref(), limit)
                .await?
            {
                println!(
                    "{:<32}  {:<12}  {:<26}  {:<10}  {:>8}  {}",
                    e.id,
                    e.tenant_id,
                    e.kind,
                    e.state,
                    e.attempts,
                    e.last_error.unwrap_or_default()
                        + &e.fallback_of
                            .map_or(String::new(), |f| format!(" (SMS for e-mail {f})"))
                );
            }
        }
        Command::Outbox {
            command: OutboxCommand::Resend { id },
        } => {
            admin.resend(&id).await?;
            println!("{id}: queued again");
        }
        Command::Contact {
            command: ContactCommand::Suppress { tenant, email },
        } => {
            let n = admin.suppress(&tenant, &email).await?;
            println!("suppressed {n} contact(s)");
        }
        Command::Report {
            tenant,
            from,
            to,
            format,
        } => {
            let report = admin.report(&tenant, from, to).await?;
            if format == "json" {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.to_csv());
            }
        }
        Command::Audit { limit } => {
            for e in admin.audit_log(limit).await? {
                let at = chrono::DateTime::from_timestamp_millis(e.at)
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_default();
                println!(
                    "{at}  {:<20}  {:<8}  {:<16}  {:<24}  {}",
                    e.actor, e.role, e.action, e.target, e.outcome
                );
            }
        }
        _ => {}
    }
    app.store.close().await;
    Ok(())
}

async fn adapter_check(
    config: &Config,
    tenant: &str,
    source: &str,
    person_refs: &[String],
) -> anyhow::Result<()> {
    use crate::config::AdapterConfig;
    let t = config
        .tenant(tenant)
        .ok_or_else(|| anyhow::anyhow!("no tenant {tenant:?}"))?;
    let s = t
        .source(source)
        .ok_or_else(|| anyhow::anyhow!("no source {source:?} in {tenant}"))?;
    let AdapterConfig::Http(h) = &s.adapter else {
        anyhow::bail!("only http sources can be checked; {tenant}/{source} is not one");
    };
    let token = crate::app::http_token(h)?;
    let kinds = s.record_kinds();
    let target = hlidac_adapters::check::Target {
        base_url: &h.base_url,
        token: token.as_deref(),
        timeout: std::time::Duration::from_secs(h.timeout_secs),
        kinds: &kinds,
        person_refs,
        tls: crate::app::client_tls(h)?,
    };
    let checks = hlidac_adapters::check::run(&target).await;
    for c in &checks {
        println!("{c}");
    }
    let failed = checks.iter().filter(|c| !c.passed).count();
    println!("{} passed, {failed} failed", checks.len() - failed);
    if failed > 0 {
        std::process::exit(1);
    }
    Ok(())
}

/// `key=value` of `--match`.
fn key_value(arg: &str) -> Result<(String, String), String> {
    arg.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.to_string()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| "expected KEY=VALUE, e.g. scheme=rs-umcn".to_string())
}
