//! An SMPP 3.4 client: one transceiver link to the SMSC, kept bound by a supervisor that
//! reconnects with backoff; submit_sm requests share a window of outstanding requests;
//! enquire_link keeps an idle link alive; delivery receipts (deliver_sm) are written to
//! the store before they are acknowledged, so none is lost to a crash.

use crate::clock::Clock;
use crate::config::SmppConfig;
use crate::notify::SendError;
use crate::store::Store;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::{oneshot, watch, Semaphore};
use tokio_util::sync::CancellationToken;

const GENERIC_NACK: u32 = 0x8000_0000;
const BIND_TRANSCEIVER: u32 = 0x0000_0009;
const SUBMIT_SM: u32 = 0x0000_0004;
const DELIVER_SM: u32 = 0x0000_0005;
const UNBIND: u32 = 0x0000_0006;
const ENQUIRE_LINK: u32 = 0x0000_0015;
const RESPONSE: u32 = 0x8000_0000;

const TLV_RECEIPTED_MESSAGE_ID: u16 = 0x001E;
const TLV_MESSAGE_STATE: u16 = 0x0427;

/// The longest PDU accepted from the SMSC.
const MAX_PDU: usize = 64 * 1024;

/// A PDU as read: command, status, sequence and body.
#[derive(Debug)]
struct Pdu {
    command: u32,
    status: u32,
    sequence: u32,
    body: Vec<u8>,
}

fn pdu_bytes(command: u32, status: u32, sequence: u32, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + body.len());
    out.extend_from_slice(&((16 + body.len()) as u32).to_be_bytes());
    out.extend_from_slice(&command.to_be_bytes());
    out.extend_from_slice(&status.to_be_bytes());
    out.extend_from_slice(&sequence.to_be_bytes());
    out.extend_from_slice(body);
    out
}

fn cstr(out: &mut Vec<u8>, s: &str) {
    out.extend(s.bytes().filter(|b| *b != 0));
    out.push(0);
}

/// Reads a body field by field.
struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Fields<'a> {
    fn cstr(&mut self) -> Option<String> {
        let end = self.rest.iter().position(|b| *b == 0)?;
        let s = String::from_utf8_lossy(&self.rest[..end]).into_owned();
        self.rest = &self.rest[end + 1..];
        Some(s)
    }

    fn u8(&mut self) -> Option<u8> {
        let (first, rest) = self.rest.split_first()?;
        self.rest = rest;
        Some(*first)
    }

    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.rest.len() < n {
            return None;
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Some(head)
    }

    fn u16(&mut self) -> Option<u16> {
        let b = self.bytes(2)?;
        Some(u16::from_be_bytes([b[0], b[1]]))
    }
}

/// What a delivery receipt said about one message (one SMS part).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    pub reference: String,
    pub delivered: bool,
    /// The receipt's final state, e.g. `DELIVRD` or `UNDELIV err:001`.
    pub detail: String,
}

/// Reads a deliver_sm body; a receipt with a final state gives a [`Receipt`], anything
/// else (a citizen's reply, an intermediate state) gives `None`.
fn parse_receipt(body: &[u8]) -> Option<Receipt> {
    let mut f = Fields { rest: body };
    f.cstr()?; // service_type
    f.u8()?;
    f.u8()?;
    f.cstr()?; // source_addr
    f.u8()?;
    f.u8()?;
    f.cstr()?; // destination_addr
    let esm_class = f.u8()?;
    f.u8()?; // protocol_id
    f.u8()?; // priority_flag
    f.cstr()?; // schedule_delivery_time
    f.cstr()?; // validity_period
    f.u8()?; // registered_delivery
    f.u8()?; // replace_if_present_flag
    f.u8()?; // data_coding
    f.u8()?; // sm_default_msg_id
    let len = f.u8()? as usize;
    let text = String::from_utf8_lossy(f.bytes(len)?).into_owned();
    if esm_class & 0x3C != 0x04 {
        return None;
    }
    let mut reference = None;
    let mut state = None;
    while let (Some(tag), Some(len)) = (f.u16(), f.u16()) {
        let value = f.bytes(len as usize)?;
        match tag {
            TLV_RECEIPTED_MESSAGE_ID => {
                let end = value.iter().position(|b| *b == 0).unwrap_or(value.len());
                reference = Some(String::from_utf8_lossy(&value[..end]).into_owned());
            }
            TLV_MESSAGE_STATE => state = value.first().copied(),
            _ => {}
        }
    }
    let field = |name: &str| {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .map(str::to_string)
    };
    let reference = reference.or_else(|| field("id:"))?;
    let stat = field("stat:").unwrap_or_default();
    let err = field("err:").unwrap_or_default();
    let delivered = match state {
        Some(2) => true,
        Some(3 | 4 | 5 | 8) => false,
        Some(_) => return None,
        None => match stat.as_str() {
            "DELIVRD" => true,
            "EXPIRED" | "DELETED" | "UNDELIV" | "REJECTD" => false,
            _ => return None,
        },
    };
    let detail = if delivered || err.is_empty() {
        stat
    } else {
        format!("{stat} err:{err}")
    };
    Some(Receipt {
        reference,
        delivered,
        detail,
    })
}

/// SMPP command_status values that are worth trying again later.
fn is_temporary(status: u32) -> bool {
    matches!(status, 0x08 | 0x14 | 0x45 | 0x58 | 0x64)
}

fn status_name(status: u32) -> String {
    let name = match status {
        0x01 => "ESME_RINVMSGLEN",
        0x03 => "ESME_RINVCMDID",
        0x04 => "ESME_RINVBNDSTS",
        0x08 => "ESME_RSYSERR",
        0x0A => "ESME_RINVSRCADR",
        0x0B => "ESME_RINVDSTADR",
        0x0D => "ESME_RBINDFAIL",
        0x0E => "ESME_RINVPASWD",
        0x0F => "ESME_RINVSYSID",
        0x14 => "ESME_RMSGQFUL",
        0x45 => "ESME_RSUBMITFAIL",
        0x58 => "ESME_RTHROTTLED",
        0x64 => "ESME_RX_T_APPN",
        0x65 => "ESME_RX_P_APPN",
        0x66 => "ESME_RX_R_APPN",
        _ => "",
    };
    if name.is_empty() {
        format!("0x{status:08X}")
    } else {
        format!("{name} (0x{status:02X})")
    }
}

/// One bound link: the write half, the requests awaiting a response, the window.
struct Link {
    writer: tokio::sync::Mutex<OwnedWriteHalf>,
    pending: Mutex<HashMap<u32, oneshot::Sender<Pdu>>>,
    window: Semaphore,
    sequence: AtomicU32,
    closed: CancellationToken,
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

/// Everything the supervisor needs, shared with nobody else.
struct Supervisor {
    config: SmppConfig,
    password: String,
    store: Store,
    clock: Arc<dyn Clock>,
    link: watch::Sender<Option<Arc<Link>>>,
    shutdown: CancellationToken,
}

pub struct SmppClient {
    config: SmppConfig,
    link: watch::Receiver<Option<Arc<Link>>>,
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
        store: Store,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<SmppClient> {
        use anyhow::Context;
        let password = crate::app::read_secret(config.password_file.as_deref(), "smpp.password")
            .context("while reading the SMPP password (sms.smpp.password_file)")?;
        let (tx, rx) = watch::channel(None);
        let shutdown = CancellationToken::new();
        Ok(SmppClient {
            config: config.clone(),
            link: rx,
            supervisor: Mutex::new(Some(Supervisor {
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

    /// Waits (up to the time-out) for a bound link.
    async fn bound(&self) -> Result<Arc<Link>, SendError> {
        self.start();
        let mut rx = self.link.clone();
        let wait = async {
            rx.wait_for(|l| l.as_ref().is_some_and(|l| !l.closed.is_cancelled()))
                .await
                .ok()
                .and_then(|l| l.as_ref().cloned())
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
    pub async fn send(
        &self,
        _alert_id: &str,
        sender: &str,
        to: &str,
        text: &str,
    ) -> Result<Vec<String>, SendError> {
        let link = self.bound().await?;
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
                    let id = Fields { rest: &resp.body }.cstr().unwrap_or_default();
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

/// A submit_sm body. Alphanumeric senders go as TON 5; numbers and recipients as
/// international (TON 1, NPI 1) without the `+`.
fn submit_sm(
    sender: &str,
    to: &str,
    concatenated: bool,
    receipts: bool,
    data_coding: u8,
    short_message: &[u8],
) -> Vec<u8> {
    let mut b = Vec::with_capacity(64 + short_message.len());
    cstr(&mut b, ""); // service_type
    let numeric = sender.strip_prefix('+').unwrap_or(sender);
    if numeric.bytes().all(|c| c.is_ascii_digit()) {
        b.extend([1, 1]);
        cstr(&mut b, numeric);
    } else {
        b.extend([5, 0]);
        cstr(&mut b, sender);
    }
    b.extend([1, 1]);
    cstr(&mut b, to.strip_prefix('+').unwrap_or(to));
    b.push(if concatenated { 0x40 } else { 0 }); // esm_class
    b.push(0); // protocol_id
    b.push(0); // priority_flag
    cstr(&mut b, ""); // schedule_delivery_time
    cstr(&mut b, ""); // validity_period
    b.push(u8::from(receipts)); // registered_delivery
    b.push(0); // replace_if_present_flag
    b.push(data_coding);
    b.push(0); // sm_default_msg_id
    b.push(short_message.len() as u8);
    b.extend_from_slice(short_message);
    b
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
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = self.shutdown.cancelled() => return,
            }
            backoff = (backoff * 2).min(max);
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
        let keepalive = {
            let link = link.clone();
            async move {
                loop {
                    tokio::time::sleep(idle).await;
                    if link.request(ENQUIRE_LINK, &[], timeout).await.is_err() {
                        return;
                    }
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

    /// Records a receipt; the status for the deliver_sm_resp (0, or "try again" when the
    /// store failed, so the SMSC delivers the receipt again).
    async fn receipt(&self, body: &[u8]) -> u32 {
        let Some(r) = parse_receipt(body) else {
            return 0;
        };
        let now = self.clock.now_ms();
        match self
            .store
            .record_receipt("smpp", &r.reference, r.delivered, &r.detail, now)
            .await
        {
            Ok(known) => {
                if !known {
                    tracing::debug!("SMPP receipt for a message this store did not send");
                }
                0
            }
            Err(e) => {
                tracing::warn!("SMPP receipt not recorded: {e}");
                0x08
            }
        }
    }
}

async fn read_pdu<R: AsyncRead + Unpin>(reader: &mut R) -> std::io::Result<Pdu> {
    let mut head = [0u8; 16];
    reader.read_exact(&mut head).await?;
    let word = |i: usize| u32::from_be_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
    let len = word(0) as usize;
    if !(16..=MAX_PDU).contains(&len) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("a PDU of {len} bytes"),
        ));
    }
    let mut body = vec![0u8; len - 16];
    reader.read_exact(&mut body).await?;
    Ok(Pdu {
        command: word(4),
        status: word(8),
        sequence: word(12),
        body,
    })
}

/// What the link makes of `bytes` read from the SMSC, without a socket: each PDU's
/// command id and, for a deliver_sm, the receipt it carries; an error where reading stops
/// (a PDU too short, too long or cut off). The same code as the link's (`read_pdu`,
/// `parse_receipt`), for the `smpp` fuzz target.
pub fn read_incoming(mut bytes: &[u8]) -> (Vec<(u32, Option<Receipt>)>, Option<String>) {
    let mut pdus = Vec::new();
    while !bytes.is_empty() {
        // A slice never makes the reader wait, so the future is ready when first polled.
        match futures::executor::block_on(read_pdu(&mut bytes)) {
            Ok(pdu) => {
                let receipt = (pdu.command == DELIVER_SM)
                    .then(|| parse_receipt(&pdu.body))
                    .flatten();
                pdus.push((pdu.command, receipt));
            }
            Err(e) => return (pdus, Some(e.to_string())),
        }
    }
    (pdus, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deliver_sm(esm_class: u8, text: &str, tlvs: &[(u16, &[u8])]) -> Vec<u8> {
        let mut b = Vec::new();
        cstr(&mut b, "");
        b.extend([1, 1]);
        cstr(&mut b, "420601234567");
        b.extend([5, 0]);
        cstr(&mut b, "MESTO");
        b.extend([esm_class, 0, 0]);
        cstr(&mut b, "");
        cstr(&mut b, "");
        b.extend([0, 0, 0, 0, text.len() as u8]);
        b.extend(text.as_bytes());
        for (tag, value) in tlvs {
            b.extend(tag.to_be_bytes());
            b.extend((value.len() as u16).to_be_bytes());
            b.extend(*value);
        }
        b
    }

    #[test]
    fn receipts_are_read_from_tlvs_or_from_the_text() {
        let text = "id:5f3a0001 sub:001 dlvrd:001 submit date:2611232300 done date:2611232300 stat:DELIVRD err:000 text:";
        let r = parse_receipt(&deliver_sm(0x04, text, &[])).expect("a receipt");
        assert_eq!(r.reference, "5f3a0001");
        assert!(r.delivered);
        let r = parse_receipt(&deliver_sm(
            0x04,
            "id:x stat:UNDELIV err:001",
            &[
                (TLV_RECEIPTED_MESSAGE_ID, b"abc\0"),
                (TLV_MESSAGE_STATE, &[5]),
            ],
        ))
        .expect("a receipt");
        assert_eq!(
            r,
            Receipt {
                reference: "abc".into(),
                delivered: false,
                detail: "UNDELIV err:001".into()
            }
        );
        // A citizen's reply is not a receipt; an intermediate state is not final.
        assert_eq!(parse_receipt(&deliver_sm(0x00, "OK", &[])), None);
        assert_eq!(
            parse_receipt(&deliver_sm(0x04, "id:1 stat:ENROUTE err:000", &[])),
            None
        );
        // Truncated bodies are refused, not guessed.
        let full = deliver_sm(0x04, text, &[]);
        for cut in [0, 5, 20, full.len() - 10] {
            assert_eq!(parse_receipt(&full[..cut]), None);
        }
    }

    #[test]
    fn incoming_bytes_are_read_pdu_by_pdu_and_stop_at_a_bad_length() {
        let text = "id:77 sub:001 dlvrd:001 stat:DELIVRD err:000 text:";
        let mut stream = pdu_bytes(ENQUIRE_LINK, 0, 1, &[]);
        stream.extend(pdu_bytes(DELIVER_SM, 0, 2, &deliver_sm(0x04, text, &[])));
        let (pdus, error) = read_incoming(&stream);
        assert_eq!(error, None);
        assert_eq!(pdus.len(), 2);
        assert_eq!(pdus[0], (ENQUIRE_LINK, None));
        assert_eq!(pdus[1].1.as_ref().map(|r| r.reference.as_str()), Some("77"));
        // Cut off inside the second PDU: the first is read, then reading stops.
        let (pdus, error) = read_incoming(&stream[..stream.len() - 3]);
        assert_eq!(pdus.len(), 1);
        assert!(error.is_some());
        // A length below the header's or above the limit is refused before any body.
        for len in [0u32, 15, (MAX_PDU + 1) as u32] {
            let mut bad = pdu_bytes(ENQUIRE_LINK, 0, 3, &[]);
            bad[..4].copy_from_slice(&len.to_be_bytes());
            let (pdus, error) = read_incoming(&bad);
            assert!(pdus.is_empty() && error.is_some_and(|e| e.contains("a PDU of")));
        }
    }

    #[test]
    fn submit_sm_addresses_and_flags() {
        let b = submit_sm("MESTO", "+420601234567", true, true, 8, &[1, 2]);
        let mut f = Fields { rest: &b };
        assert_eq!(f.cstr().as_deref(), Some(""));
        assert_eq!((f.u8(), f.u8()), (Some(5), Some(0)));
        assert_eq!(f.cstr().as_deref(), Some("MESTO"));
        assert_eq!((f.u8(), f.u8()), (Some(1), Some(1)));
        assert_eq!(f.cstr().as_deref(), Some("420601234567"));
        assert_eq!(f.u8(), Some(0x40));
        let b = submit_sm("+420222", "+421900", false, false, 0, b"hi");
        assert!(b.ends_with(&[0, 0, 0, 0, 2, b'h', b'i']));
        assert!(is_temporary(0x58) && !is_temporary(0x0B));
        assert_eq!(status_name(0x0B), "ESME_RINVDSTADR (0x0B)");
    }
}
