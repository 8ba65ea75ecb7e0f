//! The SMPP 3.4 wire format as hlidac speaks it: PDU headers and bodies, the submit_sm it
//! sends, and the delivery receipts it reads from deliver_sm (from TLVs or the receipt
//! text). Reading is bounded: a PDU longer than 64 KiB or shorter than its header stops
//! the link. [`read_incoming`] runs the link's reader over bytes, for the fuzz target.

use tokio::io::{AsyncRead, AsyncReadExt};

pub(super) const GENERIC_NACK: u32 = 0x8000_0000;
pub(super) const BIND_TRANSCEIVER: u32 = 0x0000_0009;
pub(super) const SUBMIT_SM: u32 = 0x0000_0004;
pub(super) const DELIVER_SM: u32 = 0x0000_0005;
pub(super) const UNBIND: u32 = 0x0000_0006;
pub(super) const ENQUIRE_LINK: u32 = 0x0000_0015;
pub(super) const RESPONSE: u32 = 0x8000_0000;

pub(super) const TLV_RECEIPTED_MESSAGE_ID: u16 = 0x001E;
pub(super) const TLV_MESSAGE_STATE: u16 = 0x0427;

/// The longest PDU accepted from the SMSC.
pub(super) const MAX_PDU: usize = 64 * 1024;

/// A PDU as read: command, status, sequence and body.
#[derive(Debug)]
pub(super) struct Pdu {
    pub(super) command: u32,
    pub(super) status: u32,
    pub(super) sequence: u32,
    pub(super) body: Vec<u8>,
}

pub(super) fn pdu_bytes(command: u32, status: u32, sequence: u32, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + body.len());
    out.extend_from_slice(&((16 + body.len()) as u32).to_be_bytes());
    out.extend_from_slice(&command.to_be_bytes());
    out.extend_from_slice(&status.to_be_bytes());
    out.extend_from_slice(&sequence.to_be_bytes());
    out.extend_from_slice(body);
    out
}

pub(super) fn cstr(out: &mut Vec<u8>, s: &str) {
    out.extend(s.bytes().filter(|b| *b != 0));
    out.push(0);
}

/// The message id of a submit_sm_resp body.
pub(super) fn message_id(body: &[u8]) -> String {
    Fields { rest: body }.cstr().unwrap_or_default()
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
pub(super) fn parse_receipt(body: &[u8]) -> Option<Receipt> {
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
pub(super) fn is_temporary(status: u32) -> bool {
    matches!(status, 0x08 | 0x14 | 0x45 | 0x58 | 0x64)
}

pub(super) fn status_name(status: u32) -> String {
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

/// A submit_sm body. Alphanumeric senders go as TON 5; numbers and recipients as
/// international (TON 1, NPI 1) without the `+`.
pub(super) fn submit_sm(
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

pub(super) async fn read_pdu<R: AsyncRead + Unpin>(reader: &mut R) -> std::io::Result<Pdu> {
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
