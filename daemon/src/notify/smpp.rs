//! An SMPP 3.4 client: one transceiver link to the SMSC, kept bound by a supervisor that
//! reconnects with backoff; submit_sm requests share a window of outstanding requests;
//! enquire_link, asked at once after each bind and then on an idle link, keeps it alive
//! and times it (one of several providers that binds no more, or answers more slowly than
//! `dispatch.slow_ms`, is demoted: [`super::failover`]); delivery receipts (deliver_sm)
//! are written to the store, under the provider's name, before they are acknowledged, so
//! none is lost to a crash.

use super::smpp_pdu::*;
pub use super::smpp_pdu::{read_incoming, Receipt};
use crate::clock::Clock;
use crate::config::SmppConfig;
use crate::notify::SendError;
use crate::store::Store;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::{oneshot, watch, Semaphore};
use tokio_util::sync::CancellationToken;

/// "ESME receiver temporary app error": the SMSC delivers the PDU again later.
const ESME_RX_T_APPN: u32 = 0x64;

/// One bound link: the write half, the requests awaiting a response, the window.
struct Link {
    writer: tokio::sync::Mutex<OwnedWriteHalf>,
    pending: Mutex<HashMap<u32, oneshot::Sender<Pdu>>>,
    window: Semaphore,
    sequence: AtomicU32,
    closed: CancellationToken,
    /// Its enquire_link was last answered within `dispatch.slow_ms`.
    quick: AtomicBool,
}

impl Link {
    fn next_sequence(&self) -> u32 {
        // 1..=0x7FFFFFFF, as SMPP requires.
        (self.sequence.fetch_add(1, Ordering::Relaxed) % 0x7FFF_FFFF) + 1
    }

    async fn write(&self, bytes: &[u8]) -> std::io::Result<()> {
        let mut w = self.writer.lock().await;
        w.write_all(bytes).await
    }

    /// Sends a request and waits for its response, holding a window slot meanwhile.
    async fn request(&self, command: u32, body: &[u8], timeout: Duration) -> Result<Pdu, String> {
        let _slot = tokio::time::timeout(timeout, self.window.acquire())
            .await
            .map_err(|_| "SMPP: the window stayed full".to_string())?
            .map_err(|_| "SMPP: link closed".to_string())?;
        let sequence = self.next_sequence();
        let (tx, rx) = oneshot::channel();
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(sequence, tx);
        let sent = self.write(&pdu_bytes(command, 0, sequence, body)).await;
        let result = match sent {
            Err(e) => Err(format!("SMPP: cannot write to the SMSC: {e}")),
            Ok(()) => tokio::select! {
                r = rx => r.map_err(|_| "SMPP: link lost before the response".to_string()),
                _ = tokio::time::sleep(timeout) => Err("SMPP: no response in time".to_string()),
                _ = self.closed.cancelled() => Err("SMPP: link lost before the response".to_string()),
            },
        };
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&sequence);
        if result.is_err() {
            // A lost response leaves the link in doubt: start over on a new one.
            self.closed.cancel();
        }
        result
    }
}

/// Who this SMSC is among several, and what a failing or slow one tells.
#[derive(Clone)]
pub struct Named {
    /// The provider's name, under which its receipts are matched.
    pub name: String,
    /// Where a refused bind or a slow link demotes it (none: the only provider).
    pub demotions: Option<Arc<super::failover::Demotions>>,
    /// Slower than this, an enquire_link demotes the link.
    pub slow: Duration,
}

impl Named {
    /// One of several providers: a send does not wait on a link that failed or is slow.
    fn several(&self) -> bool {
        self.demotions.is_some()
    }
}

/// Everything the supervisor needs, shared with nobody else.
struct Supervisor {
    named: Named,
    /// Counts refused binds and slow links, so that a waiting send stops waiting.
    trouble: watch::Sender<u32>,
    config: SmppConfig,
    password: String,
    store: Store,
    clock: Arc<dyn Clock>,
    link: watch::Sender<Option<Arc<Link>>>,
    shutdown: CancellationToken,
}

pub struct SmppClient {
    config: SmppConfig,
    several: bool,
    link: watch::Receiver<Option<Arc<Link>>>,
    trouble: watch::Receiver<u32>,
    supervisor: Mutex<Option<Supervisor>>,
    started: AtomicBool,
    reference: AtomicU8,
    shutdown: CancellationToken,
}

impl Drop for SmppClient {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl SmppClient {
    pub fn new(
        config: &SmppConfig,
        named: Named,
        store: Store,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<SmppClient> {
        use anyhow::Context;
        let password = crate::config::read_secret(config.password_file.as_deref(), "smpp.password")
            .context("while reading the SMPP password (sms.smpp.password_file)")?;
        let (tx, rx) = watch::channel(None);
        let (trouble_tx, trouble) = watch::channel(0);
        let shutdown = CancellationToken::new();
        Ok(SmppClient {
            config: config.clone(),
            several: named.several(),
            link: rx,
            trouble,
            supervisor: Mutex::new(Some(Supervisor {
                trouble: trouble_tx,
                named,
                config: config.clone(),
                password,
                store,
                clock,
                link: tx,
                shutdown: shutdown.clone(),
            })),
            started: AtomicBool::new(false),
            reference: AtomicU8::new(rand::random()),
            shutdown,
        })
    }

    /// Starts keeping the link bound (once); receipts are read from then on.
    pub fn start(&self) {
        if self.started.swap(true, Ordering::SeqCst) {
            return;
        }
        let taken = self
            .supervisor
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(s) = taken {
            tokio::spawn(s.run());
        }
    }

    fn timeout(&self) -> Duration {
        Duration::from_secs(self.config.timeout_secs)
    }

    /// Bound, and its link answers quickly: a send would go out at once.
    pub fn is_ready(&self) -> bool {
        self.link
            .borrow()
            .as_ref()
            .is_some_and(|l| !l.closed.is_cancelled() && l.quick.load(Ordering::Acquire))
    }

    /// Waits (up to the time-out) for a bound link. With `strict` (one of several
    /// providers, another left to try), it waits for a link that answered its
    /// enquire_link quickly, and stops waiting at a refused bind or a slow answer: the
    /// message goes on to the next provider.
    async fn bound(&self, strict: bool) -> Result<Arc<Link>, SendError> {
        self.start();
        let mut rx = self.link.clone();
        let mut trouble = self.trouble.clone();
        trouble.mark_unchanged();
        let several = self.several && strict;
        let wait = async {
            let link = rx.wait_for(|l| {
                l.as_ref().is_some_and(|l| {
                    !l.closed.is_cancelled() && (!several || l.quick.load(Ordering::Acquire))
                })
            });
            let failed = async {
                if !several || trouble.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
            };
            tokio::select! {
                l = link => l.ok().and_then(|l| l.as_ref().cloned()),
                () = failed => None,
            }
        };
        match tokio::time::timeout(self.timeout(), wait).await {
            Ok(Some(link)) => Ok(link),
            _ => Err(SendError::Temporary(format!(
                "SMPP: not bound to {}:{}",
                self.config.host, self.config.port
            ))),
        }
    }

    /// Submits a text, a submit_sm per part; returns the SMSC's message id of each part.
    /// `strict`: see [`Self::bound`].
    pub async fn send(
        &self,
        _alert_id: &str,
        sender: &str,
        to: &str,
        text: &str,
        strict: bool,
    ) -> Result<Vec<String>, SendError> {
        let link = self.bound(strict).await?;
        let reference = self.reference.fetch_add(1, Ordering::Relaxed);
        let encoded = crate::notify::sms::encode(text, reference);
        let mut ids = Vec::with_capacity(encoded.parts.len());
        for part in &encoded.parts {
            let body = submit_sm(
                sender,
                to,
                encoded.concatenated(),
                self.config.delivery_receipts,
                encoded.data_coding,
                part,
            );
            let resp = link
                .request(SUBMIT_SM, &body, self.timeout())
                .await
                .map_err(SendError::Temporary)?;
            match resp.status {
                0 => {
                    let id = message_id(&resp.body);
                    ids.push(id);
                }
                s if is_temporary(s) => {
                    return Err(SendError::Temporary(format!(
                        "SMPP: refused for now: {}",
                        status_name(s)
                    )))
                }
                s => {
                    return Err(SendError::Permanent(format!(
                        "SMPP: refused: {}",
                        status_name(s)
                    )))
                }
            }
        }
        Ok(ids)
    }
}

impl Supervisor {
    /// Binds, serves the link until it breaks, and binds again after a backoff (1 s
    /// doubling to `reconnect_max_secs`) until the client is dropped.
    async fn run(self) {
        let mut backoff = Duration::from_secs(1);
        let max = Duration::from_secs(self.config.reconnect_max_secs.max(1));
        loop {
            if self.shutdown.is_cancelled() {
                return;
            }
            match self.bind().await {
                Ok((link, reader)) => {
                    tracing::info!(host = %self.config.host, port = self.config.port, "SMPP link bound");
                    backoff = Duration::from_secs(1);
                    let _ = self.link.send(Some(link.clone()));
                    self.serve(&link, reader).await;
                    let _ = self.link.send(None);
                    link.closed.cancel();
                    if self.shutdown.is_cancelled() {
                        return;
                    }
                    tracing::warn!(host = %self.config.host, "SMPP link lost; binding again");
                }
                Err(e) => {
                    tracing::warn!(host = %self.config.host, port = self.config.port,
                        retry_in_s = backoff.as_secs(), "SMPP: {e}");
                    self.trouble(&e);
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = self.shutdown.cancelled() => return,
            }
            backoff = (backoff * 2).min(max);
        }
    }

    /// A refused bind or a slow link: demoted, when one of several, and a waiting send
    /// told.
    fn trouble(&self, why: &str) {
        if let Some(d) = &self.named.demotions {
            d.demote(&self.named.name, why);
            self.trouble.send_modify(|n| *n = n.wrapping_add(1));
        }
    }

    async fn bind(&self) -> Result<(Arc<Link>, tokio::net::tcp::OwnedReadHalf), String> {
        let timeout = Duration::from_secs(self.config.timeout_secs);
        let addr = (self.config.host.as_str(), self.config.port);
        let tcp = tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr))
            .await
            .map_err(|_| "time-out while connecting".to_string())?
            .map_err(|e| format!("cannot connect: {e}"))?;
        let _ = tcp.set_nodelay(true);
        let (mut reader, writer) = tcp.into_split();
        let mut body = Vec::new();
        cstr(&mut body, &self.config.system_id);
        cstr(&mut body, &self.password);
        cstr(&mut body, &self.config.system_type);
        body.extend([0x34, 0, 0]);
        cstr(&mut body, "");
        let link = Arc::new(Link {
            writer: tokio::sync::Mutex::new(writer),
            pending: Mutex::new(HashMap::new()),
            window: Semaphore::new(self.config.window.max(1) as usize),
            sequence: AtomicU32::new(0),
            closed: CancellationToken::new(),
            quick: AtomicBool::new(false),
        });
        let sequence = link.next_sequence();
        link.write(&pdu_bytes(BIND_TRANSCEIVER, 0, sequence, &body))
            .await
            .map_err(|e| format!("cannot write: {e}"))?;
        let resp = tokio::time::timeout(timeout, read_pdu(&mut reader))
            .await
            .map_err(|_| "no answer to bind_transceiver".to_string())?
            .map_err(|e| format!("while binding: {e}"))?;
        if resp.command != BIND_TRANSCEIVER | RESPONSE || resp.sequence != sequence {
            return Err(format!(
                "unexpected answer to bind_transceiver: command 0x{:08X}",
                resp.command
            ));
        }
        if resp.status != 0 {
            return Err(format!(
                "bind refused: {}; check sms.smpp.system_id and sms.smpp.password_file",
                status_name(resp.status)
            ));
        }
        Ok((link, reader))
    }

    /// Reads PDUs until the link breaks or the client is dropped; keeps the link alive
    /// with enquire_link.
    async fn serve(&self, link: &Arc<Link>, mut reader: tokio::net::tcp::OwnedReadHalf) {
        let idle = Duration::from_secs(self.config.enquire_link_secs.max(1));
        let timeout = Duration::from_secs(self.config.timeout_secs);
        // The first enquire_link goes at once: a link that answers slowly is demoted
        // before a message waits on it.
        let keepalive = {
            let link = link.clone();
            let this = self;
            async move {
                loop {
                    let asked = std::time::Instant::now();
                    if link.request(ENQUIRE_LINK, &[], timeout).await.is_err() {
                        return;
                    }
                    let took = asked.elapsed();
                    let quick = took <= this.named.slow;
                    if link.quick.swap(quick, Ordering::AcqRel) != quick {
                        // Sends waiting for a quick link look again.
                        this.link.send_modify(|_| {});
                    }
                    if !quick {
                        this.trouble(&format!("enquire_link answered in {} ms", took.as_millis()));
                    }
                    tokio::time::sleep(idle).await;
                }
            }
        };
        let read = async {
            loop {
                let pdu = match read_pdu(&mut reader).await {
                    Ok(p) => p,
                    Err(e) => {
                        tracing::debug!("SMPP read ended: {e}");
                        return;
                    }
                };
                // Responses, generic_nack included, go to the request that waits.
                if pdu.command & RESPONSE != 0 {
                    let waiting = link
                        .pending
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .remove(&pdu.sequence);
                    if let Some(tx) = waiting {
                        let _ = tx.send(pdu);
                    }
                    continue;
                }
                let (status, body) = match pdu.command {
                    ENQUIRE_LINK => (0, Vec::new()),
                    DELIVER_SM => (self.receipt(&pdu.body).await, vec![0]),
                    UNBIND => {
                        let _ = link
                            .write(&pdu_bytes(UNBIND | RESPONSE, 0, pdu.sequence, &[]))
                            .await;
                        return;
                    }
                    _ => {
                        let nack = pdu_bytes(GENERIC_NACK, 0x03, pdu.sequence, &[]);
                        if link.write(&nack).await.is_err() {
                            return;
                        }
                        continue;
                    }
                };
                let resp = pdu_bytes(pdu.command | RESPONSE, status, pdu.sequence, &body);
                if link.write(&resp).await.is_err() {
                    return;
                }
            }
        };
        tokio::select! {
            _ = read => {}
            _ = keepalive => {}
            _ = link.closed.cancelled() => {}
            _ = self.shutdown.cancelled() => {
                let unbind = pdu_bytes(UNBIND, 0, link.next_sequence(), &[]);
                let _ = tokio::time::timeout(Duration::from_secs(1), link.write(&unbind)).await;
            }
        }
        let mut w = link.writer.lock().await;
        let _ = w.shutdown().await;
    }

    /// Records a receipt; the status for the deliver_sm_resp: 0, or "try again" when the
    /// store failed or does not know the message yet (a fast SMSC's receipt can come
    /// before the send's record, written with the batch it finishes in), so the SMSC
    /// delivers the receipt again later, as its retry policy says.
    async fn receipt(&self, body: &[u8]) -> u32 {
        let Some(r) = parse_receipt(body) else {
            return 0;
        };
        let now = self.clock.now_ms();
        match self
            .store
            .record_receipt(&self.named.name, &r.reference, r.delivered, &r.detail, now)
            .await
        {
            Ok(true) => 0,
            Ok(false) => {
                tracing::debug!("SMPP receipt for a message not recorded (yet): asked again");
                ESME_RX_T_APPN
            }
            Err(e) => {
                tracing::warn!("SMPP receipt not recorded: {e}");
                0x08
            }
        }
    }
}
