#!/usr/bin/env node
// The SMPP 3.4 peer (an SMSC) that hlidac's tests start, built on the npm package `smpp`
// (installed into .peers/node by `scripts/install-deps test`).
//
//   node tests/peers/smpp_server.js [--port N] [--record FILE] [--system-id S] [--password P]
//        [--permanent PREFIX]... [--temporary PREFIX]... [--undeliverable PREFIX]...
//        [--dlr-delay-ms N] [--close-after N] [--answer-delay-ms N]
//
// Listens on 127.0.0.1:N (0, the default, = a free port) and prints one line `{"port": N}`.
//   --system-id/--password  the only credentials a bind accepts (default hlidac/secret);
//                           others get ESME_RINVSYSID (0x0F) / ESME_RINVPASWD (0x0E).
//   --permanent PREFIX      submit_sm to a destination_addr starting with PREFIX is refused
//                           with ESME_RINVDSTADR (0x0B), no receipt.
//   --temporary PREFIX      refused with ESME_RTHROTTLED (0x58), no receipt.
//   --undeliverable PREFIX  accepted, but its receipt says stat:UNDELIV err:001, message_state 5.
//   --dlr-delay-ms N        receipts (when registered_delivery & 1) come N ms after the
//                           submit_sm (default 50), as a deliver_sm with esm_class 0x04, the
//                           text "id:<id> sub:001 dlvrd:001 submit date:YYMMDDhhmm done
//                           date:YYMMDDhhmm stat:DELIVRD err:000 text:<first 20 chars>" and the
//                           TLVs receipted_message_id and message_state (2 or 5). A receipt goes
//                           to the submitting session when it is a bound transceiver, else to a
//                           bound receiver or transceiver of the same system_id; when there is
//                           none it waits for the next such bind.
//   --answer-delay-ms N     every answer (bind, submit_sm, enquire_link) leaves N ms after its
//                           request came: a slow SMSC (default 0).
//   --close-after N         after answering the N-th accepted submit_sm (across sessions), destroy
//                           every open connection, once; the server keeps listening.
// Unbound sessions get ESME_RINVBNDSTS (0x04) for submit_sm. Message ids are a per-process
// counter in hex ("5f3a0001", ...). SIGTERM/SIGINT end it with status 0.
//
// The record file (--record) gets one JSON line per event, written before the answer is sent:
//   submit_sm: {"system_id", "source_addr", "destination_addr", "data_coding", "esm_class",
//               "registered_delivery", "short_message_hex" (raw bytes, UDH included),
//               "message_payload_hex" (or null), "message_id" (null when refused),
//               "status" (the command_status answered), "at" (ms since the epoch)}
//   {"event": "bind", "command", "system_id", "ok", "status", "at"}   each bind attempt
//   {"event": "unbind", "system_id", "at"}
//   {"event": "receipt", "message_id", "message_state", "at"}           each receipt sent
//   {"event": "receipt_resp", "message_id", "status", "at"}             its deliver_sm_resp; a
//                                     non-zero status makes the receipt come again after the delay
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

function loadSmpp() {
  try {
    return require(path.join(__dirname, '../../.peers/node/node_modules/smpp'));
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND') throw e;
    return require('smpp');
  }
}
const smpp = loadSmpp();

// The package decodes short_message and message_payload into {udh, message: string} by
// data_coding; the tests want the bytes as sent, so keep them as Buffers.
smpp.filters.message.decode = (value) => value;

const ESME_ROK = 0x00;
const ESME_RINVBNDSTS = 0x04;
const ESME_RALYBND = 0x05;
const ESME_RINVCMDID = 0x03;
const ESME_RINVDSTADR = 0x0b;
const ESME_RINVPASWD = 0x0e;
const ESME_RINVSYSID = 0x0f;
const ESME_RTHROTTLED = 0x58;
const STATE_DELIVERED = 2;
const STATE_UNDELIVERABLE = 5;

function parseArgs(argv) {
  const options = {
    port: 0,
    record: null,
    systemId: 'hlidac',
    password: 'secret',
    permanent: [],
    temporary: [],
    undeliverable: [],
    dlrDelayMs: 50,
    closeAfter: 0,
    answerDelayMs: 0,
  };
  const numbers = {
    '--port': 'port', '--dlr-delay-ms': 'dlrDelayMs', '--close-after': 'closeAfter',
    '--answer-delay-ms': 'answerDelayMs',
  };
  const strings = { '--record': 'record', '--system-id': 'systemId', '--password': 'password' };
  const lists = { '--permanent': 'permanent', '--temporary': 'temporary', '--undeliverable': 'undeliverable' };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (value === undefined) usage(`${name} needs a value`);
    if (name in numbers) {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) usage(`${name} wants a whole number, not ${value}`);
      options[numbers[name]] = n;
    } else if (name in strings) {
      options[strings[name]] = value;
    } else if (name in lists) {
      options[lists[name]].push(value);
    } else {
      usage(`unknown option ${name}`);
    }
  }
  return options;
}

function usage(message) {
  process.stderr.write(`smpp_server: ${message}\n`);
  process.exit(2);
}

const options = parseArgs(process.argv.slice(2));

function record(line) {
  if (options.record) fs.appendFileSync(options.record, JSON.stringify(line) + '\n');
}

// Message ids: a random 16-bit prefix (ids stay unique across restarts in one test) and a counter.
const idBase = crypto.randomInt(0x1000, 0x10000) * 0x10000;
let idCounter = 0;
function nextMessageId() {
  idCounter += 1;
  return ((idBase + idCounter) % 0x100000000).toString(16).padStart(8, '0');
}

// YYMMDDhhmm in UTC, as in a receipt's "submit date" and "done date".
function receiptDate(ms) {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(2, 12);
}

// The first 20 characters of the message, in printable ASCII, for the receipt's "text:".
function receiptText(pdu) {
  let bytes = pdu.short_message || Buffer.alloc(0);
  if (pdu.esm_class & 0x40 && bytes.length > 0) bytes = bytes.subarray(bytes[0] + 1);
  if (bytes.length === 0 && pdu.message_payload) bytes = pdu.message_payload;
  let text;
  switch (pdu.data_coding & 0x0f) {
    case 0x00: text = smpp.encodings.ASCII.decode(bytes); break; // GSM 03.38, unpacked
    case 0x01: text = bytes.toString('latin1'); break; // IA5
    case 0x03: text = smpp.encodings.LATIN1.decode(bytes); break;
    case 0x08: text = smpp.encodings.UCS2.decode(bytes); break;
    default: text = ''; // binary and the rest
  }
  return Array.from(text).slice(0, 20).join('')
    .normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]/g, '?');
}

function hex(buffer) {
  return Buffer.isBuffer(buffer) ? buffer.toString('hex') : null;
}

function startsWithAny(value, prefixes) {
  return prefixes.some((prefix) => value.startsWith(prefix));
}

const server = smpp.createServer();
let accepted = 0;
let closedOnce = false;
const pendingReceipts = []; // {systemId, fields} waiting for a receiving session

function canReceive(session) {
  return session.bound === 'bind_transceiver' || session.bound === 'bind_receiver';
}

function sendReceipt(preferred, systemId, fields) {
  const open = (s) => s.socket.writable && !s.socket.destroyed && canReceive(s) && s.systemId === systemId;
  const target = open(preferred) ? preferred : server.sessions.find(open);
  if (!target) {
    pendingReceipts.push({ systemId, fields });
    return;
  }
  deliver(target, fields);
}

function deliver(session, fields) {
  const messageId = fields.receipted_message_id;
  record({ event: 'receipt', message_id: messageId, message_state: fields.message_state, at: Date.now() });
  session.deliver_sm({ ...fields }, (resp) => {
    record({ event: 'receipt_resp', message_id: messageId, status: resp.command_status, at: Date.now() });
    // A refused receipt is delivered again later, as an SMSC does.
    if (resp.command_status !== ESME_ROK) {
      setTimeout(() => sendReceipt(session, session.systemId, fields), options.dlrDelayMs);
    }
  });
}

function flushReceipts(session) {
  for (let i = 0; i < pendingReceipts.length;) {
    if (pendingReceipts[i].systemId === session.systemId) {
      deliver(session, pendingReceipts.splice(i, 1)[0].fields);
    } else {
      i += 1;
    }
  }
}

// Sends an answer, after --answer-delay-ms.
function answer(session, resp, done) {
  if (options.answerDelayMs === 0) {
    session.send(resp, done);
    return;
  }
  setTimeout(() => {
    if (session.socket.writable) session.send(resp, done);
  }, options.answerDelayMs);
}

function onBind(session, pdu) {
  let status = ESME_ROK;
  if (session.bound) status = ESME_RALYBND;
  else if (pdu.system_id !== options.systemId) status = ESME_RINVSYSID;
  else if (pdu.password !== options.password) status = ESME_RINVPASWD;
  record({ event: 'bind', command: pdu.command, system_id: pdu.system_id, ok: status === ESME_ROK, status, at: Date.now() });
  if (status !== ESME_ROK) {
    answer(session, pdu.response({ command_status: status }));
    return;
  }
  session.bound = pdu.command;
  session.systemId = pdu.system_id;
  answer(session, pdu.response({ system_id: 'hlidac-smsc', sc_interface_version: 0x34 }));
  if (canReceive(session)) flushReceipts(session);
}

function onSubmit(session, pdu) {
  const submittedAt = Date.now();
  const destination = pdu.destination_addr || '';
  let status = ESME_ROK;
  if (session.bound !== 'bind_transceiver' && session.bound !== 'bind_transmitter') status = ESME_RINVBNDSTS;
  else if (startsWithAny(destination, options.permanent)) status = ESME_RINVDSTADR;
  else if (startsWithAny(destination, options.temporary)) status = ESME_RTHROTTLED;
  const messageId = status === ESME_ROK ? nextMessageId() : null;
  record({
    system_id: session.systemId || null,
    source_addr: pdu.source_addr ?? null,
    destination_addr: pdu.destination_addr ?? null,
    data_coding: pdu.data_coding || 0,
    esm_class: pdu.esm_class || 0,
    registered_delivery: pdu.registered_delivery || 0,
    short_message_hex: hex(pdu.short_message) || '',
    message_payload_hex: hex(pdu.message_payload),
    message_id: messageId,
    status,
    at: submittedAt,
  });
  if (status !== ESME_ROK) {
    answer(session, pdu.response({ command_status: status }));
    return;
  }

  accepted += 1;
  const closeNow = options.closeAfter > 0 && accepted === options.closeAfter && !closedOnce;
  answer(session, pdu.response({ message_id: messageId }), () => {
    if (closeNow) {
      closedOnce = true;
      for (const s of [...server.sessions]) s.socket.destroy();
    }
  });

  if (pdu.registered_delivery & 0x01) {
    const undeliverable = startsWithAny(destination, options.undeliverable);
    const systemId = session.systemId;
    const text = receiptText(pdu);
    setTimeout(() => {
      const done = Date.now();
      const receipt = `id:${messageId} sub:001 dlvrd:${undeliverable ? '000' : '001'}` +
        ` submit date:${receiptDate(submittedAt)} done date:${receiptDate(done)}` +
        ` stat:${undeliverable ? 'UNDELIV' : 'DELIVRD'} err:${undeliverable ? '001' : '000'} text:${text}`;
      sendReceipt(session, systemId, {
        source_addr_ton: pdu.dest_addr_ton,
        source_addr_npi: pdu.dest_addr_npi,
        source_addr: pdu.destination_addr,
        dest_addr_ton: pdu.source_addr_ton,
        dest_addr_npi: pdu.source_addr_npi,
        destination_addr: pdu.source_addr,
        esm_class: 0x04,
        data_coding: 0,
        short_message: Buffer.from(receipt, 'latin1'),
        receipted_message_id: messageId,
        message_state: undeliverable ? STATE_UNDELIVERABLE : STATE_DELIVERED,
      });
    }, options.dlrDelayMs);
  }
}

const handled = new Set(['bind_transceiver', 'bind_transmitter', 'bind_receiver', 'submit_sm', 'enquire_link', 'unbind']);

server.on('session', (session) => {
  session.bound = null;
  session.systemId = null;
  session.on('error', (err) => {
    // A broken socket or a PDU the package cannot parse (it then stops reading): drop it.
    process.stderr.write(`smpp_server: session error: ${err.message}\n`);
    session.socket.destroy();
  });
  session.on('bind_transceiver', (pdu) => onBind(session, pdu));
  session.on('bind_transmitter', (pdu) => onBind(session, pdu));
  session.on('bind_receiver', (pdu) => onBind(session, pdu));
  session.on('submit_sm', (pdu) => onSubmit(session, pdu));
  session.on('enquire_link', (pdu) => answer(session, pdu.response()));
  session.on('unbind', (pdu) => {
    record({ event: 'unbind', system_id: session.systemId, at: Date.now() });
    session.bound = null;
    session.send(pdu.response(), () => session.close());
  });
  session.on('pdu', (pdu) => {
    // Responses (deliver_sm_resp, ...) need no answer; other requests are not supported.
    if (pdu.isResponse() || handled.has(pdu.command)) return;
    session.send(pdu.response({ command_status: ESME_RINVCMDID }));
  });
});

server.on('error', (err) => {
  process.stderr.write(`smpp_server: ${err.message}\n`);
  process.exit(1);
});

server.listen(options.port, '127.0.0.1', () => {
  process.stdout.write(`{"port": ${server.address().port}}\n`);
});

function stop() {
  server.close();
  for (const s of [...server.sessions]) s.socket.destroy();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
