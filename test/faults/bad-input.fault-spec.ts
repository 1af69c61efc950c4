import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { zohoSignature } from '../support/zoho-signature';
import { statusCounts, waitDrained } from './support/checks';
import { Fleet, ServiceChild } from './support/harness';
import { requestOnce } from './support/load';
import { rawRequest } from './support/raw-http';
import { contactBody, WEBHOOK_KEY, ZOHO_SECRET } from './support/zoho';

/**
 * Bad-input corpus against a running child (API + worker in one process): hostile and malformed bodies and
 * headers each get their documented 4xx — or 202 where the input is valid but odd — and never a 5xx. After the
 * worker drained: no partial rows, exact bytes in tds.events.body, valid Unicode intact in erp.contacts.
 */
const MAX_BODY = 65_536;
const KEY = WEBHOOK_KEY;

type Expect = number | number[];
interface Case {
  name: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Exact request bytes over a raw socket instead (path/headers/body ignored). */
  raw?: string | Buffer;
  /** Refused by Node's HTTP parser before the app sees it: only the status is checked (Node's own error body). */
  nodeParser?: boolean;
  expect: Expect;
  /** For 202: 'queued' or 'duplicate'. */
  status?: 'queued' | 'duplicate';
  /** After the drain: what the worker must have made of it. */
  after?: 'applied' | 'dead_letter';
  /** After the drain: the ERP contact must carry exactly this name (Unicode round trip). */
  contactName?: string;
  check?: (res: Answer) => void;
}
interface Answer {
  status: number;
  json?: Record<string, unknown>;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

const J = { 'Content-Type': 'application/json', 'X-Webhook-Key': KEY };
const c = (record: Record<string, unknown>) => JSON.stringify({ contact: record });
const BIG_ID = '130426000002924000123'; // > 2^53
const ARABIC = 'شركة بغداد للتجارة العامة المحدودة';
const KURDISH = 'کۆمپانیای هەولێر بۆ بازرگانی — ڕێکخراوی گشتی';
const EMOJI = '🚀 Bagdad 👨‍👩‍👧‍👦 🇮🇶 ✔︎ e\u0301 𝄞';
const MIXED = `\u202Eevil\u202C ${ARABIC} ${KURDISH} ${EMOJI} \u200F`;
const SIGNED_BODY = contactBody('880001', 'Signed ✓ موقع', 3);
const SIG = zohoSignature(ZOHO_SECRET, {}, SIGNED_BODY);
const SIG_B64 = zohoSignature(ZOHO_SECRET, {}, contactBody('880002', 'Signed b64', 3), 'base64');
const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const invoice = (id: string, lines: unknown) =>
  JSON.stringify({
    invoice: {
      invoice_id: id,
      invoice_number: `INV-${id}`,
      customer_id: '460000000026049',
      date: '2026-11-28',
      status: 'sent',
      total: '375000',
      last_modified_time: '2026-11-28T10:15:30+0300',
      line_items: lines,
    },
  });
const line = (n: number, qty: unknown = '2') => ({
  line_item_id: `99${n}`,
  item_id: `77${n}`,
  name: `Line ${n}`,
  quantity: qty,
  rate: '62500',
});
const raw = (head: string, body = '') => `${head.replace(/\n/g, '\r\n')}\r\n\r\n${body}`;

const CASES: Case[] = [
  // --- invalid JSON variants → 400
  { name: 'trailing comma', body: '{"contact":{"contact_id":"1",}}', expect: 400 },
  { name: 'truncated JSON', body: '{"contact":{"contact_id":"1"', expect: 400 },
  { name: 'single quotes', body: "{'contact':{'contact_id':'1'}}", expect: 400 },
  { name: 'unquoted keys', body: '{contact:{contact_id:"1"}}', expect: 400 },
  { name: 'NaN literal', body: '{"contact":{"contact_id":"1","credit_limit":NaN}}', expect: 400 },
  { name: 'comment after the document', body: '{"contact":{"contact_id":"1"}} // note', expect: 400 },
  { name: 'two concatenated documents', body: '{"contact":{"contact_id":"1"}}{"contact":{"contact_id":"2"}}', expect: 400 },
  { name: 'invalid UTF-8 bytes', body: Buffer.from([0x7b, 0x22, 0x63, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), expect: 400 },
  {
    name: 'overlong UTF-8 encoding of "/"',
    body: Buffer.concat([Buffer.from('{"contact":{"contact_id":"1","contact_name":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}}')]),
    expect: 400,
  },
  {
    name: 'UTF-16LE body with BOM',
    body: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(c({ contact_id: '1' }), 'utf16le')]),
    expect: 400,
  },
  {
    name: 'CESU/surrogate bytes (ED A0 80)',
    body: Buffer.concat([
      Buffer.from('{"contact":{"contact_id":"1","contact_name":"'),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('"}}'),
    ]),
    expect: 400,
  },
  {
    name: 'lone surrogate escape \\ud800 (PostgreSQL cannot store it)',
    body: '{"contact":{"contact_id":"5001","contact_name":"x\\ud800y"}}',
    expect: [400, 422],
  },
  {
    name: 'UTF-8 BOM before valid JSON (tolerated)',
    body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(contactBody('5002', 'BOM ok', 1))]),
    expect: 202,
    status: 'queued',
    after: 'applied',
    contactName: 'BOM ok',
  },
  { name: 'BOM only', body: Buffer.from([0xef, 0xbb, 0xbf]), expect: 400 },
  { name: 'empty body', body: '', expect: 400 },
  { name: 'whitespace-only body', body: ' \n\t ', expect: 400 },
  { name: 'JSON null', body: 'null', expect: 422 },
  { name: 'JSON string', body: '"contact"', expect: 422 },
  { name: 'JSON array', body: '[{"contact":{"contact_id":"1"}}]', expect: 422 },
  { name: 'JSON number above 2^64', body: '123456789012345678901234567890', expect: 422 },

  // --- content types
  { name: 'text/plain', headers: { 'Content-Type': 'text/plain', 'X-Webhook-Key': KEY }, body: c({ contact_id: '1' }), expect: 415 },
  {
    name: 'application/xml',
    headers: { 'Content-Type': 'application/xml', 'X-Webhook-Key': KEY },
    body: '<contact><contact_id>1</contact_id></contact>',
    expect: 415,
  },
  {
    name: 'multipart/form-data',
    headers: { 'Content-Type': 'multipart/form-data; boundary=x', 'X-Webhook-Key': KEY },
    body: '--x\r\nContent-Disposition: form-data; name="JSONString"\r\n\r\n{}\r\n--x--\r\n',
    expect: 415,
  },
  { name: 'no Content-Type with a JSON body', headers: { 'X-Webhook-Key': KEY }, body: c({ contact_id: '1' }), expect: [400, 415] },
  {
    name: 'Content-Type with odd casing and charset',
    headers: { 'Content-Type': 'Application/JSON; Charset=UTF-8', 'X-Webhook-Key': KEY },
    body: contactBody('5003', 'Casing', 1),
    expect: 202,
    status: 'queued',
    after: 'applied',
  },
  {
    name: 'vendor +json type',
    headers: { 'Content-Type': 'application/vnd.zoho+json', 'X-Webhook-Key': KEY },
    body: contactBody('5004', 'Vendor json', 1),
    expect: 202,
    status: 'queued',
    after: 'applied',
  },
  {
    name: 'form body without JSONString',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Webhook-Key': KEY },
    body: 'contact_id=1&contact_name=x',
    expect: 422,
  },
  {
    name: 'form body with JSONString',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Webhook-Key': KEY },
    body: `JSONString=${encodeURIComponent(contactBody('5005', 'Form ✓', 1))}`,
    expect: 202,
    status: 'queued',
    after: 'applied',
    contactName: 'Form ✓',
  },
  {
    name: 'form body with invalid JSON in JSONString',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Webhook-Key': KEY },
    body: `JSONString=${encodeURIComponent('{"contact":')}`,
    expect: 400,
  },

  // --- sizes
  { name: 'body over WEBHOOK_MAX_BODY_BYTES', body: c({ contact_id: '1', notes: 'x'.repeat(MAX_BODY + 10) }), expect: 413 },
  {
    name: 'multi-byte body over the limit in bytes but not in characters',
    body: c({ contact_id: '1', notes: 'ش'.repeat(Math.ceil(MAX_BODY / 2) + 100) }),
    expect: 413,
  },
  {
    name: 'chunked body over the limit (no Content-Length)',
    raw: `POST /webhooks/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Webhook-Key: ${KEY}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${[0, 1, 2, 3, 4].map(() => `${(20000).toString(16)}\r\n${'y'.repeat(20000)}\r\n`).join('')}0\r\n\r\n`,
    expect: 413,
  },
  {
    name: 'Content-Length of 100 MB announced',
    raw: raw(
      `POST /webhooks/contacts HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\nX-Webhook-Key: ${KEY}\nContent-Length: 104857600\nConnection: close`,
      '{"contact":',
    ),
    expect: 413,
  },

  // --- nesting
  { name: '5000 nested arrays', body: `{"contact":{"contact_id":"1","x":${'['.repeat(5000)}${']'.repeat(5000)}}}`, expect: 400 },
  { name: '100 nested objects', body: `{"contact":{"contact_id":"1","x":${deepObject(100)}}}`, expect: 400 },
  {
    name: '50 nested objects (deep but allowed)',
    body: `{"contact":{"contact_id":"5006","contact_name":"Deep","x":${deepObject(50)}}}`,
    expect: 202,
    status: 'queued',
    after: 'applied',
  },
  {
    name: 'brackets inside strings do not count as nesting',
    body: `{"contact":{"contact_id":"5007","contact_name":"${'['.repeat(200)}"}}`,
    expect: 202,
    status: 'queued',
    after: 'applied',
    contactName: '['.repeat(200),
  },

  // --- NUL bytes
  {
    name: 'raw 0x00 byte inside a string',
    body: Buffer.concat([Buffer.from('{"contact":{"contact_id":"1","contact_name":"a'), Buffer.from([0]), Buffer.from('b"}}')]),
    expect: 400,
  },
  {
    name: 'raw 0x00 byte between tokens',
    body: Buffer.concat([Buffer.from('{"contact":'), Buffer.from([0]), Buffer.from('{"contact_id":"1"}}')]),
    expect: 400,
  },
  {
    name: '\\u0000 escapes in a value (kept in the body, removed in the record)',
    body: '{"contact":{"contact_id":"5008","contact_name":"A\\u0000B\\u0000","notes":"\\u0000"}}',
    expect: 202,
    status: 'queued',
    after: 'applied',
    contactName: 'AB',
  },
  {
    name: '\\u0000 escape in a key (jsonb would read another key)',
    body: '{"contact":{"contact_id":"5009","contact_name":"Key NUL","we\\u0000ird":"v"}}',
    expect: 422,
  },
  {
    name: '\\u0000 key shadowing the envelope',
    path: '/webhooks/products',
    body: '{"item":{"item_id":"2001","name":"good"},"item\\u0000":{"item_id":"9999","name":"evil"}}',
    expect: 422,
  },
  {
    name: '\\u0000 key holding null inside the record',
    path: '/webhooks/products',
    body: '{"item":{"item_id":"2002","item\\u0000":null}}',
    expect: 422,
  },
  { name: 'record that is an array', path: '/webhooks/products', body: '{"item":[1,2,3]}', expect: 422 },
  { name: '\\u0000 escape inside the id', body: '{"contact":{"contact_id":"50\\u000010"}}', expect: 422 },

  // --- ids and numbers
  {
    name: 'id as a JSON number above 2^53 (kept exactly)',
    body: `{"contact":{"contact_id":${BIG_ID},"contact_name":"Big id","credit_limit":12345678901234567890.123456789}}`,
    expect: 202,
    status: 'queued',
    after: 'applied',
    check: (r) => expect(r.json?.entityId).toBe(BIG_ID),
  },
  { name: 'id -0', body: '{"contact":{"contact_id":-0}}', expect: 422 },
  { name: 'id 1e5', body: '{"contact":{"contact_id":1e5}}', expect: 422 },
  { name: 'id 12.0', body: '{"contact":{"contact_id":12.0}}', expect: 422 },
  { name: 'id with letters', body: c({ contact_id: '50x1' }), expect: 422 },
  {
    name: 'same second, first edit',
    body: c({ contact_id: '5040', contact_name: 'First edit', last_modified_time: '2026-11-28T10:00:00+0300' }),
    expect: 202,
    status: 'queued',
    after: 'applied',
  },
  {
    name: 'same second, second edit (not a duplicate)',
    body: c({ contact_id: '5040', contact_name: 'Second edit', last_modified_time: '2026-11-28T10:00:00+0300' }),
    expect: 202,
    status: 'queued',
    after: 'applied',
    contactName: 'Second edit',
  },
  {
    name: 'numbers as strings',
    body: c({
      contact_id: '5010',
      contact_name: 'Strings',
      credit_limit: '1500000.50',
      payment_terms: '30',
      outstanding_receivable_amount: '1,234.50',
    }),
    expect: 202,
    status: 'queued',
    after: 'applied',
  },
  {
    name: 'number field holding words (accepted, then dead letter, no row)',
    body: c({ contact_id: '5011', contact_name: 'Bad amount', credit_limit: 'a lot' }),
    expect: 202,
    status: 'queued',
    after: 'dead_letter',
  },
  { name: 'amount 1e999999 (beyond PostgreSQL numeric)', body: '{"contact":{"contact_id":"5030","credit_limit":1e999999}}', expect: 422 },
  {
    name: 'last_modified_time in year 0001 (before PostgreSQL can store it in UTC)',
    body: c({ contact_id: '5031', last_modified_time: '0001-01-01T00:00:00+0300' }),
    expect: 422,
  },
  {
    name: 'impossible calendar date in last_modified_time (ordered by arrival)',
    body: c({ contact_id: '5032', contact_name: 'Feb 31', last_modified_time: '2026-02-31T10:00:00+0300' }),
    expect: 202,
    status: 'queued',
    after: 'applied',
  },
  {
    name: 'invoice dated 0000-01-01 (accepted, then dead letter)',
    path: '/webhooks/invoices',
    body: invoice('6004', [line(1)]).replace('"2026-11-28"', '"0000-01-01"'),
    expect: 202,
    status: 'queued',
    after: 'dead_letter',
  },
  { name: 'id of 101 characters', body: c({ contact_id: '9'.repeat(101) }), expect: 422 },
  { name: 'id as a boolean', body: '{"contact":{"contact_id":true}}', expect: 422 },
  { name: 'id as an array', body: '{"contact":{"contact_id":["1"]}}', expect: 422 },

  // --- injection
  {
    name: 'SQL injection in values',
    body: c({ contact_id: '5012', contact_name: "Robert'); DROP TABLE erp.contacts;--", email: "x' OR '1'='1" }),
    expect: 202,
    status: 'queued',
    after: 'applied',
    contactName: "Robert'); DROP TABLE erp.contacts;--",
  },
  {
    name: 'SQL injection in the id (not a Zoho id: refused)',
    body: c({ contact_id: "5013'; DELETE FROM tds.events;--", contact_name: 'Id injection' }),
    expect: 422,
  },
  {
    name: 'HTML/script injection',
    body: c({ contact_id: '5014', contact_name: '<script>alert(1)</script><img src=x onerror=alert(2)>' }),
    expect: 202,
    status: 'queued',
    after: 'applied',
    contactName: '<script>alert(1)</script><img src=x onerror=alert(2)>',
  },
  { name: 'injection in the event parameter', path: "/webhooks/contacts?event=updated'--", body: c({ contact_id: '1' }), expect: 422 },
  {
    name: 'prototype keys in the body',
    body: '{"__proto__":{"contact":{"contact_id":"666"}},"constructor":{"prototype":{"x":1}}}',
    expect: 422,
  },

  // --- Unicode (must survive byte for byte)
  {
    name: 'Arabic text',
    body: c({ contact_id: '5015', contact_name: ARABIC, company_name: ARABIC }),
    expect: 202,
    status: 'queued',
    after: 'applied',
    contactName: ARABIC,
  },
  {
    name: 'Kurdish (Sorani) text',
    body: c({ contact_id: '5016', contact_name: KURDISH }),
    expect: 202,
    status: 'queued',
    after: 'applied',
    contactName: KURDISH,
  },
  {
    name: 'emoji, ZWJ sequences, flags, combining marks, astral plane',
    body: c({ contact_id: '5017', contact_name: EMOJI }),
    expect: 202,
    status: 'queued',
    after: 'applied',
    contactName: EMOJI,
  },
  {
    name: 'bidi controls mixed with Arabic and Kurdish',
    body: c({ contact_id: '5018', contact_name: MIXED }),
    expect: 202,
    status: 'queued',
    after: 'applied',
    contactName: MIXED,
  },
  {
    name: 'Unicode escapes (\\u0634...) decode to the same text',
    body: '{"contact":{"contact_id":"5019","contact_name":"\\u0634\\u0631\\u0643\\u0629 \\ud83d\\ude80"}}',
    expect: 202,
    status: 'queued',
    after: 'applied',
    contactName: 'شركة 🚀',
  },
  { name: 'Arabic id (Zoho ids are ASCII digits: refused)', body: c({ contact_id: 'عميل-٤٦٠', contact_name: 'Arabic id' }), expect: 422 },
  { name: 'Arabic-Indic digits as an id', body: c({ contact_id: '٤٦٠٠٠', contact_name: 'Arabic digits' }), expect: 422 },

  // --- duplicate keys
  // The last duplicate wins, exactly as PostgreSQL's jsonb reads the stored body (docs/decisions/0006).
  {
    name: 'conflicting duplicate keys (last wins)',
    body: '{"contact":{"contact_id":"5030","contact_id":"5031","contact_name":"Dup last"}}',
    expect: 202,
    status: 'queued',
    after: 'applied',
    check: (r) => expect(r.json?.entityId).toBe('5031'),
  },
  {
    name: 'conflicting duplicate envelopes (last wins)',
    body: '{"contact":{"contact_id":"5040"},"contact":{"contact_id":"5041","contact_name":"Dup env"}}',
    expect: 202,
    status: 'queued',
    after: 'applied',
    check: (r) => expect(r.json?.entityId).toBe('5041'),
  },
  {
    name: 'identical duplicate keys (harmless)',
    body: '{"contact":{"contact_id":"5020","contact_id":"5020","contact_name":"Dup same"}}',
    expect: 202,
    status: 'queued',
    after: 'applied',
  },

  // --- envelopes
  { name: 'missing envelope', body: '{"contact_id":"1","contact_name":"x"}', expect: 422 },
  { name: 'wrong entity for the route', body: '{"invoice":{"invoice_id":"1"}}', expect: 422 },
  { name: 'envelope is a string', body: '{"contact":"1"}', expect: 422 },
  { name: 'envelope is an array', body: '{"contact":[{"contact_id":"1"}]}', expect: 422 },
  { name: 'missing id', body: '{"contact":{"contact_name":"x"}}', expect: 422 },
  { name: 'blank id', body: '{"contact":{"contact_id":"   "}}', expect: 422 },
  { name: 'unknown event kind', path: '/webhooks/contacts?event=exploded', body: c({ contact_id: '1' }), expect: 422 },

  // --- documents with lines: all or nothing
  {
    name: 'invoice with three lines',
    path: '/webhooks/invoices',
    body: invoice('6001', [line(1), line(2), line(3)]),
    expect: 202,
    status: 'queued',
    after: 'applied',
  },
  {
    name: 'invoice whose second line has a bad quantity (no partial rows)',
    path: '/webhooks/invoices',
    body: invoice('6002', [line(1), line(2, 'lots'), line(3)]),
    expect: 202,
    status: 'queued',
    after: 'dead_letter',
  },
  {
    name: 'invoice whose line_items is not a list',
    path: '/webhooks/invoices',
    body: invoice('6003', 'three lines'),
    expect: 202,
    status: 'queued',
    after: 'dead_letter',
  },

  // --- credentials and signatures
  { name: 'no credentials', headers: { 'Content-Type': 'application/json' }, body: c({ contact_id: '1' }), expect: 401 },
  {
    name: 'wrong key',
    headers: { 'Content-Type': 'application/json', 'X-Webhook-Key': `${KEY}x` },
    body: c({ contact_id: '1' }),
    expect: 401,
  },
  {
    name: 'wrong ?token=',
    path: '/webhooks/contacts?token=nope',
    headers: { 'Content-Type': 'application/json' },
    body: c({ contact_id: '1' }),
    expect: 401,
  },
  {
    name: 'key with non-ASCII bytes',
    headers: { 'Content-Type': 'application/json', 'X-Webhook-Key': Buffer.from(`${KEY}é`, 'utf8').toString('latin1') },
    body: c({ contact_id: '1' }),
    expect: 401,
  },
  {
    name: 'signature that is not hex/base64',
    headers: { 'Content-Type': 'application/json', 'X-Zoho-Webhook-Signature': 'not-a-signature' },
    body: SIGNED_BODY,
    expect: 401,
  },
  {
    name: 'empty signature',
    headers: { 'Content-Type': 'application/json', 'X-Zoho-Webhook-Signature': '' },
    body: SIGNED_BODY,
    expect: 401,
  },
  {
    name: 'signature made with another secret',
    headers: { 'Content-Type': 'application/json', 'X-Zoho-Webhook-Signature': zohoSignature('another-secret', {}, SIGNED_BODY) },
    body: SIGNED_BODY,
    expect: 401,
  },
  {
    name: 'valid signature (hex)',
    headers: { 'Content-Type': 'application/json', 'X-Zoho-Webhook-Signature': SIG },
    body: SIGNED_BODY,
    expect: 202,
    status: 'queued',
    after: 'applied',
    contactName: 'Signed ✓ موقع',
  },
  {
    name: 'replayed signature on a changed body',
    headers: { 'Content-Type': 'application/json', 'X-Zoho-Webhook-Signature': SIG },
    body: SIGNED_BODY.replace('Signed', 'Forged'),
    expect: 401,
  },
  {
    name: 'replayed signature with an added query parameter',
    path: '/webhooks/contacts?event=deleted',
    headers: { 'Content-Type': 'application/json', 'X-Zoho-Webhook-Signature': SIG },
    body: SIGNED_BODY,
    expect: 401,
  },
  {
    name: 'replayed signature on the same body with a trailing space',
    headers: { 'Content-Type': 'application/json', 'X-Zoho-Webhook-Signature': SIG },
    body: `${SIGNED_BODY} `,
    expect: 401,
  },
  {
    name: 'signed query re-split (?e=ventdeleted signs like ?event=deleted)',
    path: '/webhooks/contacts?e=ventdeleted',
    headers: {
      'Content-Type': 'application/json',
      'X-Zoho-Webhook-Signature': zohoSignature(ZOHO_SECRET, { event: 'deleted' }, SIGNED_BODY),
    },
    body: SIGNED_BODY,
    expect: 401,
  },
  {
    name: 'form field repeating a signed query parameter',
    path: '/webhooks/contacts?event=deleted',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Zoho-Webhook-Signature': zohoSignature(ZOHO_SECRET, { event: 'updated', JSONString: c({ contact_id: '5041' }) }, undefined),
    },
    body: `event=updated&JSONString=${encodeURIComponent(c({ contact_id: '5041' }))}`,
    expect: 401,
  },
  {
    name: 'repeated query parameter with a key',
    path: '/webhooks/contacts?event=updated&event=deleted',
    body: c({ contact_id: '5042' }),
    expect: 400,
  },
  {
    name: 'exact replay of a signed delivery',
    headers: { 'Content-Type': 'application/json', 'X-Zoho-Webhook-Signature': SIG },
    body: SIGNED_BODY,
    expect: 202,
    status: 'duplicate',
  },
  {
    name: 'valid signature (base64, sha256= prefix)',
    headers: { 'Content-Type': 'application/json', 'X-Zoho-Webhook-Signature': `sha256=${SIG_B64}` },
    body: contactBody('880002', 'Signed b64', 3),
    expect: 202,
    status: 'queued',
    after: 'applied',
  },

  // --- header injection and request smuggling (raw bytes)
  {
    name: 'CR inside a header value',
    nodeParser: true,
    raw: raw(
      `POST /webhooks/contacts HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\nX-Webhook-Key: nope\rX-Webhook-Key: ${KEY}\nContent-Length: 28\nConnection: close`,
      c({ contact_id: '1' }).slice(0, 28),
    ),
    expect: [400, 401],
  },
  {
    name: 'bare LF splitting a header in two',
    nodeParser: true,
    raw: `POST /webhooks/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Webhook-Key: nope\nX-Webhook-Key: ${KEY}\r\nContent-Length: 30\r\nConnection: close\r\n\r\n${c({ contact_id: '1' })}`,
    expect: [400, 401],
  },
  {
    name: 'obsolete line folding in the key header',
    nodeParser: true,
    raw: raw(
      `POST /webhooks/contacts HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\nX-Webhook-Key: nope\n ${KEY}\nContent-Length: 30\nConnection: close`,
      c({ contact_id: '1' }),
    ),
    expect: [400, 401],
  },
  {
    name: 'NUL byte in a header value',
    nodeParser: true,
    raw: raw(
      `POST /webhooks/contacts HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\nX-Webhook-Key: ${KEY}\u0000\nContent-Length: 30\nConnection: close`,
      c({ contact_id: '1' }),
    ),
    expect: [400, 401],
  },
  {
    name: 'Content-Length and Transfer-Encoding together (smuggling)',
    nodeParser: true,
    raw: raw(
      `POST /webhooks/contacts HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\nX-Webhook-Key: ${KEY}\nContent-Length: 4\nTransfer-Encoding: chunked\nConnection: close`,
      `1e\r\n${c({ contact_id: '1' })}\r\n0\r\n\r\n`,
    ),
    expect: 400,
  },
  {
    name: 'two different Content-Length headers',
    nodeParser: true,
    raw: raw(
      `POST /webhooks/contacts HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\nX-Webhook-Key: ${KEY}\nContent-Length: 30\nContent-Length: 5\nConnection: close`,
      c({ contact_id: '1' }),
    ),
    expect: 400,
  },
  {
    name: 'two X-Webhook-Key headers (wrong, then right)',
    raw: raw(
      `POST /webhooks/contacts HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\nX-Webhook-Key: nope\nX-Webhook-Key: ${KEY}\nContent-Length: 30\nConnection: close`,
      c({ contact_id: '1' }),
    ),
    expect: 401,
  },
  {
    name: 'header block over 16 KB',
    nodeParser: true,
    raw: raw(
      `POST /webhooks/contacts HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\nX-Webhook-Key: ${KEY}\nX-Padding: ${'p'.repeat(20000)}\nContent-Length: 30\nConnection: close`,
      c({ contact_id: '1' }),
    ),
    expect: 431,
  },
  {
    name: 'X-Request-Id with markup is not echoed',
    headers: { ...J, 'X-Request-Id': '<script>alert(1)</script>' },
    body: contactBody('5021', 'Request id', 1),
    expect: 202,
    status: 'queued',
    after: 'applied',
    check: (r) => expect(String(r.headers['x-request-id'])).toMatch(/^[0-9a-f-]{36}$/),
  },

  // --- routes and methods
  { name: 'unknown route', path: '/webhooks/widgets', body: c({ contact_id: '1' }), expect: 404 },
  { name: 'route /webhooks/constructor (prototype name)', path: '/webhooks/constructor', body: c({ contact_id: '1' }), expect: 404 },
  { name: 'route /webhooks/__proto__', path: '/webhooks/__proto__', body: c({ contact_id: '1' }), expect: 404 },
  { name: 'route /webhooks/toString', path: '/webhooks/toString', body: c({ contact_id: '1' }), expect: 404 },
  { name: 'route with a trailing segment', path: '/webhooks/contacts/extra', body: c({ contact_id: '1' }), expect: 404 },
  { name: 'route in upper case', path: '/webhooks/CONTACTS', body: c({ contact_id: '1' }), expect: 404 },
  { name: 'path traversal', path: '/webhooks/../health', body: c({ contact_id: '1' }), expect: [404] },
  { name: 'GET on a webhook route', method: 'GET', path: '/webhooks/contacts', expect: [404, 405] },
  { name: 'PATCH on a webhook route', method: 'PATCH', path: '/webhooks/contacts', body: c({ contact_id: '1' }), expect: [404, 405] },
  {
    name: 'PUT (same contract as POST)',
    method: 'PUT',
    body: contactBody('5022', 'Put', 1),
    expect: 202,
    status: 'queued',
    after: 'applied',
  },
  {
    name: 'DELETE of an unknown record (tombstone)',
    method: 'DELETE',
    body: c({ contact_id: '5023' }),
    expect: 202,
    status: 'queued',
    after: 'applied',
  },
];

describe('fault: bad-input corpus against a running child', () => {
  let db: TestDatabase;
  let fleet: Fleet;
  let svc: ServiceChild;
  const answers = new Map<string, Answer & { sent: Case }>();

  beforeAll(async () => {
    db = await createTestDatabase();
    fleet = new Fleet({
      DATABASE_URL: db.url,
      WEBHOOK_API_KEYS: KEY,
      ZOHO_WEBHOOK_SECRETS: ZOHO_SECRET,
      WEBHOOK_MAX_BODY_BYTES: String(MAX_BODY),
      TDS_LOCK_TIMEOUT_SECONDS: '5',
      TDS_QUEUE_POLL_INTERVAL_MS: '200',
      TDS_MAX_RETRY_ATTEMPTS: '2',
      TDS_RETRY_BACKOFF_BASE_MS: '100',
      TDS_RETRY_BACKOFF_MAX_MS: '200',
    });
    svc = await fleet.start({ name: 'api+worker', role: 'all' });
  });

  afterAll(async () => {
    await fleet?.cleanup();
    await db?.drop();
  });

  it('has at least 40 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((x) => x.name)).size).toBe(CASES.length);
  });

  it.each(CASES.map((x) => [x.name, x] as const))('%s', async (_name, tc) => {
    let answer: Answer;
    if (tc.raw !== undefined) {
      const r = await rawRequest(svc.port, tc.raw);
      answer = { status: r.status, text: r.body, headers: {} };
      try {
        answer.json = JSON.parse(r.body) as Record<string, unknown>;
      } catch {
        /* not JSON */
      }
    } else {
      answer = await requestOnce(svc.baseUrl, {
        id: `bad-${CASES.indexOf(tc)}`,
        method: tc.method ?? 'POST',
        path: tc.path ?? '/webhooks/contacts',
        headers: tc.headers ?? J,
        body: tc.body,
      });
    }
    answers.set(tc.name, { ...answer, sent: tc });
    const allowed = Array.isArray(tc.expect) ? tc.expect : [tc.expect];
    expect(allowed, `${tc.name}: got ${answer.status} ${answer.text.slice(0, 300)}`).toContain(answer.status);
    expect(answer.status).toBeLessThan(500);
    expect(svc.alive, svc.describe()).toBe(true);
    if (answer.status === 202) {
      expect(answer.json).toMatchObject({ status: tc.status, eventId: expect.any(String) });
      if (tc.name === 'exact replay of a signed delivery') {
        expect(answer.json!.eventId).toBe(answers.get('valid signature (hex)')!.json!.eventId);
      }
    } else if (answer.json && !tc.nodeParser) {
      // The documented error shape.
      expect(answer.json).toMatchObject({ statusCode: answer.status, code: expect.any(String), message: expect.any(String) });
    }
    tc.check?.(answer);
  });

  it('after the drain: only accepted events stored, exact bytes, no partial rows, Unicode intact', async () => {
    await waitDrained(db, 30_000, () => svc.describe());
    const accepted = [...answers.values()].filter((a) => a.status === 202);
    const queued = accepted.filter((a) => a.json?.status === 'queued');
    const counts = await statusCounts(db);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(total, `tds.events holds exactly the queued events ${JSON.stringify(counts)}`).toBe(queued.length);

    // Exact request bytes kept for every accepted event; the final status is what the case expects.
    const rows = await db.query<{ id: string; body: Buffer; status: string; last_error: string | null }>(
      'SELECT id::text AS id, body, status, last_error FROM tds.events',
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const a of queued) {
      const row = byId.get(String(a.json!.eventId));
      expect(row, `${a.sent.name}: event stored`).toBeDefined();
      const sent = Buffer.isBuffer(a.sent.body) ? a.sent.body : Buffer.from(a.sent.body ?? '', 'utf8');
      expect(row!.body.equals(sent), `${a.sent.name}: body bytes kept exactly`).toBe(true);
      const want = a.sent.after === 'dead_letter' ? 'dead_letter' : 'completed';
      expect(`${a.sent.name}: ${row!.status}`, row!.last_error ?? '').toBe(`${a.sent.name}: ${want}`);
    }

    // Unicode and odd text: exact in the ERP column and in raw.
    for (const a of queued.filter((x) => x.sent.contactName !== undefined)) {
      const id = String(a.json!.entityId);
      const [row] = await db.query<{ name: string; raw_name: string }>(
        `SELECT contact_name AS name, raw->>'contact_name' AS raw_name FROM erp.contacts WHERE zoho_contact_id = $1`,
        [id],
      );
      expect(row, `${a.sent.name}: ERP row`).toBeDefined();
      expect(row.name, `${a.sent.name}: contact_name`).toBe(a.sent.contactName);
      expect(row.raw_name, `${a.sent.name}: raw->>'contact_name'`).toBe(a.sent.contactName);
    }

    // raw is the record as sent (jsonb equality: same keys, same values, numbers exact), for every applied JSON
    // contact whose body has no \u0000 (those are stripped on purpose).
    const rawDiffers = await db.query<{ id: string; entity_id: string; raw: unknown }>(
      `SELECT e.id::text AS id, e.entity_id, c.raw
       FROM tds.events e JOIN erp.contacts c ON c.zoho_contact_id = e.entity_id
       WHERE e.status = 'completed' AND e.outcome = 'applied' AND e.record_type = 'contact' AND e.event_kind <> 'deleted'
         AND e.content_type NOT ILIKE 'application/x-www-form-urlencoded%'
         AND position(convert_to('\\u0000', 'UTF8') IN e.body) = 0
         -- the record's last applied version (two edits in one second: the second one is what raw holds)
         AND e.id = (SELECT max(l.id) FROM tds.events l WHERE l.record_type = 'contact' AND l.entity_id = e.entity_id AND l.outcome = 'applied')
         AND c.raw IS DISTINCT FROM (ltrim(convert_from(e.body, 'UTF8'), U&'\\FEFF')::jsonb -> 'contact')`,
    );
    expect(rawDiffers, 'erp.contacts.raw differs from the record as sent').toEqual([]);
    const [{ n: rawChecked }] = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM tds.events WHERE status = 'completed' AND outcome = 'applied' AND record_type = 'contact'`,
    );
    expect(Number(rawChecked)).toBeGreaterThanOrEqual(15);

    // Ids above 2^53 and long decimals are kept exactly.
    const [big] = await db.query<{ id: string; raw_id: string; credit: string }>(
      `SELECT zoho_contact_id AS id, raw->>'contact_id' AS raw_id, credit_limit::text AS credit FROM erp.contacts WHERE zoho_contact_id = $1`,
      [BIG_ID],
    );
    expect(big).toEqual({ id: BIG_ID, raw_id: BIG_ID, credit: '12345678901234567890.123456789' });
    const [strings] = await db.query<Record<string, string>>(
      `SELECT credit_limit::text AS credit, payment_terms::text AS terms, outstanding_receivable_amount::text AS receivable
       FROM erp.contacts WHERE zoho_contact_id = '5010'`,
    );
    expect(strings).toEqual({ credit: '1500000.50', terms: '30', receivable: '1234.50' });
    const [injected] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM erp.contacts WHERE zoho_contact_id = $1`, [
      "5013'; DELETE FROM tds.events;--",
    ]);
    expect(injected.n).toBe('0');

    // No partial rows: dead-lettered records left nothing behind; every invoice has exactly its lines.
    expect(await db.query(`SELECT zoho_contact_id FROM erp.contacts WHERE zoho_contact_id IN ('5011')`)).toEqual([]);
    expect(await db.query(`SELECT zoho_invoice_id FROM erp.invoices WHERE zoho_invoice_id IN ('6002', '6003', '6004')`)).toEqual([]);
    expect(await db.query(`SELECT zoho_invoice_id FROM erp.invoice_lines WHERE zoho_invoice_id IN ('6002', '6003', '6004')`)).toEqual([]);
    const lineCounts = await db.query<{ id: string; want: number; got: string }>(
      `SELECT i.zoho_invoice_id AS id, jsonb_array_length(i.raw->'line_items') AS want,
              (SELECT count(*) FROM erp.invoice_lines l WHERE l.zoho_invoice_id = i.zoho_invoice_id) AS got
       FROM erp.invoices i`,
    );
    expect(lineCounts).toEqual([{ id: '6001', want: 3, got: '3' }]);
    expect(
      await db.query(
        `SELECT l.zoho_invoice_id FROM erp.invoice_lines l LEFT JOIN erp.invoices i USING (zoho_invoice_id) WHERE i.zoho_invoice_id IS NULL`,
      ),
    ).toEqual([]);

    // The service logged no unhandled error (a 500 would have been logged even if the status looked fine).
    const caseOf = (requestId: string) => CASES[Number(requestId.replace('bad-', ''))]?.name ?? requestId;
    const unhandled = [...svc.output().matchAll(/unhandled error \(([^)]*)\): ([^"\\]*)/g)].map((m) => `${caseOf(m[1])}: ${m[2]}`);
    expect(unhandled, 'unhandled errors (500) logged by the service').toEqual([]);
  });
});
